import { PutBucketAclCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { PublishCommand } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuditRecord } from '../../functions/core/audit/record.js';
import { useAuditSink } from '../../functions/core/audit/sink.js';
import * as s3 from '../../functions/core/aws/s3.js';
import { loadConfig } from '../../functions/core/config.js';
import { DynamoJournal } from '../../functions/core/journal/dynamodb.js';
import { logger } from '../../functions/core/observability.js';
import { remediate } from '../../functions/core/remediation/remediate.js';
import type { EventResult } from '../../functions/core/remediation/result.js';
import { quarantinePublicBucket } from '../../functions/quarantine-public-bucket/handler.js';
import { signIdentityProof } from '../../scripts/approve/proof.js';
import { undoEvent } from '../../scripts/undo/undo.js';
import { s3Error } from '../support/aws-errors.js';
import { dynaliteServer } from '../support/dynalite.js';
import { accountAbout, loadEvent } from '../support/events.js';
import { type FakeBucket, fakeS3, GD_BUCKET, publicBucket, publicReadStatement, S3_WRITE_COMMANDS } from '../support/fake-bucket.js';
import { auditTableSchema, misfits } from '../support/glue-schema.js';
import { readNotification } from '../support/notifications.js';
import { loadTemplate } from '../support/template.js';
import { undoHarness } from '../support/undo-harness.js';

/**
 * Approval of quarantine-public-bucket's steps against the stateful fake S3: the event held (the steps before the first
 * one that needs approval run), then answered: approved, denied, expired, forged, replayed, or with the bucket changed.
 */
const T0 = new Date('2026-11-26T03:00:00.000Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);
const EVENT = 'guardduty/policy-s3-bucketblockpublicaccessdisabled.json';
const ALICE = 'arn:aws:iam::123456789012:user/alice';
const FUNCTION_ARN = 'arn:aws:lambda:eu-west-2:123456789012:function:ml-guard-QuarantinePublicBucketFunction-AbC123';
const { db, table } = dynaliteServer();
const { sns } = undoHarness({ restore: [S3Client, SchedulerClient] });

const audit: { key: string; record: AuditRecord }[] = [];
beforeEach(() => {
  audit.length = 0;
  useAuditSink({
    location: 'memory:',
    write: async (key, record) => {
      if (audit.some((a) => a.key === key)) return 'already-written';
      audit.push({ key, record });
      return 'written';
    },
  });
});
afterEach(() => useAuditSink(undefined));

/** A run of the function: its journal, clock and settings, and the fake bucket. */
async function setup(env: Record<string, string> = {}, bucket: FakeBucket = publicBucket()) {
  const journal = new DynamoJournal(await table(), 90, db);
  const fake = fakeS3({ [GD_BUCKET]: bucket });
  const event = loadEvent(EVENT);
  let now = T0;
  const config = loadConfig({ ...process.env, APPROVAL_REQUIRED: 'removePublicPolicyStatements', ...env });
  const options = {
    functionName: 'quarantine-public-bucket',
    ownAccount: accountAbout(event),
    config,
    aws: s3,
    now: () => now,
    journal,
    functionArn: FUNCTION_ARN,
    deployedName: 'ml-guard-QuarantinePublicBucketFunction-AbC123',
  };
  return {
    ...fake,
    journal,
    at: (time: Date) => {
      now = time;
    },
    deliver: () => remediate(event, quarantinePublicBucket, options),
    answer: (approval: Record<string, unknown>) => remediate({ approval }, quarantinePublicBucket, options),
    /** The S3 calls that change something, the forensics bucket's prior states included. */
    writes: () => fake.mock.calls().filter((c) => S3_WRITE_COMMANDS.some((command) => c.args[0] instanceof command)),
  };
}

/** Someone makes the bucket more public between the hold and the answer: the plan is no longer the one held. */
function addPublicList(bucket: FakeBucket): void {
  const policy = JSON.parse(bucket.policy as string);
  policy.Statement.push({ ...publicReadStatement, Sid: 'PublicList', Action: 's3:ListBucket' });
  bucket.policy = JSON.stringify(policy);
}

const outcomes = (r: EventResult) => r.targets[0]?.steps.map((s) => [s.kind, s.outcome]);
const keyOf = (r: EventResult) => r.approval?.asked?.key as string;
const published = () => sns.commandCalls(PublishCommand).map((c) => readNotification(c.args[0].input));

describe('steps that wait for approval (APPROVAL_REQUIRED)', () => {
  it('runs the steps before the first that needs approval, holds it and those after it, and says how to answer', async () => {
    // Prepare
    const run = await setup();

    // Act
    const held = await run.deliver();

    // Assess
    expect(held.status).toBe('awaiting-approval');
    expect(outcomes(held)).toEqual([
      ['savePriorState', 'done'],
      ['blockPublicAccess', 'done'],
      ['removePublicAclGrants', 'done'],
      ['removePublicPolicyStatements', 'awaiting-approval'],
      ['tagQuarantined', 'awaiting-approval'],
    ]);
    expect(run.buckets[GD_BUCKET]?.policy).toContain('PublicRead');
    expect(run.buckets[GD_BUCKET]?.tags?.map((t) => t.Key)).toEqual(['team']);
    expect(keyOf(held)).toMatch(/^quarantine-public-bucket#29cc9880-571c-ca45-f9d4-6f8592ecc0fe#[0-9a-f]{32}$/);
    expect(held.approval?.asked).toMatchObject({
      kinds: ['removePublicPolicyStatements', 'tagQuarantined'],
      expiresAt: minutes(60).toISOString(),
    });
    const [n] = published();
    expect(n?.subject).toMatch(/^ml-guard AWAITING-APPROVAL: test-gd-/);
    expect(n?.attributes.severity).toBe('HIGH');
    expect(n?.text).toContain('[AWAITING APPROVAL] Remove 1 public statement(s) from the bucket policy (PublicRead)');
    expect(n?.text).toContain(
      `  approve: npm run approve -- '${keyOf(held)}' --function-name ml-guard-QuarantinePublicBucketFunction-AbC123 --region eu-west-2`,
    );
    expect(n?.text).toContain(`  deny:    npm run deny -- '${keyOf(held)}' --function-name`);
    expect(n?.text).toContain(
      `approve with the AWS CLI (or from chat): aws lambda invoke --function-name ml-guard-QuarantinePublicBucketFunction-AbC123 --region eu-west-2 --cli-binary-format raw-in-base64-out --payload '{"approval":{"key":"${keyOf(held)}","decision":"approve"}}' /dev/stdout`,
    );
    const { event } = await run.journal.read(held.journal?.key as string);
    expect(event).toMatchObject({ closed: true, status: 'awaiting-approval', approval: { state: 'awaiting', attempt: 1 } });
  });

  it('asks for approval of the held steps even when a step before them failed, and the approval runs that step again', async () => {
    const run = await setup();
    // The first PutBucketAcl is denied (a permanent failure: no retry), the next one is applied as S3 would.
    let denied = false;
    run.mock.on(PutBucketAclCommand).callsFake(({ Bucket, AccessControlPolicy }) => {
      if (!denied) {
        denied = true;
        throw s3Error('AccessDenied', 403, 'Access Denied');
      }
      (run.buckets[Bucket as string] as FakeBucket).grants = AccessControlPolicy?.Grants ?? [];
      return {};
    });

    const held = await run.deliver();

    expect(held.status).toBe('partial');
    expect(outcomes(held)).toEqual([
      ['savePriorState', 'done'],
      ['blockPublicAccess', 'done'],
      ['removePublicAclGrants', 'failed'],
      ['removePublicPolicyStatements', 'awaiting-approval'],
      ['tagQuarantined', 'awaiting-approval'],
    ]);
    expect(held.approval?.asked?.kinds).toEqual(['removePublicPolicyStatements', 'tagQuarantined']);
    expect(published()[0]?.text).toContain(`approve: npm run approve -- '${keyOf(held)}'`);

    const approved = await run.answer({ key: keyOf(held), decision: 'approve', by: ALICE });

    expect(approved.status).toBe('remediated');
    expect(run.buckets[GD_BUCKET]?.grants).toHaveLength(2);
    expect(run.buckets[GD_BUCKET]?.policy).not.toContain('PublicRead');
  });

  it('is only reported in a dry-run: every step would run, and those from the first that needs approval say they would wait', async () => {
    const run = await setup({ REMEDIATION_MODE: 'dry-run' });

    const planned = await run.deliver();

    expect(planned.status).toBe('planned');
    expect(planned.approval).toBeUndefined();
    expect(planned.targets[0]?.steps.map((s) => s.detail)).toEqual([
      undefined,
      undefined,
      undefined,
      "would wait for a person's approval (APPROVAL_REQUIRED), as would the steps after it",
      "would wait for a person's approval (APPROVAL_REQUIRED), as would the steps after it",
    ]);
    expect(run.writes()).toEqual([]);
  });

  it('when approved, reads the bucket again and runs the held steps: the bucket ends as a quarantine without approval leaves it', async () => {
    // Prepare
    const unheld = await setup({ APPROVAL_REQUIRED: '' });
    await unheld.deliver();
    const run = await setup();
    const held = await run.deliver();
    run.at(minutes(5));

    // Act
    const approved = await run.answer({ key: keyOf(held), decision: 'approve', by: ALICE });

    // Assess
    expect(approved.status).toBe('remediated');
    expect(approved.approval?.answered).toMatchObject({
      state: 'approved',
      at: minutes(5).toISOString(),
      by: { identity: ALICE, verified: false, via: 'lambda:Invoke' },
    });
    expect(approved.targets[0]?.steps.filter((s) => s.earlierAttempt === undefined).map((s) => [s.kind, s.outcome])).toEqual([
      ['removePublicPolicyStatements', 'done'],
      ['tagQuarantined', 'done'],
    ]);
    expect(run.buckets[GD_BUCKET]).toStrictEqual(unheld.buckets[GD_BUCKET]);
    const { event } = await run.journal.read(approved.journal?.key as string);
    expect(event).toMatchObject({
      closed: true,
      status: 'remediated',
      approval: { state: 'approved', decision: { by: { identity: ALICE } } },
    });
    expect(published().at(-1)?.text).toContain(
      `Approval approved at ${minutes(5).toISOString()} by ${ALICE} (as stated by the caller, via lambda:Invoke)`,
    );
  });

  it('records the approver as verified when the answer proves who signed it (npm run approve), and refuses a proof STS rejects', async () => {
    const run = await setup();
    const held = await run.deliver();
    const proof = await signIdentityProof(
      keyOf(held),
      { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'not-real' },
      'eu-west-2',
      T0,
    );
    const sts = (status: number, body: string) =>
      vi.stubGlobal(
        'fetch',
        vi.fn(async () => new Response(body, { status })),
      );
    const writes = run.writes().length;

    sts(403, '<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code></Error></ErrorResponse>');
    const refused = await run.answer({ key: keyOf(held), decision: 'approve', by: ALICE, proof });
    const writesAfterRefusal = run.writes().length;
    sts(
      200,
      `<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>${ALICE}</Arn></GetCallerIdentityResult></GetCallerIdentityResponse>`,
    );
    const approved = await run.answer({ key: keyOf(held), decision: 'approve', by: 'someone else', proof });
    vi.unstubAllGlobals();

    expect(refused.reason).toBe(
      'approval answer refused: STS refused the identity proof (HTTP 403 SignatureDoesNotMatch): nothing changed',
    );
    expect(writesAfterRefusal).toBe(writes);
    expect(run.writes().length).toBeGreaterThan(writes);
    expect(approved.approval?.answered?.by).toEqual({ identity: ALICE, verified: true, via: 'lambda:Invoke' });
  });

  it('records an answer that names nobody as not stated, and logs the answer it acts on', async () => {
    const run = await setup();
    const held = await run.deliver();
    const info = vi.spyOn(logger, 'info');

    const approved = await run.answer({ key: keyOf(held), decision: 'approve' });

    expect(approved.approval?.answered?.by).toEqual({ identity: 'not stated', verified: false, via: 'lambda:Invoke' });
    expect(info).toHaveBeenCalledWith('approval answered', {
      key: held.journal?.key,
      decision: { state: 'approved', at: T0.toISOString(), by: { identity: 'not stated', verified: false, via: 'lambda:Invoke' } },
    });
    info.mockRestore();
  });

  it('leaves a journal npm run undo reads like any other: the approved steps are undone, the bucket is as before', async () => {
    const before = publicBucket();
    const run = await setup({}, structuredClone(before));
    const held = await run.deliver();
    await run.answer({ key: keyOf(held), decision: 'approve', by: ALICE });

    const report = await undoEvent({ journal: run.journal, key: held.journal?.key as string, execute: true, now: () => T0 });

    expect(report.status).toBe('undone');
    expect(run.buckets[GD_BUCKET]).toStrictEqual(before);
  });

  it('records the hold and the answer in the audit trail, each in a record of its own that fits the Glue table', async () => {
    const run = await setup();
    const held = await run.deliver();
    await run.answer({ key: keyOf(held), decision: 'approve', by: ALICE });

    const columns = auditTableSchema(loadTemplate());

    expect(audit.map((a) => a.key.split('/').at(-1))).toEqual([
      'quarantine-public-bucket_29cc9880-571c-ca45-f9d4-6f8592ecc0fe.json',
      expect.stringMatching(/^quarantine-public-bucket_29cc9880-571c-ca45-f9d4-6f8592ecc0fe_approved-[0-9a-f]{16}\.json$/),
    ]);
    const [asked, answered] = audit.map((a) => a.record);
    expect(asked?.approval_asked).toEqual({
      id: held.approval?.asked?.id,
      kinds: ['removePublicPolicyStatements', 'tagQuarantined'],
      expires_at: minutes(60).toISOString(),
    });
    expect(answered?.approval_answer).toEqual({
      id: held.approval?.asked?.id,
      state: 'approved',
      at: T0.toISOString(),
      by: ALICE,
      verified: false,
      via: 'lambda:Invoke',
    });
    // The audit trail names the approval, never its key (which would answer it).
    expect(JSON.stringify(audit)).not.toContain(keyOf(held).split('#')[2]);
    for (const { record } of audit) expect(misfits(record, columns)).toEqual([]);
  });

  it('when denied, reads and changes nothing more, and reports the held steps not run with who denied them and why', async () => {
    const run = await setup();
    const held = await run.deliver();
    const after = structuredClone(run.buckets[GD_BUCKET]);
    const writes = run.writes().length;
    const reads = run.mock.calls().length;

    const denied = await run.answer({ key: keyOf(held), decision: 'deny', by: ALICE, reason: 'the bucket serves the public website' });

    expect(run.writes()).toHaveLength(writes);
    expect(run.mock.calls().filter((c) => !String((c.args[0].input as { Key?: string }).Key ?? '').startsWith('audit/'))).toHaveLength(
      reads,
    );
    expect(run.buckets[GD_BUCKET]).toStrictEqual(after);
    expect(denied.status).toBe('remediated');
    const why = `not run: denied by ${ALICE} (as stated by the caller, via lambda:Invoke): the bucket serves the public website`;
    expect(denied.targets[0]?.steps.slice(-2)).toEqual([
      expect.objectContaining({ kind: 'removePublicPolicyStatements', outcome: 'not-run', detail: why }),
      expect.objectContaining({ kind: 'tagQuarantined', outcome: 'not-run', detail: why }),
    ]);
    expect(denied.targets[0]?.reason).toMatch(/^2 held step\(s\) not run: denied by .*; 3 change\(s\) made before the hold stand$/);
    expect(audit.at(-1)?.record.approval_answer).toMatchObject({ state: 'denied', reason: 'the bucket serves the public website' });
  });

  it('when the bucket changed since it was asked, runs none of the held steps and asks again, saying what changed', async () => {
    // Prepare
    const run = await setup();
    const held = await run.deliver();
    addPublicList(run.buckets[GD_BUCKET] as FakeBucket);
    const writes = run.writes().length;

    // Act
    const again = await run.answer({ key: keyOf(held), decision: 'approve', by: ALICE });

    // Assess
    expect(run.writes()).toHaveLength(writes);
    expect(again.status).toBe('awaiting-approval');
    expect(keyOf(again)).not.toBe(keyOf(held));
    expect(again.approval?.answered?.state).toBe('approved');
    expect(again.targets[0]?.notes?.at(-1)).toBe(
      'the plan changed since the approval was asked: it held "Remove 1 public statement(s) from the bucket policy (PublicRead); keep the other 1", ' +
        '"Tag the bucket ml-guard:quarantined=2026-11-26T03:00:00.000Z and ml-guard:trigger=guardduty:a6bfa2f07893be4f3c3174d5af7e2f80, keeping its 1 other tag(s)"; ' +
        'it now plans "Remove 2 public statement(s) from the bucket policy (PublicRead, PublicList); keep the other 1", ' +
        '"Tag the bucket ml-guard:quarantined=2026-11-26T03:00:00.000Z and ml-guard:trigger=guardduty:a6bfa2f07893be4f3c3174d5af7e2f80, keeping its 1 other tag(s)": asked again',
    );
    const old = await run.answer({ key: keyOf(held), decision: 'approve', by: ALICE });
    expect(old).toMatchObject({ status: 'ignored', reason: expect.stringContaining('no approval has this key') });

    const { event } = await run.journal.read(held.journal?.key as string);
    expect(event?.approval).toMatchObject({ state: 'awaiting', replaces: keyOf(held).split('#')[2] });

    const approved = await run.answer({ key: keyOf(again), decision: 'approve', by: ALICE });
    expect(approved.status).toBe('remediated');
    expect(run.buckets[GD_BUCKET]?.policy).not.toContain('Public');
  });

  it('when the bucket was exempted since, does nothing: the answer re-reads it and skips it', async () => {
    const run = await setup();
    const held = await run.deliver();
    run.buckets[GD_BUCKET]?.tags?.push({ Key: 'ml-guard:exempt', Value: 'true' });
    const writes = run.writes().length;

    const approved = await run.answer({ key: keyOf(held), decision: 'approve', by: ALICE });

    expect(approved.status).toBe('skipped');
    expect(run.writes()).toHaveLength(writes);
  });
});

describe('an approval unanswered in time', () => {
  it('is scheduled to expire: a one-time EventBridge Scheduler schedule delivers the expiry to the function', async () => {
    const scheduler = mockClient(SchedulerClient);
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:eu-west-2:123456789012:schedule/default/x' });
    const run = await setup({
      APPROVAL_SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/ml-guard-ApprovalSchedulerRole-X',
      APPROVAL_TIMEOUT_MINUTES: '30',
    });

    const held = await run.deliver();

    const [call] = scheduler.commandCalls(CreateScheduleCommand);
    expect(call?.args[0].input).toEqual({
      Name: expect.stringMatching(/^ml-guard-approval-[0-9a-f]{40}$/),
      ScheduleExpression: 'at(2026-11-26T03:30:00)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Description: expect.stringContaining('quarantine-public-bucket#29cc9880'),
      ClientToken: expect.any(String),
      Target: {
        Arn: FUNCTION_ARN,
        RoleArn: 'arn:aws:iam::123456789012:role/ml-guard-ApprovalSchedulerRole-X',
        Input: JSON.stringify({ approval: { key: keyOf(held), decision: 'expire' } }),
        RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
      },
    });
    expect(held.approval?.asked?.expiry).toBe(`EventBridge Scheduler schedule ${call?.args[0].input.Name}`);
  });

  it('still waits when its expiry cannot be scheduled, and says it will not expire by itself', async () => {
    const scheduler = mockClient(SchedulerClient);
    scheduler.on(CreateScheduleCommand).rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }));
    const run = await setup({ APPROVAL_SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/ml-guard-ApprovalSchedulerRole-X' });

    const held = await run.deliver();

    expect(held.status).toBe('awaiting-approval');
    expect(held.approval?.asked?.expiry).toBe(
      'the expiry could not be scheduled (AccessDeniedException: User is not authorized): it stays open until answered',
    );
  });

  it('is escalated by default: the held steps are not run, and the notification goes out again one severity higher', async () => {
    const run = await setup();
    const held = await run.deliver();
    const writes = run.writes().length;
    run.at(minutes(60));

    const expired = await run.answer({ key: keyOf(held), decision: 'expire' });

    expect(run.writes()).toHaveLength(writes);
    expect(expired.status).toBe('failed');
    expect(expired.targets[0]?.reason).toBe(
      `2 held step(s) not run: the approval expired at ${minutes(60).toISOString()} unanswered: escalated; 3 change(s) made before the hold stand`,
    );
    expect(expired.approval?.answered).toStrictEqual({
      id: held.approval?.asked?.id,
      state: 'expired',
      at: minutes(60).toISOString(),
      by: { identity: 'ml-guard (no answer in time)', verified: true, via: 'EventBridge Scheduler' },
    });
    // The finding is LOW: held, the notification was HIGH (a person must answer); escalated, CRITICAL.
    expect(published().map((n) => n.attributes.severity)).toEqual(['HIGH', 'CRITICAL']);
  });

  it('runs the held steps whose kind APPROVAL_ACT_ON_EXPIRY names (containment), when the plan is still the same', async () => {
    const run = await setup({ APPROVAL_ACT_ON_EXPIRY: 'removePublicPolicyStatements' });
    const held = await run.deliver();
    run.at(minutes(61));

    const expired = await run.answer({ key: keyOf(held), decision: 'expire' });

    expect(expired.status).toBe('remediated');
    expect(run.buckets[GD_BUCKET]?.policy).not.toContain('PublicRead');
    expect(held.approval?.asked?.actOnExpiry).toEqual(['removePublicPolicyStatements']);
  });

  it('runs the held kinds APPROVAL_ACT_ON_EXPIRY names and escalates the held kinds it does not', async () => {
    const run = await setup({
      APPROVAL_REQUIRED: 'removePublicPolicyStatements,tagQuarantined',
      APPROVAL_ACT_ON_EXPIRY: 'removePublicPolicyStatements',
    });
    const held = await run.deliver();
    run.at(minutes(60));

    const expired = await run.answer({ key: keyOf(held), decision: 'expire' });

    expect(expired.status).toBe('partial');
    expect(expired.targets[0]?.severity).toBe('CRITICAL');
    expect(expired.targets[0]?.steps.slice(-2)).toEqual([
      expect.objectContaining({ kind: 'removePublicPolicyStatements', outcome: 'done' }),
      expect.objectContaining({
        kind: 'tagQuarantined',
        outcome: 'not-run',
        detail: `not run: the approval expired at ${minutes(60).toISOString()} unanswered: escalated`,
      }),
    ]);
    expect(run.buckets[GD_BUCKET]?.policy).not.toContain('PublicRead');
    expect(run.buckets[GD_BUCKET]?.tags?.map((t) => t.Key)).toEqual(['team']);
    expect(published().at(-1)?.attributes.severity).toBe('CRITICAL');
  });

  it('escalates rather than acts when the bucket changed since the approval was asked', async () => {
    const run = await setup({ APPROVAL_ACT_ON_EXPIRY: 'removePublicPolicyStatements' });
    const held = await run.deliver();
    addPublicList(run.buckets[GD_BUCKET] as FakeBucket);
    const writes = run.writes().length;
    run.at(minutes(61));

    const expired = await run.answer({ key: keyOf(held), decision: 'expire' });

    expect(run.writes()).toHaveLength(writes);
    expect(expired.status).toBe('partial');
    expect(expired.targets[0]?.steps.at(-1)?.detail).toMatch(
      /^not run: the approval expired at .* unanswered: escalated \(the plan changed since/,
    );
  });
});

describe('an answer that must change nothing', () => {
  it.each<[string, (key: string) => Record<string, unknown>, Date, RegExp]>([
    [
      'an expiry delivered before its time',
      (key) => ({ key, decision: 'expire' }),
      minutes(59),
      /does not expire before 2026-11-26T04:00:00.000Z/,
    ],
    [
      'an approval after its expiry',
      (key) => ({ key, decision: 'approve' }),
      minutes(60),
      /the approval expired at 2026-11-26T04:00:00.000Z/,
    ],
    ['a forged nonce', (key) => ({ key: `${key.slice(0, -32)}${'0'.repeat(32)}`, decision: 'approve' }), T0, /no approval has this key/],
    [
      'a key of an event the journal does not hold',
      (key) => ({ key: key.replace('29cc9880-571c-ca45', '00000000-0000-0000'), decision: 'approve' }),
      T0,
      /no approval has this key/,
    ],
    [
      'a key of another function',
      (key) => ({ key: key.replace('quarantine-public-bucket', 'rotate-credentials'), decision: 'approve' }),
      T0,
      /not one of quarantine-public-bucket's approvals/,
    ],
    [
      'a key that is not an approval key',
      () => ({ key: 'quarantine-public-bucket#29cc9880', decision: 'approve' }),
      T0,
      /not an approval key/,
    ],
    ['an unknown decision', (key) => ({ key, decision: 'maybe' }), T0, /approval.decision: expected one of "approve", "deny", "expire"/],
    ['an unknown field', (key) => ({ key, decision: 'approve', plan: 'x' }), T0, /unknown field\(s\) plan/],
    ['a control character in the reason', (key) => ({ key, decision: 'deny', reason: 'a\nb' }), T0, /approval.reason: control characters/],
  ])('refuses %s', async (_case, message, time, why) => {
    const run = await setup();
    const held = await run.deliver();
    const before = await run.journal.read(held.journal?.key as string);
    const writes = run.writes().length;
    const notifications = published().length;
    run.at(time);

    const refused = await run.answer(message(keyOf(held)));

    expect(refused).toMatchObject({
      status: 'ignored',
      reason: expect.stringMatching(why),
      function: 'quarantine-public-bucket',
      mode: 'enforce',
    });
    expect(refused.reason).toMatch(/^approval answer refused: /);
    expect(run.writes()).toHaveLength(writes);
    expect(published()).toHaveLength(notifications);
    expect(await run.journal.read(held.journal?.key as string)).toEqual(before);
  });

  it('refuses a key made up for an event handled without an approval', async () => {
    const run = await setup({ APPROVAL_REQUIRED: '' });
    const handled = await run.deliver();

    const refused = await run.answer({ key: `${handled.journal?.key}#${'0'.repeat(32)}`, decision: 'approve' });

    expect(refused.reason).toBe(
      'approval answer refused: no approval has this key (mistyped, forged, or replaced by a newer approval): nothing changed',
    );
  });

  it('refuses a message with more than the approval in it', async () => {
    const run = await setup();
    const refused = await remediate({ approval: { key: 'k', decision: 'approve' }, extra: 1 }, quarantinePublicBucket, {
      functionName: 'quarantine-public-bucket',
      config: loadConfig(process.env),
      aws: s3,
      journal: run.journal,
    });
    expect(refused.reason).toBe('approval answer refused: an approval message has "approval" only; it also has extra');
  });

  it('refuses an answer given twice (a replay), or a denial after an approval, saying who answered first', async () => {
    const run = await setup();
    const held = await run.deliver();
    await run.answer({ key: keyOf(held), decision: 'approve', by: ALICE });
    const writes = run.writes().length;

    const replayed = await run.answer({ key: keyOf(held), decision: 'approve', by: ALICE });
    const denied = await run.answer({ key: keyOf(held), decision: 'deny', reason: 'too late' });

    for (const r of [replayed, denied]) {
      expect(r.status).toBe('ignored');
      expect(r.reason).toBe(
        `approval answer refused: the approval was already approved at ${T0.toISOString()} by ${ALICE} (as stated by the caller, via lambda:Invoke): nothing changed`,
      );
    }
    expect(run.writes()).toHaveLength(writes);
  });

  it('refuses the answer that loses a race with another, which the journal takes atomically', async () => {
    const run = await setup();
    const held = await run.deliver();
    const decide = run.journal.decide.bind(run.journal);
    // Another invocation's denial lands between this one's read and its own answer.
    run.journal.decide = async (key, request) => {
      await decide(key, { ...request, decision: { ...request.decision, state: 'denied' } });
      return decide(key, request);
    };

    const late = await run.answer({ key: keyOf(held), decision: 'approve', by: ALICE });

    expect(late.reason).toBe('approval answer refused: another answer came first (the approval is denied): nothing changed');
  });

  it('refuses the answer that loses a race, saying so when the approval is gone by then', async () => {
    const run = await setup();
    const held = await run.deliver();
    const read = run.journal.read.bind(run.journal);
    let decided = false;
    run.journal.decide = async () => {
      decided = true;
      return false;
    };
    run.journal.read = async (key) => (decided ? { targets: [] } : read(key));

    const late = await run.answer({ key: keyOf(held), decision: 'approve', by: ALICE });

    expect(late.reason).toBe('approval answer refused: another answer came first (the approval is gone): nothing changed');
  });

  it('resumes an approval whose invocation did not finish (the same answer again, the event still open)', async () => {
    const run = await setup();
    const held = await run.deliver();
    const key = held.journal?.key as string;
    const approval = (await run.journal.read(key)).event?.approval;
    const decision = { state: 'approved' as const, at: T0.toISOString(), by: { identity: ALICE, verified: false, via: 'lambda:Invoke' } };
    // The answer was journaled, then the invocation crashed before it claimed the event.
    await run.journal.decide(key, { nonce: approval?.nonce as string, decision, now: T0 });

    const resumed = await run.answer({ key: keyOf(held), decision: 'approve', by: ALICE });

    expect(resumed.status).toBe('remediated');
    expect(resumed.approval?.answered).toMatchObject({ by: { identity: ALICE } });
  });
});

describe('the approval settings', () => {
  it.each([
    [{ APPROVAL_REQUIRED: 'stopTrainingJobs' }, /APPROVAL_REQUIRED: expected step kinds, separated by commas, among savePriorState, /],
    [
      { APPROVAL_REQUIRED: 'stopTrainingJob', APPROVAL_ACT_ON_EXPIRY: 'deactivateAccessKey' },
      /APPROVAL_ACT_ON_EXPIRY names deactivateAccessKey, which APPROVAL_REQUIRED does not list/,
    ],
    [{ APPROVAL_TIMEOUT_MINUTES: '0' }, /APPROVAL_TIMEOUT_MINUTES: expected a whole number of minutes from 1 to 10080/],
    [{ APPROVAL_TIMEOUT_MINUTES: '10081' }, /APPROVAL_TIMEOUT_MINUTES: expected a whole number of minutes from 1 to 10080/],
    [{ APPROVAL_SCHEDULER_ROLE_ARN: 'ml-guard-scheduler' }, /APPROVAL_SCHEDULER_ROLE_ARN: expected an IAM role ARN/],
    [
      { APPROVAL_REQUIRED: 'stopTrainingJob', APPROVAL_TIMEOUT_MINUTES: '1441', JOURNAL_RETENTION_DAYS: '1' },
      /APPROVAL_TIMEOUT_MINUTES \(1441\) is longer than the journal keeps an event \(JOURNAL_RETENTION_DAYS 1\)/,
    ],
  ])('stop the function at cold start when wrong: %j', (env, message) => {
    expect(() => loadConfig({ ...process.env, ...env })).toThrow(message);
  });

  it('may last as long as the journal keeps an event, to the minute', () => {
    const env = { ...process.env, APPROVAL_REQUIRED: 'stopTrainingJob', APPROVAL_TIMEOUT_MINUTES: '1440', JOURNAL_RETENTION_DAYS: '1' };
    expect(loadConfig(env).approval.timeoutMinutes).toBe(1440);
  });

  it('hold nothing by default', () => {
    expect(loadConfig(process.env).approval).toEqual({
      required: new Set(),
      timeoutMinutes: 60,
      actOnExpiry: new Set(),
      schedulerRoleArn: undefined,
    });
  });
});
