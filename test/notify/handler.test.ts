import { CloudTrailClient, LookupEventsCommand, OperationNotPermittedException } from '@aws-sdk/client-cloudtrail';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../functions/core/config.js';
import { ATTRIBUTES_RESERVE_BYTES, MESSAGE_MAX_BYTES } from '../../functions/core/notify/format.js';
import type { EventResult } from '../../functions/core/remediation/result.js';
import { notify } from '../../functions/notify/flow.js';
import { handler } from '../../functions/notify/handler.js';
import { loadNotifySettings } from '../../functions/notify/settings.js';
import { handler as quarantine } from '../../functions/quarantine-public-bucket/handler.js';
import { answerRule } from '../support/config-rules.js';
import { expectDeclaredCalls } from '../support/declared-calls.js';
import { allEventPaths, loadEvent } from '../support/events.js';
import { fakeS3, OWNER, ownerFullControl } from '../support/fake-bucket.js';
import { readNotification } from '../support/notifications.js';
import { fakeStateTable } from './fake-state-table.js';
import { notifyContext, notifyUnderTest } from './under-test.js';

const NOW = new Date('2026-11-26T03:00:00.000Z');
const TABLE = 'ml-guard-NotificationStateTable-ABC123';
const context = notifyContext;

const sns = mockClient(SNSClient);
const trail = mockClient(CloudTrailClient);
beforeEach(() => {
  sns.reset();
  trail.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
  trail.on(LookupEventsCommand).resolves({ Events: [] });
});
/** Another function a test runs beside notify, whose commands count as declared in that test. */
let alsoRuns: string[] = [];
afterEach(() => {
  try {
    expectDeclaredCalls(['notify', ...alsoRuns], [SNSClient, CloudTrailClient, DynamoDBClient, S3Client, ConfigServiceClient]);
  } finally {
    alsoRuns = [];
    mockClient(DynamoDBClient).restore();
    mockClient(S3Client).restore();
  }
});

const published = () => sns.commandCalls(PublishCommand).map((c) => readNotification(c.args[0].input));
const aws = { dynamo: () => new DynamoDBClient({ region: 'eu-west-2' }), cloudTrail: (region: string) => new CloudTrailClient({ region }) };
/** The flow with flood control on, at a given minute after NOW. */
const run = (event: unknown, minute = 0, env: Record<string, string> = {}) =>
  notify(event, {
    config: loadConfig({ ...process.env, ...env }),
    settings: loadNotifySettings({ STATE_TABLE: TABLE, ...env }),
    aws,
    now: () => new Date(NOW.getTime() + minute * 60_000),
  });
const withChange = (path: string, change: (e: any) => void) => {
  const event = loadEvent(path);
  change(event);
  return event;
};

describe('notify handler', () => {
  it('publishes one notification per protocol with filterable attributes', async () => {
    // Act
    const result = (await handler(loadEvent('cloudwatch/alarm-state-change-sagemaker-model-latency.json'), context)) as EventResult;

    // Assess
    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(input).toMatchObject({
      TopicArn: process.env.TOPIC_ARN,
      Subject: 'ml-guard HIGH: CloudWatch alarm fraud-detector-model-latency is ALARM (fraud-detector-prod)',
      MessageStructure: 'json',
      MessageAttributes: {
        source: { DataType: 'String', StringValue: 'cloudwatch' },
        severity: { DataType: 'String', StringValue: 'HIGH' },
        status: { DataType: 'String', StringValue: 'notified' },
        function: { DataType: 'String', StringValue: 'notify' },
      },
    });
    expect(Object.keys(JSON.parse(input?.Message ?? '{}'))).toEqual(['default', 'https', 'sms']);
    expect(result).toMatchObject({ status: 'notified', function: 'notify', findingId: 'fraud-detector-model-latency' });
    expect(result.notification).toEqual({ subject: input?.Subject, published: true, messageId: 'msg-1' });
    expect(published()[0]?.chat?.content.title).toBe(input?.Subject);
  });

  it('says so when it runs without a state table (flood control off)', async () => {
    // Act
    await handler(loadEvent('cloudwatch/alarm-state-change-sagemaker-model-latency.json'), context);

    // Assess
    expect(published()[0]?.text).toContain('  flood control: off: STATE_TABLE is not set, so repeats are not held back');
  });

  it.each([
    'cloudwatch/alarm-state-change-single-metric-ec2-cpu.json',
    'guardduty/unauthorizedaccess-iamuser-toripcaller-sample.json',
    'config/s3-bucket-public-read-prohibited-noncompliant.json',
    'invalid/cloudwatch-alarm-state-change-without-state.json',
    'invalid/config-configuration-item-change.json',
  ])('ignores %s, calling nothing', async (path) => {
    // Prepare
    const table = fakeStateTable();

    // Act
    const result = await run(loadEvent(path));

    // Assess
    expect(result.status).toBe('ignored');
    expect(sns.calls()).toHaveLength(0);
    expect(table.mock.calls()).toHaveLength(0);
    expect(trail.calls()).toHaveLength(0);
  });

  it('ignores input that is not an event at all', async () => {
    // Act
    const result = (await handler('not an event', context)) as EventResult;

    // Assess
    expect(result).toMatchObject({ status: 'ignored', reason: 'event rejected: expected a JSON object (an EventBridge event)' });
    expect(sns.calls()).toHaveLength(0);
  });

  it('fails the invocation when the notification cannot be published, so Lambda retries it', async () => {
    // Prepare
    sns.on(PublishCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    // Act / Assess
    await expect(handler(loadEvent('cloudwatch/alarm-state-change-sagemaker-model-latency.json'), context)).rejects.toThrow(
      'notify failed: NotificationError: could not publish to arn:aws:sns:eu-west-2:123456789012:ml-guard-notifications: ThrottlingException: Rate exceeded',
    );
  });
});

describe('notify on S3 exfiltration findings', () => {
  it('notifies a finding below S3_EXFILTRATION_SEVERITY_THRESHOLD, naming the bucket and the caller', async () => {
    // Act
    const result = (await handler(loadEvent('guardduty/unauthorizedaccess-s3-toripcaller-below-threshold.json'), context)) as EventResult;

    // Assess
    expect(result.status).toBe('notified');
    expect(published()).toHaveLength(1);
    expect(published()[0]?.text).toContain('resource: S3 bucket ml-training-data-123456789012');
    expect(published()[0]?.text).toContain('principal: ml-pipeline-bot (IAMUser)');
  });

  it('leaves a finding whose caller rotate-credentials contains, publishing nothing, unless containment is turned off', async () => {
    // Prepare
    const event = loadEvent('guardduty/exfiltration-s3-anomalousbehavior-iamuser.json');

    // Act
    const contained = await run(event, 0, { STATE_TABLE: '' });
    const off = await run(event, 0, { STATE_TABLE: '', CONTAIN_S3_EXFILTRATION: 'false' });

    // Assess
    expect(contained.status).toBe('ignored');
    expect(off.status).toBe('notified');
    expect(published()).toHaveLength(1);
    expect(published()[0]?.text).toContain(
      'objects: ml-training-data-123456789012/datasets/fraud/train/part-0000.parquet, ml-training-data-123456789012/datasets/fraud/train/part-0001.parquet',
    );
  });
});

describe('notify without floods', () => {
  it('holds back a repeat of the same alarm inside the window, then reports it with the next notification', async () => {
    // Prepare
    fakeStateTable();
    const alarm = loadEvent('cloudwatch/alarm-state-change-sagemaker-model-latency.json');
    const back = withChange('cloudwatch/alarm-state-change-sagemaker-model-latency.json', (e) => {
      e.id = 'event-back-to-ok';
      e.detail.previousState.value = 'ALARM';
      e.detail.state.value = 'OK';
    });
    const again = withChange('cloudwatch/alarm-state-change-sagemaker-model-latency.json', (e) => (e.id = 'event-alarm-again'));

    // Act
    const first = await run(alarm, 0);
    const repeat = await run(back, 3);
    const later = await run(again, 20);

    // Assess
    expect([first.status, repeat.status, later.status]).toEqual(['notified', 'suppressed', 'notified']);
    expect(repeat.reason).toBe(
      'held back by flood control: fraud-detector-model-latency was notified at 2026-11-26T03:00:00.000Z, within the 15-minute window; 1 repeat(s) so far, reported with the next notification',
    );
    expect(repeat.notification).toBeUndefined();
    expect(published()).toHaveLength(2);
    expect(published()[1]?.text).toContain(
      '  repeats held back: 1 since the notification at 2026-11-26T03:00:00.000Z (flood control: one per 15 minutes); the latest: OK at 2026-11-26T03:03:00.000Z',
    );
  });

  it('never holds back an alarm entering ALARM after its return to OK was notified, and still holds back the flapping after it', async () => {
    // Prepare
    fakeStateTable();
    const latency = 'cloudwatch/alarm-state-change-sagemaker-model-latency.json';
    const to = (id: string, state: 'ALARM' | 'OK') =>
      withChange(latency, (e) => {
        e.id = id;
        e.detail.previousState.value = state === 'ALARM' ? 'OK' : 'ALARM';
        e.detail.state.value = state;
      });

    // Act: ALARM, back to OK after the window, ALARM again 5 minutes later (and it may stay so: no later event would
    // carry a held-back count), then flapping.
    const statuses = [];
    for (const [id, state, minute] of [
      ['a1', 'ALARM', 0],
      ['o1', 'OK', 20],
      ['a2', 'ALARM', 25],
      ['o2', 'OK', 27],
      ['a3', 'ALARM', 28],
    ] as const) {
      statuses.push((await run(to(id, state), minute)).status);
    }

    // Assess
    expect(statuses).toEqual(['notified', 'notified', 'notified', 'suppressed', 'suppressed']);
    expect(published().map((p) => p.json.event.facts.state)).toEqual(['OK -> ALARM', 'ALARM -> OK', 'OK -> ALARM']);
  });

  it('notifies at once when a GuardDuty finding comes back with a higher severity', async () => {
    // Prepare
    fakeStateTable();
    const finding = (id: string, severity: number) =>
      withChange('guardduty/backdoor-ec2-ccactivity-dns-sample.json', (e) => {
        e.id = id;
        e.detail.severity = severity;
      });

    // Act
    const statuses = [
      (await run(finding('e1', 5), 0)).status,
      (await run(finding('e2', 5), 1)).status,
      (await run(finding('e3', 8), 2)).status,
    ];

    // Assess
    expect(statuses).toEqual(['notified', 'suppressed', 'notified']);
    expect(published().map((p) => p.attributes.severity)).toEqual(['MEDIUM', 'HIGH']);
  });

  it('publishes again when Lambda retries an event whose publish failed, instead of holding it back', async () => {
    // Prepare
    fakeStateTable();
    const event = loadEvent('cloudwatch/alarm-state-change-sagemaker-model-latency.json');
    sns
      .on(PublishCommand)
      .rejectsOnce(Object.assign(new Error('Internal error'), { name: 'InternalErrorException' }))
      .resolves({ MessageId: 'msg-2' });

    // Act
    await expect(run(event, 0)).rejects.toThrow(/could not publish/);
    const retry = await run(event, 1);

    // Assess
    expect(retry.status).toBe('notified');
    expect(sns.commandCalls(PublishCommand)).toHaveLength(2);
  });

  it('notifies in dry-run mode too: it changes nothing, so it has nothing to hold back', async () => {
    // Prepare
    const table = fakeStateTable();

    // Act
    const result = await run(loadEvent('config/sagemaker-notebook-no-direct-internet-access-noncompliant.json'), 0, {
      REMEDIATION_MODE: 'dry-run',
    });

    // Assess
    expect(result).toMatchObject({ status: 'notified', mode: 'dry-run' });
    expect(table.mock.commandCalls(UpdateItemCommand)).toHaveLength(1);
    expect(published()).toHaveLength(1);
  });

  it("never holds back a remediation's notification", async () => {
    // Prepare
    alsoRuns = ['quarantine-public-bucket'];
    const table = fakeStateTable();
    fakeS3({
      'test-gd-324237984731208478901374': {
        owner: OWNER,
        grants: [ownerFullControl],
        publicAccessBlock: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
        objectOwnership: 'BucketOwnerEnforced',
      },
    });
    const event = loadEvent('guardduty/policy-s3-bucketblockpublicaccessdisabled.json');

    // Act
    await quarantine(event, { ...context, functionName: 'quarantine-public-bucket' });
    await quarantine(event, { ...context, functionName: 'quarantine-public-bucket' });

    // Assess
    expect(published().map((p) => p.attributes.function)).toEqual(['quarantine-public-bucket', 'quarantine-public-bucket']);
    expect(table.mock.calls()).toHaveLength(0);
  });
});

describe('notify on a Config rule: who changed it last', () => {
  const CONFIG = 'config/sagemaker-notebook-no-direct-internet-access-noncompliant.json';

  it('names the principal, the call and the time of the latest write calls from CloudTrail', async () => {
    // Prepare
    fakeStateTable();
    trail.on(LookupEventsCommand).resolves({
      Events: [
        {
          EventId: 'ev-1',
          EventName: 'UpdateNotebookInstance',
          ReadOnly: 'false',
          EventTime: new Date('2026-11-26T02:41:07.000Z'),
          EventSource: 'sagemaker.amazonaws.com',
          CloudTrailEvent: JSON.stringify({
            eventSource: 'sagemaker.amazonaws.com',
            sourceIPAddress: '203.0.113.9',
            userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::123456789012:assumed-role/DataScientist/alice' },
          }),
        },
      ],
    });

    // Act
    await run(loadEvent(CONFIG));

    // Assess
    expect(trail.commandCalls(LookupEventsCommand)[0]?.args[0].input).toEqual({
      LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: 'fraud-research-notebook' }],
      StartTime: new Date('2026-11-25T03:00:00.000Z'),
      EndTime: NOW,
      MaxResults: 50,
    });
    expect(published()[0]?.text).toContain(
      '  last change: arn:aws:sts::123456789012:assumed-role/DataScientist/alice called sagemaker.amazonaws.com UpdateNotebookInstance at 2026-11-26T02:41:07.000Z from 203.0.113.9',
    );
  });

  it('looks up CloudTrail in the region of the resource', async () => {
    // Prepare
    fakeStateTable();

    // Act
    await run(loadEvent(CONFIG));

    // Assess
    expect(await trail.call(0).thisValue.config.region()).toBe('us-east-2');
  });

  it('says plainly when CloudTrail has no write call on the resource', async () => {
    // Prepare
    fakeStateTable();

    // Act
    await run(loadEvent(CONFIG));

    // Assess
    expect(published()[0]?.text).toContain(
      '  last change: none found: CloudTrail recorded no write API call on fraud-research-notebook in the last 24 hours',
    );
  });

  it('says plainly when the lookup failed, and still notifies', async () => {
    // Prepare
    fakeStateTable();
    trail
      .on(LookupEventsCommand)
      .rejects(new OperationNotPermittedException({ $metadata: { httpStatusCode: 400 }, message: 'This operation is not permitted.' }));

    // Act
    const result = await run(loadEvent(CONFIG));

    // Assess
    expect(result.status).toBe('notified');
    expect(published()[0]?.text).toContain(
      '  last change: unknown: the CloudTrail lookup of fraud-research-notebook failed (OperationNotPermittedException: This operation is not permitted.)',
    );
  });

  it('does not look up CloudTrail for a repeat it holds back', async () => {
    // Prepare
    fakeStateTable();
    await run(loadEvent(CONFIG), 0);
    trail.resetHistory();

    // Act
    const repeat = await run(
      withChange(CONFIG, (e) => (e.id = 'event-2')),
      1,
    );

    // Assess
    expect(repeat.status).toBe('suppressed');
    expect(trail.calls()).toHaveLength(0);
  });
});

describe('notify on every sample event it handles', () => {
  const handled = allEventPaths().filter((p) => !p.startsWith('invalid/') && notifyUnderTest.handles(loadEvent(p)));

  it('handles at least one sample of each source', () => {
    expect(new Set(handled.map((p) => p.split('/')[0]))).toEqual(new Set(['cloudtrail', 'cloudwatch', 'config', 'guardduty']));
  });

  it.each(handled)('publishes %s with a short ASCII subject, within the size limit, in the chat schema', async (path) => {
    // Prepare
    fakeStateTable();

    // Act
    await run(loadEvent(path));

    // Assess
    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    const read = published()[0];
    expect(input?.Subject).toMatch(/^ml-guard [A-Z]+: [\x20-\x7e]{1,90}$/);
    expect(Buffer.byteLength(input?.Message ?? '')).toBeLessThanOrEqual(MESSAGE_MAX_BYTES - ATTRIBUTES_RESERVE_BYTES);
    expect(read?.chat).toMatchObject({ version: '1.0', source: 'custom', content: { textType: 'client-markdown', title: input?.Subject } });
    expect(read?.text).toContain(`What happened: ${read?.json.event.headline}`);
  });
});

describe('notify on the Config rules that keep the audit trail alive, under any name', () => {
  it('reports an account without a trail, and looks nobody up in CloudTrail for the account itself', async () => {
    // Prepare
    fakeStateTable();

    // Act
    const result = await run(loadEvent('config/cloudtrail-enabled-noncompliant.json'));

    // Assess
    expect(result).toMatchObject({
      status: 'notified',
      reason: 'A Config rule that keeps the audit trail alive is broken: activity may go unrecorded or unprotected; a person should look',
      targets: [{ target: { type: 'AWS::::Account', id: '123456789012' }, status: 'notified' }],
    });
    expect(trail.commandCalls(LookupEventsCommand)).toHaveLength(0);
    expect(published()[0]?.text).toContain('cloudtrail-enabled (AWS managed rule CLOUD_TRAIL_ENABLED)');
  });

  it('reports a bucket rule no remediation takes (S3_BUCKET_LOGGING_ENABLED), created under a name of its own', async () => {
    // Prepare
    fakeStateTable();
    answerRule('team-bucket-logging', 'S3_BUCKET_LOGGING_ENABLED');
    const event = withChange(
      'config/s3-bucket-logging-enabled-noncompliant.json',
      (e) => (e.detail.configRuleName = 'team-bucket-logging'),
    );

    // Act
    const result = await run(event);

    // Assess
    expect(result.status).toBe('notified');
    expect(published()[0]?.text).toContain('team-bucket-logging (AWS managed rule S3_BUCKET_LOGGING_ENABLED)');
  });

  it('leaves the public-bucket rules to quarantine-public-bucket, whatever they are called', async () => {
    // Prepare
    answerRule('team-public-read', 'S3_BUCKET_PUBLIC_READ_PROHIBITED');
    const event = withChange(
      'config/s3-bucket-public-read-prohibited-noncompliant.json',
      (e) => (e.detail.configRuleName = 'team-public-read'),
    );

    // Act
    const result = await run(event);

    // Assess
    expect(result).toMatchObject({
      status: 'ignored',
      reason: 'Config rule team-public-read (AWS managed rule S3_BUCKET_PUBLIC_READ_PROHIBITED) is not one that notify reports',
    });
    expect(published()).toEqual([]);
  });
});
