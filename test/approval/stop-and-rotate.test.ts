import { IAMClient } from '@aws-sdk/client-iam';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import * as iamAdapter from '../../functions/core/aws/iam.js';
import * as sagemaker from '../../functions/core/aws/sagemaker.js';
import { loadConfig } from '../../functions/core/config.js';
import { MemoryJournal } from '../../functions/core/journal/journal.js';
import { remediate } from '../../functions/core/remediation/remediate.js';
import type { EventResult } from '../../functions/core/remediation/result.js';
import { STEP_KINDS } from '../../functions/core/remediation/step-kinds.js';
import { quarantinePublicBucket } from '../../functions/quarantine-public-bucket/handler.js';
import { rotateCredentials } from '../../functions/rotate-credentials/handler.js';
import { stopCompromisedTrainingJob } from '../../functions/stop-compromised-training-job/handler.js';
import { type FakeAccount, fakeIam, keyInSecret } from '../rotate-credentials/fake-iam.js';
import { fakeSageMaker, job } from '../stop-compromised-training-job/fake-sagemaker.js';
import { accountAbout, loadEvent } from '../support/events.js';
import { handlerHarness } from '../support/handler-harness.js';

/**
 * Approval of stop-compromised-training-job's and rotate-credentials' steps against their stateful fakes, through the
 * handler harness: every command the answers send must be an action the function's role declares (the expiry's
 * schedule included).
 */
const T0 = new Date('2026-11-26T03:00:00.000Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);
const EXFIL = 'guardduty/stop-training-job-instancecredentialexfiltration-outsideaws.json';
const TOR = 'guardduty/unauthorizedaccess-iamuser-toripcaller.json';
const ALICE = 'arn:aws:iam::123456789012:user/alice';
const SCHEDULER_ROLE = 'arn:aws:iam::883606788610:role/ml-guard-ApprovalSchedulerRole-X';

handlerHarness({
  functionName: 'stop-compromised-training-job',
  alsoRuns: ['rotate-credentials'],
  now: T0,
  restore: [SageMakerClient, IAMClient, SecretsManagerClient, SchedulerClient],
});

/** A function run with a journal and clock of its own: `deliver` the event, `answer` its approval, `at` moves the clock. */
function runner<T, State, S extends { kind: string; summary: string }, Aws>(
  functionName: string,
  remediation: Parameters<typeof remediate<T, State, S & { summary: string }, Aws>>[1],
  aws: Aws,
  env: Record<string, string>,
) {
  const journal = new MemoryJournal();
  let now = T0;
  const options = (event: unknown) => ({
    functionName,
    ownAccount: accountAbout(event),
    config: loadConfig({ ...process.env, ...env }),
    aws,
    now: () => now,
    journal,
    functionArn: `arn:aws:lambda:us-east-1:883606788610:function:${functionName}`,
  });
  return {
    at: (time: Date) => {
      now = time;
    },
    deliver: (event: unknown) => remediate(event, remediation, options(event)),
    answer: (key: string, decision: string, more: Record<string, string> = {}) =>
      remediate({ approval: { key, decision, ...more } }, remediation, options(undefined)),
  };
}

const keyOf = (r: EventResult) => r.approval?.asked?.key as string;

describe('stop-compromised-training-job with stopTrainingJob held for approval', () => {
  const stop = () =>
    runner('stop-compromised-training-job', stopCompromisedTrainingJob, sagemaker, {
      APPROVAL_REQUIRED: 'stopTrainingJob',
      APPROVAL_ACT_ON_EXPIRY: 'stopTrainingJob',
      APPROVAL_TIMEOUT_MINUTES: '15',
      APPROVAL_SCHEDULER_ROLE_ARN: SCHEDULER_ROLE,
    });

  it('leaves the job running until a person approves, then stops it', async () => {
    mockClient(SchedulerClient).on(CreateScheduleCommand).resolves({});
    const fake = fakeSageMaker([job('training', 'train-a')]);
    const run = stop();

    const held = await run.deliver(loadEvent(EXFIL));
    expect(held.status).toBe('awaiting-approval');
    expect(fake.jobs[0]?.status ?? 'InProgress').toBe('InProgress');

    const approved = await run.answer(keyOf(held), 'approve', { by: ALICE });
    expect(approved.status).toBe('remediated');
    expect(fake.jobs[0]?.status).toBe('Stopping');
  });

  it('stops the job when nobody answers in time (APPROVAL_ACT_ON_EXPIRY: containment after the timeout)', async () => {
    mockClient(SchedulerClient).on(CreateScheduleCommand).resolves({});
    const fake = fakeSageMaker([job('training', 'train-a')]);
    const run = stop();
    const held = await run.deliver(loadEvent(EXFIL));
    run.at(minutes(15));

    const expired = await run.answer(keyOf(held), 'expire');

    expect(expired.status).toBe('remediated');
    expect(expired.approval?.answered).toMatchObject({ state: 'expired', by: { via: 'EventBridge Scheduler' } });
    expect(fake.jobs[0]?.status).toBe('Stopping');
  });

  it('leaves the job running when a person denies it', async () => {
    mockClient(SchedulerClient).on(CreateScheduleCommand).resolves({});
    const fake = fakeSageMaker([job('training', 'train-a')]);
    const run = stop();
    const held = await run.deliver(loadEvent(EXFIL));

    const denied = await run.answer(keyOf(held), 'deny', { by: ALICE, reason: 'a scheduled red-team exercise' });

    expect(denied.status).toBe('skipped');
    expect(fake.jobs[0]?.status ?? 'InProgress').toBe('InProgress');
  });

  it('says the job finished since, rather than stopping anything, when it is no longer running', async () => {
    mockClient(SchedulerClient).on(CreateScheduleCommand).resolves({});
    const fake = fakeSageMaker([job('training', 'train-a')]);
    const run = stop();
    const held = await run.deliver(loadEvent(EXFIL));
    (fake.jobs[0] as { status?: string }).status = 'Completed';

    const approved = await run.answer(keyOf(held), 'approve', { by: ALICE });

    expect(approved.status).not.toBe('remediated');
    expect(fake.jobs[0]?.status).toBe('Completed');
  });
});

describe('rotate-credentials with deactivateAccessKey held for approval', () => {
  const USER = 'ml-pipeline-bot';
  const KEY = 'AKIAI44QH8DHBEXAMPLE';
  const SECRET = 'ml-pipeline-bot/access-key';
  const account = (): FakeAccount => ({
    users: {
      [USER]: {
        id: 'AIDAJQABLZS4A3QDU576Q',
        tags: [{ Key: 'ml-guard:access-key-secret', Value: SECRET }],
        keys: [{ id: KEY, status: 'Active', created: new Date('2026-10-27T00:00:00Z') }],
      },
    },
    secrets: [{ name: SECRET, tags: [{ Key: 'ml-guard:access-key-user', Value: USER }], value: keyInSecret(KEY) }],
  });
  const rotate = () => runner('rotate-credentials', rotateCredentials, iamAdapter, { APPROVAL_REQUIRED: 'deactivateAccessKey' });

  it('revokes sessions and replaces the key in its secret at once, and deactivates the old key only once a person approves', async () => {
    const fake = fakeIam(account(), { now: () => T0 });
    const run = rotate();

    const held = await run.deliver(loadEvent(TOR));

    expect(held.status).toBe('awaiting-approval');
    expect(held.targets[0]?.steps.map((s) => [s.kind, s.outcome])).toEqual([
      ['revokeUserSessions', 'done'],
      ['rotateKeyIntoSecret', 'done'],
      ['deactivateAccessKey', 'awaiting-approval'],
    ]);
    expect(fake.users[USER]?.keys.find((k) => k.id === KEY)?.status).toBe('Active');

    const approved = await run.answer(keyOf(held), 'approve', { by: ALICE });

    expect(approved.status).toBe('remediated');
    expect(fake.users[USER]?.keys.find((k) => k.id === KEY)?.status).toBe('Inactive');
  });

  it('escalates, leaving the key active, when nobody answers (no kind acts on expiry)', async () => {
    const fake = fakeIam(account(), { now: () => T0 });
    const run = rotate();
    const held = await run.deliver(loadEvent(TOR));
    run.at(minutes(60));

    const expired = await run.answer(keyOf(held), 'expire');

    expect(expired.status).toBe('failed');
    expect(expired.targets[0]?.severity).toBe('CRITICAL');
    expect(fake.users[USER]?.keys.find((k) => k.id === KEY)?.status).toBe('Active');
  });
});

describe('the step kinds a setting may name', () => {
  it('are exactly those the functions run (a step that only a dry-run shows never waits)', () => {
    const kinds = [quarantinePublicBucket, rotateCredentials, stopCompromisedTrainingJob].flatMap((r) => Object.keys(r.runners));
    expect([...STEP_KINDS].sort()).toEqual(kinds.filter((k) => k !== 'stopUnlistedJobs').sort());
  });
});
