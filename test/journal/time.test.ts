import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import * as s3 from '../../functions/core/aws/s3.js';
import { loadConfig } from '../../functions/core/config.js';
import { RetryLaterError } from '../../functions/core/errors.js';
import { DynamoJournal } from '../../functions/core/journal/dynamodb.js';
import { remediate } from '../../functions/core/remediation/remediate.js';
import type { StepResult, TargetResult } from '../../functions/core/remediation/types.js';
import { quarantinePublicBucket } from '../../functions/quarantine-public-bucket/handler.js';
import { dynaliteServer } from '../support/dynalite.js';
import { accountAbout, loadEvent } from '../support/events.js';
import { allUsersRead, type FakeBucket, fakeS3, OWNER, ownerFullControl, S3_WRITE_COMMANDS } from '../support/fake-bucket.js';
import { handlerHarness } from '../support/handler-harness.js';
import { activeTable, journalItems } from './journal-support.js';

const { db, table } = dynaliteServer();

const NOW = new Date('2026-11-26T03:00:00.000Z');
const LATER = new Date(NOW.getTime() + 60_000);
const TWO_BUCKETS = 'guardduty/policy-s3-bucketanonymousaccessgranted-two-buckets.json';
const FORENSICS = 'ml-guard-forensics-123456789012';
const ALL_BLOCKED = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
const config = loadConfig({ ...process.env });

const { sns, published } = handlerHarness({ functionName: 'quarantine-public-bucket', now: NOW, restore: [S3Client] });

const publicBucket = (name: string): FakeBucket => ({
  tags: [{ Key: 'team', Value: 'ml-platform' }],
  policy: JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${name}/*` }],
  }),
  owner: OWNER,
  grants: [ownerFullControl, allUsersRead],
});

/** The recorded two-bucket GuardDuty finding, naming `names` instead (each entry a copy of the first, renamed). */
function findingNaming(names: string[]) {
  const event = loadEvent(TWO_BUCKETS);
  const [template] = event.detail.resource.s3BucketDetails;
  event.detail.resource.s3BucketDetails = names.map((name) => ({ ...structuredClone(template), name, arn: `arn:aws:s3:::${name}` }));
  return event;
}

const quarantine = (event: unknown, journal: DynamoJournal, requestId: string, at: Date, remainingMs: () => number) =>
  remediate(event, quarantinePublicBucket, {
    functionName: 'quarantine-public-bucket',
    ownAccount: accountAbout(event),
    config,
    aws: s3,
    now: () => at,
    remainingMs,
    requestId,
    journal,
  });

/** The S3 write commands sent to one bucket (PutObject counted for the bucket whose prior state it saves). */
const writesFor = (mock: ReturnType<typeof fakeS3>['mock'], bucket: string) =>
  mock
    .calls()
    .filter((call) => S3_WRITE_COMMANDS.some((command) => call.args[0] instanceof command))
    .map((call) => [call.args[0].constructor.name, call.args[0].input as { Bucket?: string; Key?: string }] as const)
    .filter(([, input]) => input.Bucket === bucket || input.Key?.startsWith(`quarantine/${bucket}/`))
    .map(([command]) => command);

const EVERY_WRITE = [
  'PutObjectCommand',
  'PutPublicAccessBlockCommand',
  'PutBucketAclCommand',
  'DeleteBucketPolicyCommand',
  'PutBucketTaggingCommand',
];

describe('the time budget', () => {
  it('defers the buckets it has no time for, notifies and fails for a retry, which finishes them without repeating a write', async () => {
    // Prepare: six public buckets; time runs short once the third bucket's prior state is saved.
    const names = Array.from({ length: 6 }, (_, i) => `ml-data-${i + 1}-987654321098`);
    const { mock, buckets, objects } = fakeS3(Object.fromEntries(names.map((n) => [n, publicBucket(n)])));
    const name = await activeTable(db, table);
    const journal = new DynamoJournal(name, 90, db);
    const event = findingNaming(names);
    const key = `quarantine-public-bucket#${event.id}`;
    const shortOnTime = () => (objects.size >= 3 ? config.timeReserveMs - 1 : 600_000);

    // Act 1
    const first = await quarantine(event, journal, 'req-1', NOW, shortOnTime).catch((error: unknown) => error);

    // Assess 1
    expect(first).toBeInstanceOf(RetryLaterError);
    expect((first as Error).message).toBe(
      `work left for a retry on 4 target(s) (${names.slice(2).join(', ')}): a transient failure or too little time; journal dynamodb:${name} key ${key}`,
    );
    expect(published()).toHaveLength(1);
    const deferred = published()[0]?.json;
    expect(deferred).toMatchObject({ status: 'deferred', journal: { attempt: 1, retry: true } });
    expect(deferred.targets.map((t: TargetResult) => [t.target.id, t.status])).toEqual([
      [names[0], 'remediated'],
      [names[1], 'remediated'],
      [names[2], 'deferred'],
      [names[3], 'deferred'],
      [names[4], 'deferred'],
      [names[5], 'deferred'],
    ]);
    expect(deferred.targets[2].steps.map((s: StepResult) => [s.kind, s.outcome, s.retryable ?? false])).toEqual([
      ['savePriorState', 'done', false],
      ['blockPublicAccess', 'not-run', true],
      ['removePublicAclGrants', 'not-run', true],
      ['removePublicPolicyStatements', 'not-run', true],
      ['tagQuarantined', 'not-run', true],
    ]);
    expect(names.map((n) => writesFor(mock, n))).toEqual([EVERY_WRITE, EVERY_WRITE, ['PutObjectCommand'], [], [], []]);
    expect(names.map((n) => buckets[n]?.publicAccessBlock)).toEqual([ALL_BLOCKED, ALL_BLOCKED, undefined, undefined, undefined, undefined]);

    // Act 2: Lambda's retry, with plenty of time.
    const retry = await quarantine(event, journal, 'req-2', LATER, () => 600_000);

    // Assess 2
    expect(retry.status).toBe('remediated');
    expect(retry.journal).toEqual({ location: `dynamodb:${name}`, key, attempt: 2 });
    expect(retry.targets.map((t) => [t.target.id, t.status])).toEqual(names.map((n) => [n, 'remediated']));
    const earlier = (t: TargetResult) => t.steps.map((s) => [s.kind, s.earlierAttempt]);
    const fresh = [
      ['savePriorState', undefined],
      ['blockPublicAccess', undefined],
      ['removePublicAclGrants', undefined],
      ['removePublicPolicyStatements', undefined],
      ['tagQuarantined', undefined],
    ];
    const byAttempt1 = fresh.map(([kind]) => [kind, 1]);
    expect(retry.targets.map(earlier)).toEqual([byAttempt1, byAttempt1, [['savePriorState', 1], ...fresh.slice(1)], fresh, fresh, fresh]);
    for (const n of names) expect(writesFor(mock, n)).toEqual(EVERY_WRITE);
    for (const n of names) {
      expect(buckets[n]).toMatchObject({ publicAccessBlock: ALL_BLOCKED, grants: [ownerFullControl] });
      expect(buckets[n]?.policy).toBeUndefined();
    }
    // Bucket 3's prior state was saved by attempt 1 (under its time), and the retry reports that object, not a new one.
    const saved = (n: string, at: Date) => `quarantine/${n}/${at.toISOString()}/prior-state.json`;
    expect([...objects.keys()].sort()).toEqual(
      [
        ...names.slice(0, 3).map((n) => `${FORENSICS}/${saved(n, NOW)}`),
        ...names.slice(3).map((n) => `${FORENSICS}/${saved(n, LATER)}`),
      ].sort(),
    );
    expect(retry.targets[2]?.steps[0]?.summary).toBe(`Save the prior state to s3://${FORENSICS}/${saved(names[2] as string, NOW)}`);
    expect(mock.commandCalls(PutObjectCommand)).toHaveLength(6);
    expect(published()).toHaveLength(2);
    expect(published()[1]?.json).toMatchObject({ status: 'remediated', journal: { attempt: 2 } });
    expect(published()[1]?.json.journal.retry).toBeUndefined();
  });

  it('starts nothing and defers every bucket when the invocation starts with too little time', async () => {
    // Prepare
    const names = ['ml-data-1-987654321098', 'ml-data-2-987654321098'];
    const { mock } = fakeS3(Object.fromEntries(names.map((n) => [n, publicBucket(n)])));
    const journal = new DynamoJournal(await activeTable(db, table), 90, db);

    // Act
    const error = await quarantine(findingNaming(names), journal, 'req-1', NOW, () => config.timeReserveMs).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(RetryLaterError);
    expect(mock.calls()).toHaveLength(0);
    expect(published()[0]?.json.targets.map((t: TargetResult) => t.status)).toEqual(['deferred', 'deferred']);
  });
});

describe('the bucket limit', () => {
  it('reads and changes no bucket of a finding naming 200, more than MAX_BUCKETS_PER_EVENT (25), and says why', async () => {
    // Prepare
    const names = Array.from({ length: 200 }, (_, i) => `ml-data-${i + 1}-987654321098`);
    const { mock } = fakeS3(Object.fromEntries(names.map((n) => [n, publicBucket(n)])));
    const name = await activeTable(db, table);
    const journal = new DynamoJournal(name, 90, db);
    const event = findingNaming(names);

    // Act
    const result = await quarantine(event, journal, 'req-1', NOW, () => 600_000);

    // Assess
    const reason = 'the event names 200 buckets, more than MAX_BUCKETS_PER_EVENT (25): none was read or changed, a person decides';
    expect(result.status).toBe('limit-exceeded');
    expect(result.reason).toBe(reason);
    expect(result.targets).toHaveLength(200);
    expect(result.targets.every((t) => t.status === 'limit-exceeded' && t.steps.length === 0)).toBe(true);
    expect(mock.calls()).toHaveLength(0);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    const [message] = published();
    expect(message?.subject).toMatch(/^ml-guard LIMIT-EXCEEDED/);
    expect(message?.text).toContain(reason);
    expect(message?.attributes.status).toBe('limit-exceeded');
    const { event: record, targets } = await journalItems(db, name, `quarantine-public-bucket#${event.id}`);
    expect(record).toMatchObject({ closed: { BOOL: true }, status: { S: 'limit-exceeded' } });
    expect(targets).toHaveLength(200);
  });
});
