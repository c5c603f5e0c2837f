import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../functions/core/audit/record.js';
import { loadConfig } from '../../functions/core/config.js';
import { notify } from '../../functions/notify/flow.js';
import { loadNotifySettings } from '../../functions/notify/settings.js';
import { s3Error } from '../support/aws-errors.js';
import { loadEvent } from '../support/events.js';

const sns = mockClient(SNSClient);
const s3 = mockClient(S3Client);
const BUCKET = 'ml-guard-forensics-123456789012';
const NOW = new Date('2026-11-26T03:00:00.000Z');
const ALARM = 'cloudwatch/alarm-state-change-sagemaker-model-latency.json';

beforeEach(() => {
  sns.reset();
  s3.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
});
afterAll(() => {
  sns.restore();
  s3.restore();
});

const run = (event: unknown) =>
  notify(event, { config: loadConfig({ ...process.env, AUDIT_BUCKET: BUCKET }), settings: loadNotifySettings({}), now: () => NOW });

describe("notify's audit record", () => {
  it('is written after the notification, with its message id, and no journal', async () => {
    s3.on(PutObjectCommand).resolves({});

    const result = await run(loadEvent(ALARM));

    expect(result.audit?.outcome).toBe('written');
    const record = JSON.parse(String(s3.commandCalls(PutObjectCommand)[0]?.args[0].input.Body)) as AuditRecord;
    expect(record).toMatchObject({
      function: 'notify',
      status: 'notified',
      notification: { published: true, message_id: 'msg-1' },
      event: { kind: 'alarm:sagemaker-endpoint', type: 'fraud-detector-model-latency' },
    });
    expect(record.journal).toBeUndefined();
  });

  it('that cannot be written does not fail the invocation (a retry would notify twice): the result says so', async () => {
    s3.on(PutObjectCommand).rejects(s3Error('SlowDown', 503, 'Please reduce your request rate.'));

    const result = await run(loadEvent(ALARM));

    expect(result.status).toBe('notified');
    expect(result.audit).toMatchObject({ outcome: 'failed', error: 'SlowDown: Please reduce your request rate.' });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('is not written for an event notify ignores', async () => {
    const result = await run(loadEvent('config/s3-bucket-public-read-prohibited-compliant.json'));

    expect(result.status).toBe('ignored');
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });
});
