import { CreateAccessKeyCommand, IAMClient, ListAccessKeysCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { GetBucketPolicyCommand, PutBucketAclCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import * as iamAdapter from '../../functions/core/aws/iam.js';
import * as s3 from '../../functions/core/aws/s3.js';
import { loadConfig } from '../../functions/core/config.js';
import { RetryLaterError } from '../../functions/core/errors.js';
import { DynamoJournal } from '../../functions/core/journal/dynamodb.js';
import type { JournaledStep } from '../../functions/core/journal/journal.js';
import { remediate } from '../../functions/core/remediation/remediate.js';
import { quarantinePublicBucket } from '../../functions/quarantine-public-bucket/handler.js';
import { rotateCredentials } from '../../functions/rotate-credentials/handler.js';
import { type FakeAccount, fakeIam, keyInSecret } from '../rotate-credentials/fake-iam.js';
import { s3Error } from '../support/aws-errors.js';
import { dynaliteServer } from '../support/dynalite.js';
import { accountAbout, loadEvent } from '../support/events.js';
import {
  allUsersRead,
  type FakeBucket,
  fakeS3,
  logDeliveryWrite,
  OWNER,
  ownerFullControl,
  S3_WRITE_COMMANDS,
} from '../support/fake-bucket.js';
import { handlerHarness } from '../support/handler-harness.js';
import { activeTable, eventually, journalItems } from './journal-support.js';

/**
 * Resuming across more than one retry: an attempt in between that could not act (its plan held back because a read
 * failed) must keep what earlier attempts journaled, so that the attempt after it still repeats nothing.
 */
const { db, table } = dynaliteServer();

const NOW = new Date('2026-11-26T03:00:00.000Z');
const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
const config = loadConfig({ ...process.env });

const { sns, published } = handlerHarness({
  functionName: 'quarantine-public-bucket',
  alsoRuns: ['rotate-credentials'],
  now: NOW,
  restore: [S3Client, IAMClient, SecretsManagerClient],
});

const GD_EVENT = 'guardduty/policy-s3-bucketblockpublicaccessdisabled.json';
const GD_BUCKET = 'test-gd-324237984731208478901374';
const publicBucket = (): FakeBucket => ({
  tags: [{ Key: 'team', Value: 'ml-platform' }],
  policy: JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${GD_BUCKET}/*` }],
  }),
  owner: OWNER,
  grants: [ownerFullControl, allUsersRead, logDeliveryWrite],
});

const quarantine = (event: unknown, journal: DynamoJournal, requestId: string, now: Date) =>
  remediate(event, quarantinePublicBucket, {
    functionName: 'quarantine-public-bucket',
    ownAccount: accountAbout(event),
    config,
    aws: s3,
    now: () => now,
    remainingMs: () => 600_000,
    requestId,
    journal,
  });

const s3Writes = (mock: ReturnType<typeof fakeS3>['mock']) =>
  mock
    .calls()
    .filter((call) => S3_WRITE_COMMANDS.some((command) => call.args[0] instanceof command))
    .map((call) => call.args[0].constructor.name);

describe('a retry whose reads fail in between', () => {
  it('keeps the steps attempt 1 journaled through an attempt blocked by a throttled read, so attempt 3 only runs the step that failed', async () => {
    // Prepare
    const { mock, buckets } = fakeS3({ [GD_BUCKET]: publicBucket() });
    const name = await activeTable(db, table);
    const journal = new DynamoJournal(name, 90, db);
    const event = loadEvent(GD_EVENT);
    const key = `quarantine-public-bucket#${event.id}`;
    const aclHandler = (input: { AccessControlPolicy?: { Grants?: FakeBucket['grants'] } }) => {
      (buckets[GD_BUCKET] as FakeBucket).grants = input.AccessControlPolicy?.Grants ?? [];
      return {};
    };
    mock.on(PutBucketAclCommand).rejects(s3Error('SlowDown', 503, 'Please reduce your request rate.'));

    // Act 1: every step but the ACL runs; the ACL is throttled.
    const first = await quarantine(event, journal, 'req-1', NOW).catch((e: unknown) => e);
    const writesAfterFirst = s3Writes(mock);
    // Act 2: the retry cannot read the bucket policy (throttled): its plan holds back, nothing is changed.
    const policy = buckets[GD_BUCKET]?.policy;
    mock.on(GetBucketPolicyCommand).rejects(s3Error('SlowDown', 503, 'Please reduce your request rate.'));
    mock.on(PutBucketAclCommand).callsFake(aclHandler);
    const second = await quarantine(event, journal, 'req-2', at(1)).catch((e: unknown) => e);
    const afterSecond = await journalItems(db, name, key);
    // Act 3: the next retry reads everything.
    mock.on(GetBucketPolicyCommand).callsFake(() => (policy ? { Policy: policy } : Promise.reject(s3Error('NoSuchBucketPolicy', 404))));
    const third = await quarantine(event, journal, 'req-3', at(2));

    // Assess
    expect(first).toBeInstanceOf(RetryLaterError);
    // (the throttled PutBucketAcl is a call too, refused)
    expect(writesAfterFirst).toEqual([
      'PutObjectCommand',
      'PutPublicAccessBlockCommand',
      'PutBucketAclCommand',
      'DeleteBucketPolicyCommand',
      'PutBucketTaggingCommand',
    ]);
    expect(second).toBeInstanceOf(RetryLaterError);
    expect(
      published()[1]
        ?.json.targets[0].steps.filter((s: { earlierAttempt?: number }) => s.earlierAttempt === 1)
        .map((s: { kind: string }) => s.kind),
    ).toEqual(['savePriorState', 'blockPublicAccess', 'removePublicPolicyStatements', 'tagQuarantined']);
    // What attempt 1 journaled is still there, under the ids the runners match steps by.
    expect(
      afterSecond.targets[0]?.steps.filter((s: JournaledStep) => s.state === 'done').map((s: JournaledStep) => [s.id, s.attempt]),
    ).toEqual([
      ['savePriorState', 1],
      ['blockPublicAccess', 1],
      ['removePublicPolicyStatements', 1],
      ['tagQuarantined', 1],
    ]);
    expect(s3Writes(mock).slice(writesAfterFirst.length)).toEqual(['PutBucketAclCommand']);
    expect(mock.commandCalls(PutObjectCommand)).toHaveLength(1);
    expect(third.status).toBe('remediated');
    expect(third.targets[0]?.steps.map((s) => [s.kind, s.earlierAttempt])).toEqual(
      expect.arrayContaining([
        ['savePriorState', 1],
        ['blockPublicAccess', 1],
        ['removePublicPolicyStatements', 1],
        ['tagQuarantined', 1],
        ['removePublicAclGrants', undefined],
      ]),
    );
    expect(third.targets[0]?.steps).toHaveLength(5);
  });
});

// ------------------------------------------------------------------------------------------------ rotate-credentials

const USER = 'ml-pipeline-bot';
const KEY = 'AKIAI44QH8DHBEXAMPLE';
const CREATED = 'AKIANEWKEY0000000001';
const SECRET = 'ml-pipeline-bot/access-key';
const DAY = 24 * 60 * 60 * 1000;
const staleUserWithSecret = (): FakeAccount => ({
  users: {
    [USER]: {
      id: 'AIDAJQABLZS4A3QDU576Q',
      keys: [{ id: KEY, status: 'Active', created: new Date(NOW.getTime() - 120 * DAY) }],
      tags: [{ Key: 'ml-guard:access-key-secret', Value: SECRET }],
    },
  },
  secrets: [{ name: SECRET, tags: [{ Key: 'ml-guard:access-key-user', Value: USER }], value: keyInSecret(KEY) }],
});
const rotate = (event: unknown, journal: DynamoJournal, requestId: string, now: Date, remainingMs = () => 600_000) =>
  remediate(event, rotateCredentials, {
    functionName: 'rotate-credentials',
    ownAccount: accountAbout(event),
    config,
    aws: iamAdapter,
    now: () => now,
    remainingMs,
    requestId,
    journal,
  });

describe("rotate-credentials after a crash, when the retry cannot read the user's keys", () => {
  it('still names the key attempt 1 created, in the journal and in the notification, and creates no other', async () => {
    // Prepare: attempt 1 creates the replacement key and dies in PutSecretValue.
    const fake = fakeIam(staleUserWithSecret(), { now: () => NOW });
    fake.sm.on(PutSecretValueCommand).callsFake(() => new Promise(() => undefined));
    const name = await activeTable(db, table);
    const journal = new DynamoJournal(name, 90, db);
    const event = loadEvent('config/access-keys-rotated-noncompliant.json');
    const key = `rotate-credentials#${event.id}`;
    rotate(event, journal, 'req-1', NOW, () => 60_000).catch(() => undefined);
    await eventually(async () =>
      fake.sm.commandCalls(PutSecretValueCommand).length === 1
        ? (await journalItems(db, name, key)).targets[0]?.steps.find((s: JournaledStep) => s.progress?.createdAccessKeyId)
        : undefined,
    );
    fake.iam
      .on(ListAccessKeysCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $fault: 'client', $metadata: { httpStatusCode: 400 } }));

    // Act: Lambda's retry, after attempt 1's claim expired, cannot list the user's access keys.
    const retry = await rotate(event, journal, 'req-2', at(2)).catch((e: unknown) => e);
    const after = await journalItems(db, name, key);

    // Assess
    expect(fake.iam.commandCalls(CreateAccessKeyCommand)).toHaveLength(1);
    expect(fake.iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(0);
    expect(after.targets.flatMap((t) => t.steps).filter((s) => s.progress?.createdAccessKeyId === CREATED)).toHaveLength(1);
    // Whether the secret holds the key is unknown to this attempt; the key it may have to delete is named all the same.
    expect(published()).toHaveLength(1);
    expect(published()[0]?.text).toContain(CREATED);
    expect(retry).not.toHaveProperty('status', 'remediated');
  });
});

describe('the journal of rotate-credentials on a Config access-keys-rotated event', () => {
  it('keeps one record for the user, found again by the retry, and reports the user once when the closed event is delivered again', async () => {
    // Prepare: the rotation and deactivation run; SNS throttles the notification.
    const fake = fakeIam(staleUserWithSecret(), { now: () => NOW });
    const name = await activeTable(db, table);
    const journal = new DynamoJournal(name, 90, db);
    const event = loadEvent('config/access-keys-rotated-noncompliant.json');
    const key = `rotate-credentials#${event.id}`;
    sns
      .on(PublishCommand)
      .rejects(
        Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 } }),
      );
    await rotate(event, journal, 'req-1', NOW).catch(() => undefined);
    const readsAfterFirst = fake.iam.calls().length + fake.sm.calls().length;
    sns.on(PublishCommand).resolves({ MessageId: 'msg-2' });

    // Act
    const retry = await rotate(event, journal, 'req-2', at(1));
    const duplicate = await rotate(event, journal, 'req-3', at(60));
    const { targets } = await journalItems(db, name, key);

    // Assess: one record for the one user, complete, so that every later delivery finds it.
    expect(targets.map((t) => [t.id, t.complete, t.status])).toEqual([[expect.stringMatching(/^AWS::IAM::User#/), true, 'remediated']]);
    expect(duplicate.status).toBe('remediated');
    expect(duplicate.targets.map((t) => [t.target.id, t.status])).toEqual([[USER, 'remediated']]);
    expect(retry.status).toBe('remediated');
    expect(retry.targets.map((t) => t.target.id)).toEqual([USER]);
    expect(retry.targets[0]?.steps.map((s) => [s.kind, s.outcome, s.earlierAttempt])).toEqual([
      ['rotateKeyIntoSecret', 'done', 1],
      ['deactivateAccessKey', 'done', 1],
    ]);
    // The target attempt 1 finished is reported from the journal, as for the other functions: nothing is read again.
    expect(fake.iam.calls().length + fake.sm.calls().length).toBe(readsAfterFirst);
  });
});

describe('rotate-credentials when a read is throttled', () => {
  it('changes nothing, notifies, and fails the invocation so that Lambda retries, as the README promises for a transient read', async () => {
    // Prepare
    const fake = fakeIam(staleUserWithSecret(), { now: () => NOW });
    fake.iam
      .on(ListAccessKeysCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $fault: 'client', $metadata: { httpStatusCode: 400 } }));
    const journal = new DynamoJournal(await activeTable(db, table), 90, db);

    // Act
    const outcome = await rotate(loadEvent('config/access-keys-rotated-noncompliant.json'), journal, 'req-1', NOW).catch((e: unknown) => e);

    // Assess
    expect(fake.iam.commandCalls(CreateAccessKeyCommand)).toHaveLength(0);
    expect(fake.iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(0);
    expect(published()).toHaveLength(1);
    expect(published()[0]?.json).toMatchObject({ status: 'failed', journal: { retry: true } });
    expect(outcome).toBeInstanceOf(RetryLaterError);
  });
});
