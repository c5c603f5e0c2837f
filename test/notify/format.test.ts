import { describe, expect, it } from 'vitest';
import { parseEvent } from '../../functions/core/events/details.js';
import { CHAT_DESCRIPTION_MAX } from '../../functions/core/notify/chat.js';
import { describeEvent } from '../../functions/core/notify/describe-event.js';
import {
  ATTRIBUTES_RESERVE_BYTES,
  fitMessage,
  formatNotification,
  JSON_MARKER,
  MESSAGE_MAX_BYTES,
  snsMessage,
  TRUNCATION_NOTE,
} from '../../functions/core/notify/format.js';
import type { EventResult } from '../../functions/core/remediation/result.js';
import { loadEvent } from '../support/events.js';
import { readNotification } from '../support/notifications.js';

const alarmFacts = () => describeEvent(parseEvent(loadEvent('cloudwatch/alarm-state-change-sagemaker-model-latency.json')));
const notified = (over: Partial<EventResult> = {}): EventResult => ({
  status: 'notified',
  reason: 'An ML serving or model-quality alarm entered ALARM: a person should look',
  function: 'notify',
  mode: 'enforce',
  eventId: '7f1e2d3c-4b5a-4c6d-8e7f-9a0b1c2d3e4f',
  findingId: 'fraud-detector-model-latency',
  source: 'cloudwatch',
  targets: [
    {
      target: {
        type: 'AWS::SageMaker::Endpoint',
        id: 'fraud-detector-prod',
        arn: 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/fraud-detector-prod',
      },
      status: 'notified',
      steps: [],
    },
  ],
  ...over,
});
/** What SNS would receive, read back as a subscriber would. */
const published = (result: EventResult, facts = alarmFacts()) => {
  const n = formatNotification(result, facts);
  return {
    n,
    read: readNotification({
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:t',
      Subject: n.subject,
      Message: snsMessage(n),
      MessageStructure: 'json',
    }),
  };
};

describe('formatNotification', () => {
  it('gives a notification-only event a subject with its severity, what happened and where', () => {
    // Act
    const { n } = published(notified());

    // Assess
    expect(n.subject).toBe('ml-guard HIGH: CloudWatch alarm fraud-detector-model-latency is ALARM (fraud-detector-prod)');
    expect(n.attributes).toEqual({ source: 'cloudwatch', severity: 'HIGH', status: 'notified', function: 'notify' });
  });

  it('keeps the subject printable ASCII and shorter than 100 characters', () => {
    // Prepare
    const facts = { ...alarmFacts(), headline: `CloudWatch alarm latência-${'x'.repeat(150)} is ALARM` };

    // Act
    const { n } = published(notified(), facts);

    // Assess
    expect(n.subject).toHaveLength(99);
    expect(n.subject).toMatch(/^[\x20-\x7e]+\.\.\.$/);
    expect(n.subject).toContain('lat?ncia-');
  });

  it('publishes the readable text and the JSON for e-mail, and the AWS Chatbot schema for chat', () => {
    // Act
    const { read } = published(notified());

    // Assess
    expect(read.text).toContain('What happened: CloudWatch alarm fraud-detector-model-latency is ALARM');
    expect(read.text).toContain('  threshold: greater than 500000 (500 ms)');
    expect(read.text).toContain(
      'Console: https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/fraud-detector-model-latency',
    );
    expect(read.json).toMatchObject({ status: 'notified', severity: 'HIGH', event: { facts: { endpoint: 'fraud-detector-prod' } } });
    expect(read.chat).toEqual({
      version: '1.0',
      source: 'custom',
      id: '7f1e2d3c-4b5a-4c6d-8e7f-9a0b1c2d3e4f',
      content: {
        textType: 'client-markdown',
        title: 'ml-guard HIGH: CloudWatch alarm fraud-detector-model-latency is ALARM (fraud-detector-prod)',
        description: expect.stringMatching(
          /^CloudWatch alarm fraud-detector-model-latency is ALARM\n.*\n\nalarm: fraud-detector-model-latency\nstate: OK -> ALARM\n/s,
        ),
        nextSteps: [
          'Console: https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/fraud-detector-model-latency',
          'See which models and variants serve the endpoint: aws sagemaker describe-endpoint --endpoint-name fraud-detector-prod --region us-east-1',
        ],
        keywords: ['HIGH', 'notified', 'cloudwatch', 'notify'],
      },
      metadata: {
        threadId: 'ml-guard:notify:fraud-detector-model-latency',
        summary: 'ml-guard HIGH: CloudWatch alarm fraud-detector-model-latency is ALARM (fraud-detector-prod)',
        eventType: 'ml-guard.notify.notified',
        relatedResources: ['arn:aws:sagemaker:us-east-1:123456789012:endpoint/fraud-detector-prod'],
        additionalContext: {
          function: 'notify',
          status: 'notified',
          mode: 'enforce',
          severity: 'HIGH',
          account: '123456789012',
          region: 'us-east-1',
          eventId: '7f1e2d3c-4b5a-4c6d-8e7f-9a0b1c2d3e4f',
          findingId: 'fraud-detector-model-latency',
        },
      },
    });
  });

  it('sends SMS subscribers the subject alone', () => {
    // Act
    const { n } = published(notified());

    // Assess
    expect(JSON.parse(snsMessage(n)).sms).toBe(n.subject);
  });

  it('keeps the chat description short, with a note where it was cut', () => {
    // Prepare
    const notes = Array.from({ length: 200 }, (_, i) => `note ${i}: ${'detail '.repeat(10)}`);

    // Act
    const { read } = published(notified({ targets: [{ ...notified().targets[0]!, notes }] }));

    // Assess
    expect(read.chat?.content.description).toHaveLength(CHAT_DESCRIPTION_MAX);
    expect(read.chat?.content.description.endsWith('... (cut: the e-mail notification and the function log have everything)')).toBe(true);
    expect(read.text).toContain('note: note 199:');
  });

  it("puts a remediation's undo commands among the chat next steps", () => {
    // Prepare
    const result = notified({
      status: 'remediated',
      function: 'quarantine-public-bucket',
      targets: [
        {
          target: { type: 'AWS::S3::Bucket', id: 'b' },
          status: 'remediated',
          steps: [
            {
              kind: 'blockPublicAccess',
              summary: 'Turn on all four Block Public Access settings',
              outcome: 'done',
              undo: 'aws s3api delete-public-access-block --bucket b',
            },
          ],
        },
      ],
    });

    // Act
    const { read } = published(result);

    // Assess
    expect(read.chat?.content.nextSteps).toContain(
      'Undo "Turn on all four Block Public Access settings": aws s3api delete-public-access-block --bucket b',
    );
    expect(read.subject).toBe('ml-guard REMEDIATED: b - CloudWatch alarm fraud-detector-model-latency is ALARM');
  });
});

describe('a notification about an event handled over several attempts', () => {
  it('marks the steps an earlier attempt did, and says where the journal is and that Lambda retries for the rest', () => {
    // Prepare
    const result: EventResult = {
      ...notified({
        status: 'partial',
        reason: '1 of 2 step(s) failed or did not run (1 of them by an earlier attempt)',
        function: 'quarantine-public-bucket',
      }),
      targets: [
        {
          target: { type: 'AWS::S3::Bucket', id: 'ml-data' },
          status: 'partial',
          steps: [
            {
              kind: 'blockPublicAccess',
              summary: 'Turn on all four Block Public Access settings',
              outcome: 'done',
              undo: 'aws s3api delete-public-access-block --bucket ml-data',
              earlierAttempt: 1,
            },
            {
              kind: 'tagQuarantined',
              summary: 'Tag the bucket',
              outcome: 'failed',
              detail: 'SlowDown: Please reduce your request rate.',
              retryable: true,
            },
          ],
        },
      ],
      journal: { location: 'dynamodb:ml-guard-journal', key: 'quarantine-public-bucket#7f1e2d3c', attempt: 2, retry: true },
    };

    // Act
    const { read } = published(result);

    // Assess
    expect(read.text).toContain('  [done, attempt 1] Turn on all four Block Public Access settings\n');
    expect(read.text).toContain('  [FAILED] Tag the bucket (SlowDown: Please reduce your request rate.)\n');
    expect(read.text).toContain(
      'Journal: dynamodb:ml-guard-journal key quarantine-public-bucket#7f1e2d3c, attempt 2; work is left: Lambda retries this event, and the retry continues from the journal',
    );
  });

  it('names the journal of a closed event without a retry line, and no journal when there is none', () => {
    const closed = published(notified({ journal: { location: 'memory', key: 'notify#e', attempt: 1 } })).read.text;
    const none = published(notified()).read.text;

    expect(closed).toContain('Journal: memory key notify#e, attempt 1\n');
    expect(closed).not.toContain('Lambda retries');
    expect(none).not.toContain('Journal:');
  });
});

describe('the SNS size limit', () => {
  const budget = MESSAGE_MAX_BYTES - ATTRIBUTES_RESERVE_BYTES;

  it("fits a huge result, escaped as SNS receives it, within 256 KiB with the attributes' reserve", () => {
    // Prepare: quotes, newlines, backslashes and multi-byte characters grow when written as a JSON string.
    const notes = Array.from({ length: 4000 }, (_, i) => `note ${i}: "quoted"\n\\ é ✓ 🙂 ${'x'.repeat(40)}`);
    const result = notified({ targets: [{ ...notified().targets[0]!, notes }] });

    // Act
    const { n, read } = published(result);

    // Assess
    expect(Buffer.byteLength(snsMessage(n))).toBeLessThanOrEqual(budget);
    expect(Buffer.byteLength(snsMessage(n))).toBeGreaterThan(budget - 1024);
    expect(read.text.startsWith('ml-guard notify: NOTIFIED (enforce)\n')).toBe(true);
    expect(read.text.endsWith(`\n${TRUNCATION_NOTE}`)).toBe(true);
    expect(read.json).toEqual({
      truncated: true,
      status: 'notified',
      reason: result.reason,
      function: 'notify',
      mode: 'enforce',
      eventId: result.eventId,
      findingId: result.findingId,
      source: 'cloudwatch',
    });
    expect(read.text).not.toMatch(/\uFFFD/);
  });

  it('leaves a result that fits whole as it is', () => {
    // Act
    const message = fitMessage('text', { status: 'notified' });

    // Assess
    expect(message).toBe(`text\n${JSON_MARKER}\n{"status":"notified"}`);
  });

  it('keeps the whole text, and drops only the JSON, when that is enough', () => {
    // Prepare
    const data = { status: 'notified', big: 'y'.repeat(2000) };

    // Act
    const message = fitMessage('short text', data, 500);

    // Assess
    expect(message).toBe(`short text\n${TRUNCATION_NOTE}\n${JSON_MARKER}\n{"truncated":true,"status":"notified"}`);
  });

  it('never cuts a character in two', () => {
    // Act
    const message = fitMessage('🙂'.repeat(100), { status: 'x' }, 150);

    // Assess
    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(150);
    expect(message.split('\n')[0]).toMatch(/^(🙂)+$/u);
  });
});

describe('subject lines', () => {
  const configFacts = () => describeEvent(parseEvent(loadEvent('config/sagemaker-notebook-no-direct-internet-access-noncompliant.json')));
  const notebook = {
    target: { type: 'AWS::SageMaker::NotebookInstance', id: 'fraud-research-notebook' },
    status: 'notified' as const,
    steps: [],
  };

  it('lead with the resource of a Config change and do not repeat it', () => {
    // Act
    const { n } = published(notified({ targets: [notebook] }), configFacts());

    // Assess
    expect(n.subject).toBe('ml-guard MEDIUM: fraud-research-notebook is NON_COMPLIANT (AWS Config rule sagemaker-notebook-no...');
  });

  it("give an action's status before the Config change it answered", () => {
    // Act
    const { n } = published(notified({ status: 'remediated', targets: [{ ...notebook, status: 'remediated' }] }), configFacts());

    // Assess
    expect(n.subject).toBe('ml-guard REMEDIATED: fraud-research-notebook is NON_COMPLIANT (AWS Config rule sagemaker-noteboo...');
  });
});
