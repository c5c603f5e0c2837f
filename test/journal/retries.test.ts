import { PutBucketAclCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { PublishCommand } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import * as s3 from '../../functions/core/aws/s3.js';
import * as sagemaker from '../../functions/core/aws/sagemaker.js';
import { loadConfig } from '../../functions/core/config.js';
import { RetryLaterError } from '../../functions/core/errors.js';
import { DynamoJournal } from '../../functions/core/journal/dynamodb.js';
import { NotificationError } from '../../functions/core/notify/publish.js';
import { remediate } from '../../functions/core/remediation/remediate.js';
import type { StepResult } from '../../functions/core/remediation/types.js';
import { quarantinePublicBucket } from '../../functions/quarantine-public-bucket/handler.js';
import { stopCompromisedTrainingJob } from '../../functions/stop-compromised-training-job/handler.js';
import { fakeSageMaker, job, writesTo as sagemakerWrites } from '../stop-compromised-training-job/fake-sagemaker.js';
import { s3Error } from '../support/aws-errors.js';
import { dynaliteServer } from '../support/dynalite.js';
import { accountAbout, loadEvent } from '../support/events.js';
import {
  allUsersRead,
  authenticatedUsersWrite,
  type FakeBucket,
  fakeS3,
  GD_BUCKET,
  logDeliveryWrite,
  OWNER,
  ownerFullControl,
  policyOf,
  publicBucket,
  S3_WRITE_COMMANDS,
  trainingRoleStatement,
} from '../support/fake-bucket.js';
import { handlerHarness } from '../support/handler-harness.js';
import { activeTable, journalItems } from './journal-support.js';

const { db, table } = dynaliteServer();

const NOW = new Date('2026-11-26T03:00:00.000Z');
const LATER = new Date(NOW.getTime() + 60_000);
const MUCH_LATER = new Date(NOW.getTime() + 3_600_000);
const GD_EVENT = 'guardduty/policy-s3-bucketblockpublicaccessdisabled.json';
const FORENSICS = 'ml-guard-forensics-123456789012';
const PRIOR_STATE_KEY = `quarantine/${GD_BUCKET}/2026-11-26T03:00:00.000Z/prior-state.json`;
const STOP_EVENT = 'guardduty/stop-training-job-instancecredentialexfiltration-outsideaws.json';
const ALL_BLOCKED = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

const { sns, published } = handlerHarness({
  functionName: 'quarantine-public-bucket',
  alsoRuns: ['stop-compromised-training-job'],
  now: NOW,
  restore: [S3Client, SageMakerClient],
});

const throttled = () =>
  Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 } });

interface Delivery {
  requestId: string;
  at?: Date;
  remainingMs?: () => number;
}

/** One delivery of the event to quarantine-public-bucket, as Lambda would make it, on the given journal. */
const quarantine = (event: unknown, journal: DynamoJournal, { requestId, at = NOW, remainingMs = () => 600_000 }: Delivery) =>
  remediate(event, quarantinePublicBucket, {
    functionName: 'quarantine-public-bucket',
    ownAccount: accountAbout(event),
    config: loadConfig({ ...process.env }),
    aws: s3,
    now: () => at,
    remainingMs,
    requestId,
    journal,
  });

const stopJobs = (event: unknown, journal: DynamoJournal, { requestId, at = NOW, remainingMs = () => 600_000 }: Delivery) =>
  remediate(event, stopCompromisedTrainingJob, {
    functionName: 'stop-compromised-training-job',
    ownAccount: accountAbout(event),
    config: loadConfig({ ...process.env }),
    aws: sagemaker,
    now: () => at,
    remainingMs,
    requestId,
    journal,
  });

/** The S3 write commands sent so far, as [command, input], in order. */
const s3Writes = (mock: ReturnType<typeof fakeS3>['mock']) =>
  mock
    .calls()
    .filter((call) => S3_WRITE_COMMANDS.some((command) => call.args[0] instanceof command))
    .map((call) => [call.args[0].constructor.name, call.args[0].input as Record<string, unknown>] as const);

const privateEndState = () => ({
  ...publicBucket(),
  publicAccessBlock: ALL_BLOCKED,
  grants: [ownerFullControl, logDeliveryWrite],
  policy: policyOf(trainingRoleStatement),
  tags: [
    { Key: 'team', Value: 'ml-platform' },
    { Key: 'ml-guard:quarantined', Value: NOW.toISOString() },
    { Key: 'ml-guard:trigger', Value: 'guardduty:a6bfa2f07893be4f3c3174d5af7e2f80' },
  ],
});

/**
 * Case 1's flow: every step runs, SNS throttles the notification, then Lambda's retry (SNS answering again) delivers the
 * same event on the same journal.
 */
async function notificationFailsThenRetried() {
  const fake = fakeS3({ [GD_BUCKET]: publicBucket() });
  const name = await activeTable(db, table);
  const journal = new DynamoJournal(name, 90, db);
  const event = loadEvent(GD_EVENT);
  sns.on(PublishCommand).rejects(throttled());

  const firstError = await quarantine(event, journal, { requestId: 'req-1' }).catch((error: unknown) => error);
  const writesAfterFirst = s3Writes(fake.mock).length;
  const firstNotification = published()[0];

  sns.on(PublishCommand).resolves({ MessageId: 'msg-2' });
  const retry = await quarantine(event, journal, { requestId: 'req-2', at: LATER });
  return { ...fake, name, event, firstError, firstNotification, writesAfterFirst, retry, key: `quarantine-public-bucket#${event.id}` };
}

describe('a notification that could not be published', () => {
  it('fails the invocation with a NotificationError naming the journal key, and the retry reports what attempt 1 did without repeating it', async () => {
    // Act
    const { firstError, firstNotification, writesAfterFirst, retry, mock, objects, buckets, key, name } =
      await notificationFailsThenRetried();

    // Assess: attempt 1
    expect(firstError).toBeInstanceOf(NotificationError);
    expect((firstError as Error).message).toContain(`journal dynamodb:${name} key ${key}`);
    expect((firstError as Error).message).toContain('ThrottlingException: Rate exceeded');
    expect(writesAfterFirst).toBe(5);
    // Assess: the retry
    expect(retry.status).toBe('remediated');
    expect(retry.journal).toEqual({ location: `dynamodb:${name}`, key, attempt: 2 });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(2);
    const second = published()[1];
    expect(second?.subject).toMatch(/^ml-guard REMEDIATED: test-gd-324237984731208478901374/);
    expect(second?.json).toMatchObject({ status: 'remediated', journal: { key, attempt: 2 } });
    const steps: StepResult[] = second?.json.targets[0].steps;
    expect(second?.json.targets[0].status).toBe('remediated');
    expect(steps.map((s) => [s.kind, s.outcome, s.earlierAttempt])).toEqual([
      ['savePriorState', 'done', 1],
      ['blockPublicAccess', 'done', 1],
      ['removePublicAclGrants', 'done', 1],
      ['removePublicPolicyStatements', 'done', 1],
      ['tagQuarantined', 'done', 1],
    ]);
    // The same steps, undo texts and details attempt 1 reported (its notification was built, then refused by SNS).
    const firstSteps: StepResult[] = firstNotification?.json.targets[0].steps;
    expect(steps).toEqual(firstSteps.map((s) => ({ ...s, earlierAttempt: 1 })));
    expect(steps[0]?.summary).toBe(`Save the prior state to s3://${FORENSICS}/${PRIOR_STATE_KEY}`);
    expect(steps[1]?.undo).toBe(`aws s3api delete-public-access-block --bucket ${GD_BUCKET}`);
    expect(steps.slice(1).every((s) => typeof s.undo === 'string' && s.undo.length > 0)).toBe(true);
    expect(second?.text).toContain(`Save the prior state to s3://${FORENSICS}/${PRIOR_STATE_KEY}`);
    expect(second?.text).toContain(`undo: aws s3api delete-public-access-block --bucket ${GD_BUCKET}`);
    expect(s3Writes(mock)).toHaveLength(writesAfterFirst);
    expect(mock.commandCalls(PutObjectCommand)).toHaveLength(1);
    expect([...objects.keys()]).toEqual([`${FORENSICS}/${PRIOR_STATE_KEY}`]);
    expect(buckets[GD_BUCKET]).toEqual(privateEndState());
  });

  it("leaves in DynamoDB a closed event record of 2 attempts with the notification, and the target's steps as attempt 1 did them", async () => {
    // Prepare
    const { name, key } = await notificationFailsThenRetried();

    // Act
    const { event, targets } = await journalItems(db, name, key);

    // Assess
    expect(event).toMatchObject({
      pk: { S: key },
      sk: { S: 'event' },
      closed: { BOOL: true },
      attempts: { N: '2' },
      owner: { S: 'req-2' },
      leaseUntil: { N: '0' },
      status: { S: 'remediated' },
      function: { S: 'quarantine-public-bucket' },
      eventId: { S: '29cc9880-571c-ca45-f9d4-6f8592ecc0fe' },
      findingId: { S: 'a6bfa2f07893be4f3c3174d5af7e2f80' },
      startedAt: { S: NOW.toISOString() },
    });
    expect(JSON.parse(event?.notification?.S ?? 'null')).toEqual({
      subject: expect.stringMatching(/^ml-guard REMEDIATED: /),
      messageId: 'msg-2',
      at: LATER.toISOString(),
      attempt: 2,
    });
    expect(targets).toHaveLength(1);
    expect(targets[0]).toMatchObject({
      id: `AWS::S3::Bucket#${GD_BUCKET}`,
      itemAttempt: 1,
      attempt: 1,
      status: 'remediated',
      complete: true,
      target: { type: 'AWS::S3::Bucket', id: GD_BUCKET },
    });
    expect(targets[0]?.steps.map((s) => [s.id, s.state, s.attempt, s.startedAt, s.finishedAt])).toEqual([
      ['savePriorState', 'done', 1, NOW.toISOString(), NOW.toISOString()],
      ['blockPublicAccess', 'done', 1, NOW.toISOString(), NOW.toISOString()],
      ['removePublicAclGrants', 'done', 1, NOW.toISOString(), NOW.toISOString()],
      ['removePublicPolicyStatements', 'done', 1, NOW.toISOString(), NOW.toISOString()],
      ['tagQuarantined', 'done', 1, NOW.toISOString(), NOW.toISOString()],
    ]);
    expect(targets[0]?.steps[1]?.undo).toBe(`aws s3api delete-public-access-block --bucket ${GD_BUCKET}`);
  });

  it('reports, on the retry of stop-compromised-training-job, the 4 jobs attempt 1 stopped, and stops nothing again', async () => {
    // Prepare
    const { mock, jobs } = fakeSageMaker([
      job('training', 'train-a'),
      job('training', 'train-b'),
      job('processing', 'features-1'),
      job('tuning', 'hpo-1'),
    ]);
    const journal = new DynamoJournal(await activeTable(db, table), 90, db);
    const event = loadEvent(STOP_EVENT);
    sns.on(PublishCommand).rejects(throttled());

    // Act
    const first = await stopJobs(event, journal, { requestId: 'req-1' }).catch((error: unknown) => error);
    const writesAfterFirst = sagemakerWrites(mock).length;
    sns.on(PublishCommand).resolves({ MessageId: 'msg-2' });
    const retry = await stopJobs(event, journal, { requestId: 'req-2', at: LATER });

    // Assess
    expect(first).toBeInstanceOf(NotificationError);
    expect((first as Error).message).toContain(`key stop-compromised-training-job#${event.id}`);
    expect(writesAfterFirst).toBe(8);
    expect(jobs.map((j) => [j.name, j.status])).toEqual([
      ['train-a', 'Stopping'],
      ['train-b', 'Stopping'],
      ['features-1', 'Stopping'],
      ['hpo-1', 'Stopping'],
    ]);
    expect(retry.status).toBe('remediated');
    expect(retry.targets[0]?.status).toBe('remediated');
    expect(retry.targets[0]?.reason).not.toMatch(/nothing stopped|nothing to stop/);
    expect(retry.targets[0]?.steps.map((s) => [s.kind, s.outcome, s.earlierAttempt])).toEqual([
      ['stopTrainingJob', 'done', 1],
      ['stopTrainingJob', 'done', 1],
      ['stopProcessingJob', 'done', 1],
      ['stopHyperParameterTuningJob', 'done', 1],
    ]);
    expect(published()[1]?.json).toMatchObject({ status: 'remediated', journal: { attempt: 2 } });
    expect(sagemakerWrites(mock)).toHaveLength(writesAfterFirst);
  });
});

describe('a step that fails', () => {
  it('resumes a throttled step on the retry, repeating nothing else, and answers a later duplicate from the journal', async () => {
    // Prepare
    const { mock, buckets } = fakeS3({ [GD_BUCKET]: publicBucket() });
    const journal = new DynamoJournal(await activeTable(db, table), 90, db);
    const event = loadEvent(GD_EVENT);
    let aclCalls = 0;
    mock.on(PutBucketAclCommand).callsFake(({ Bucket, AccessControlPolicy }) => {
      aclCalls += 1;
      if (aclCalls === 1) throw s3Error('SlowDown', 503, 'Please reduce your request rate.');
      (buckets[Bucket as string] as FakeBucket).grants = AccessControlPolicy?.Grants ?? [];
      return {};
    });

    // Act 1
    const first = await quarantine(event, journal, { requestId: 'req-1' }).catch((error: unknown) => error);
    const writesAfterFirst = s3Writes(mock).length;

    // Assess 1
    expect(first).toBeInstanceOf(RetryLaterError);
    expect((first as Error).message).toContain(`key quarantine-public-bucket#${event.id}`);
    expect(published()).toHaveLength(1);
    const partial = published()[0]?.json;
    expect(partial).toMatchObject({ status: 'partial', journal: { attempt: 1, retry: true } });
    expect(partial.targets[0].steps.map((s: StepResult) => [s.kind, s.outcome, s.retryable ?? false])).toEqual([
      ['savePriorState', 'done', false],
      ['blockPublicAccess', 'done', false],
      ['removePublicAclGrants', 'failed', true],
      ['removePublicPolicyStatements', 'done', false],
      ['tagQuarantined', 'done', false],
    ]);

    // Act 2
    const second = await quarantine(event, journal, { requestId: 'req-2', at: LATER });

    // Assess 2
    expect(s3Writes(mock).slice(writesAfterFirst)).toEqual([
      [
        'PutBucketAclCommand',
        {
          Bucket: GD_BUCKET,
          ExpectedBucketOwner: '987654321098',
          AccessControlPolicy: { Owner: OWNER, Grants: [ownerFullControl, logDeliveryWrite] },
        },
      ],
    ]);
    expect(second.status).toBe('remediated');
    expect(second.journal).toMatchObject({ attempt: 2 });
    expect(second.journal?.retry).toBeUndefined();
    const byKind = Object.fromEntries(second.targets[0]?.steps.map((s) => [s.kind, s]) ?? []);
    expect(byKind.removePublicAclGrants).toMatchObject({ outcome: 'done' });
    expect(byKind.removePublicAclGrants?.earlierAttempt).toBeUndefined();
    for (const kind of ['savePriorState', 'blockPublicAccess', 'removePublicPolicyStatements', 'tagQuarantined']) {
      expect(byKind[kind]).toMatchObject({ outcome: 'done', earlierAttempt: 1 });
    }
    expect(second.targets[0]?.steps).toHaveLength(5);
    expect(mock.commandCalls(PutObjectCommand)).toHaveLength(1);
    expect(buckets[GD_BUCKET]).toEqual(privateEndState());
    expect(published()).toHaveLength(2);
    expect(published()[1]?.json).toMatchObject({ status: 'remediated' });

    // Act 3: Lambda or EventBridge delivers the event once more, an hour later.
    const callsBefore = mock.calls().length;
    const third = await quarantine(event, journal, { requestId: 'req-3', at: MUCH_LATER });

    // Assess 3
    expect(third.status).toBe('remediated');
    expect(third.reason).toContain('a repeated delivery: the event was handled by attempt 2; nothing was done again');
    expect(third.notification).toMatchObject({
      published: true,
      messageId: 'msg-1',
      note: `sent by attempt 2 at ${LATER.toISOString()}; not sent again`,
    });
    expect(third.targets[0]?.steps.map((s) => s.outcome)).toEqual(['done', 'done', 'done', 'done', 'done']);
    expect(published()).toHaveLength(2);
    expect(mock.calls()).toHaveLength(callsBefore);
  });

  it('closes the event on a permanent failure: partial, no retry, and a duplicate delivery publishes and writes nothing', async () => {
    // Prepare
    const { mock, buckets } = fakeS3({ [GD_BUCKET]: publicBucket() });
    const journal = new DynamoJournal(await activeTable(db, table), 90, db);
    const event = loadEvent(GD_EVENT);
    mock.on(PutBucketAclCommand).rejects(s3Error('AccessDenied', 403, 'Access Denied'));

    // Act
    const first = await quarantine(event, journal, { requestId: 'req-1' });
    const callsAfterFirst = mock.calls().length;
    const duplicate = await quarantine(event, journal, { requestId: 'req-2', at: LATER });

    // Assess
    expect(first.status).toBe('partial');
    expect(first.journal?.retry).toBeUndefined();
    expect(first.targets[0]?.steps.map((s) => [s.kind, s.outcome, s.retryable ?? false])).toEqual([
      ['savePriorState', 'done', false],
      ['blockPublicAccess', 'done', false],
      ['removePublicAclGrants', 'failed', false],
      ['removePublicPolicyStatements', 'done', false],
      ['tagQuarantined', 'done', false],
    ]);
    expect(buckets[GD_BUCKET]?.grants).toEqual([ownerFullControl, allUsersRead, authenticatedUsersWrite, logDeliveryWrite]);
    expect(duplicate.status).toBe('partial');
    expect(duplicate.reason).toContain('a repeated delivery: the event was handled by attempt 1; nothing was done again');
    expect(published()).toHaveLength(1);
    expect(mock.calls()).toHaveLength(callsAfterFirst);
  });
});

describe('two deliveries of the same event at once', () => {
  it('lets exactly one act; the other changes nothing, publishes nothing and says another invocation is handling it', async () => {
    // Prepare
    const { mock, buckets } = fakeS3({ [GD_BUCKET]: publicBucket() });
    const journal = new DynamoJournal(await activeTable(db, table), 90, db);
    const event = loadEvent(GD_EVENT);

    // Act
    const results = await Promise.all([
      quarantine(event, journal, { requestId: 'req-a', remainingMs: () => 600_000 }),
      quarantine(structuredClone(event), journal, { requestId: 'req-b', remainingMs: () => 300_000 }),
    ]);

    // Assess
    const acted = results.filter((r) => r.status !== 'duplicate');
    const duplicate = results.find((r) => r.status === 'duplicate');
    expect(acted.map((r) => r.status)).toEqual(['remediated']);
    const actor = results[0]?.status === 'duplicate' ? 'req-b' : 'req-a';
    expect(duplicate?.reason).toMatch(
      new RegExp(`^another invocation \\(${actor}\\) is handling this event, claimed until .*: this delivery changed nothing$`),
    );
    expect(duplicate?.notification).toBeUndefined();
    expect(s3Writes(mock).map(([command]) => command)).toEqual([
      'PutObjectCommand',
      'PutPublicAccessBlockCommand',
      'PutBucketAclCommand',
      'PutBucketPolicyCommand',
      'PutBucketTaggingCommand',
    ]);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(buckets[GD_BUCKET]).toEqual(privateEndState());
  });
});
