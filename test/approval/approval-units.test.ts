import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type Config, loadConfig } from '../../functions/core/config.js';
import type { ApprovalDecision, ApprovalRecord, JournaledStep } from '../../functions/core/journal/journal.js';
import {
  type Answered,
  approvalCommands,
  approvalId,
  approvalReportOf,
  approvalsOf,
  approverText,
  escalated,
  needsApproval,
  parseApprovalMessage,
  planHash,
  refusalOf,
  scheduleExpiry,
  scheduleName,
  splitApprovalKey,
} from '../../functions/core/remediation/approval.js';
import type { Plan, Runner, StepBase } from '../../functions/core/remediation/types.js';
import type { Severity } from '../../functions/core/severity.js';

/**
 * The approval module's decisions one by one: what a message may hold, which keys are approval keys, the commands a
 * person copies, the record an approval is asked with, its schedule, and what an answer does to a target it held.
 */
const NONCE = '0123456789abcdef0123456789abcdef';
const JOURNAL_KEY = 'quarantine-public-bucket#29cc9880-571c-ca45-f9d4-6f8592ecc0fe';
const T0 = new Date('2026-11-26T03:00:00.000Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);
const ALICE = { identity: 'arn:aws:iam::123456789012:user/alice', verified: false, via: 'lambda:Invoke' };
const FUNCTION_ARN = 'arn:aws:lambda:eu-west-2:123456789012:function:ml-guard-Quarantine';
const SCHEDULER_ROLE = 'arn:aws:iam::123456789012:role/ml-guard-ApprovalSchedulerRole-X';

describe('an approval message', () => {
  const ok = { key: 'k', decision: 'approve' };
  const proof = { url: 'https://sts.eu-west-2.amazonaws.com/', headers: { authorization: 'AWS4-HMAC-SHA256 ...' }, body: 'Action=x' };

  it.each<[string, unknown, string]>([
    [
      'a field beside "approval" (the first three named)',
      { approval: ok, a: 1, b: 2, c: 3, d: 4 },
      'an approval message has "approval" only; it also has a, b, c',
    ],
    ['"approval" as a string', { approval: 'approve' }, 'approval: expected an object'],
    ['"approval" as null', { approval: null }, 'approval: expected an object'],
    ['"approval" as an array', { approval: [ok] }, 'approval: expected an object'],
    [
      'unknown fields (the first three named)',
      { approval: { ...ok, plan: 1, steps: 2, note: 3, more: 4 } },
      'approval: unknown field(s) plan, steps, note',
    ],
    ['no key', { approval: { decision: 'approve' } }, 'approval.key: expected a non-empty string'],
    ['an empty key', { approval: { ...ok, key: '' } }, 'approval.key: expected a non-empty string'],
    ['a key that is a number', { approval: { ...ok, key: 5 } }, 'approval.key: expected a non-empty string'],
    ['a key of 601 characters', { approval: { ...ok, key: 'k'.repeat(601) } }, 'approval.key: longer than 600 characters'],
    ['a reason of 501 characters', { approval: { ...ok, reason: 'r'.repeat(501) } }, 'approval.reason: longer than 500 characters'],
    ['an empty reason', { approval: { ...ok, reason: '' } }, 'approval.reason: expected a non-empty string'],
    ['a by of 257 characters', { approval: { ...ok, by: 'b'.repeat(257) } }, 'approval.by: longer than 256 characters'],
    ['a NUL in the key', { approval: { ...ok, key: 'k\u0000' } }, 'approval.key: control characters are not allowed'],
    ['a unit separator in by', { approval: { ...ok, by: 'a\u001fb' } }, 'approval.by: control characters are not allowed'],
    ['a DEL in the reason', { approval: { ...ok, reason: 'a\u007fb' } }, 'approval.reason: control characters are not allowed'],
    ['no decision', { approval: { key: 'k' } }, 'approval.decision: expected one of "approve", "deny", "expire"'],
    [
      'a decision that is not a string',
      { approval: { ...ok, decision: true } },
      'approval.decision: expected one of "approve", "deny", "expire"',
    ],
    ['a proof that is not an object', { approval: { ...ok, proof: 'signed' } }, 'approval.proof: expected an object'],
  ])('is refused with %s', (_case, raw, invalid) => {
    expect(parseApprovalMessage(raw)).toStrictEqual({ invalid });
  });

  it.each<[string, Record<string, unknown>]>([
    ['an approval', { key: 'k', decision: 'approve' }],
    ['a denial with its reason and who denies', { key: 'k', decision: 'deny', reason: 'r'.repeat(500), by: 'b'.repeat(256) }],
    ['an expiry', { key: 'k'.repeat(600), decision: 'expire' }],
    ['an approval with a proof', { key: 'k', decision: 'approve', proof }],
  ])('is accepted as it is: %s', (_case, approval) => {
    expect(parseApprovalMessage({ approval })).toStrictEqual(approval);
  });
});

describe('an approval key', () => {
  it('is the journal key and the nonce, split at the last #', () => {
    expect(splitApprovalKey(`${JOURNAL_KEY}#${NONCE}`)).toStrictEqual({ journalKey: JOURNAL_KEY, nonce: NONCE });
  });

  it.each([
    ['no journal key', `#${NONCE}`],
    ['a journal key without its event id', `quarantine-public-bucket#${NONCE}`],
    ['no #', NONCE],
    ['a nonce of 31 hex digits', `${JOURNAL_KEY}#${NONCE.slice(1)}`],
    ['a nonce with a digit before its 32', `${JOURNAL_KEY}#f${NONCE}`],
    ['a nonce with a digit after its 32', `${JOURNAL_KEY}#${NONCE}f`],
    ['a nonce in capitals', `${JOURNAL_KEY}#${NONCE.toUpperCase()}`],
    ['a nonce that is not hex', `${JOURNAL_KEY}#${'g'.repeat(32)}`],
  ])('is not one with %s', (_case, key) => {
    expect(splitApprovalKey(key)).toBeUndefined();
  });
});

describe('the fingerprint of held steps', () => {
  type S = StepBase & { kind: 'tag'; bucket: string; tag?: string };
  const step = (bucket: string, summary = 'Tag it'): S => ({ kind: 'tag', summary, bucket });
  const byBucket = { tag: { iamActions: [], run: async () => ({ outcome: 'done' }), identify: (s: S) => `tag#${s.bucket}` } } as Record<
    string,
    Runner<S, unknown>
  >;
  const byTag = { tag: { ...byBucket.tag, identify: (s: S) => `tag#${s.tag}` } } as Record<string, Runner<S, unknown>>;

  it('changes with what a step acts on, not with its text', () => {
    expect(planHash([step('a', 'Tag a')], byBucket)).toBe(planHash([step('a', 'Tag the bucket a')], byBucket));
    expect(planHash([step('a')], byBucket)).not.toBe(planHash([step('b')], byBucket));
  });

  it("changes with a step's identity in the journal", () => {
    expect(planHash([step('a')], byBucket)).not.toBe(planHash([step('a')], byTag));
  });

  it('identifies a step whose kind has no runner by its kind', () => {
    expect(planHash([step('a')], {})).toBe(planHash([step('a')], { tag: { iamActions: [], run: async () => ({ outcome: 'done' }) } }));
  });
});

describe('which steps wait for approval', () => {
  it('none, and no gate at all, when APPROVAL_REQUIRED is empty', () => {
    expect(needsApproval({ required: new Set(), timeoutMinutes: 60, actOnExpiry: new Set(), schedulerRoleArn: undefined })).toBeUndefined();
  });

  it('those of the kinds APPROVAL_REQUIRED names', () => {
    const needs = needsApproval({
      required: new Set(['stopTrainingJob']),
      timeoutMinutes: 60,
      actOnExpiry: new Set(),
      schedulerRoleArn: undefined,
    });
    expect([needs?.({ kind: 'stopTrainingJob', summary: '' }), needs?.({ kind: 'tagQuarantined', summary: '' })]).toEqual([true, false]);
  });
});

describe('the commands that answer an approval', () => {
  const key = `${JOURNAL_KEY}#${NONCE}`;

  it.each([
    [
      'a local run with the journal in memory',
      {},
      { approve: `npm run approve -- '${key}'`, deny: `npm run deny -- '${key}' --reason '...'` },
    ],
    [
      'a local run with a journal file',
      { journalFile: '/tmp/my journal.json' },
      {
        approve: `npm run approve -- '${key}' --journal '/tmp/my journal.json'`,
        deny: `npm run deny -- '${key}' --journal '/tmp/my journal.json' --reason '...'`,
      },
    ],
    [
      'a deployed function in a Region',
      { functionName: 'ml-guard-Quarantine', region: 'eu-west-2' },
      {
        approve: `npm run approve -- '${key}' --function-name ml-guard-Quarantine --region eu-west-2`,
        deny: `npm run deny -- '${key}' --function-name ml-guard-Quarantine --region eu-west-2 --reason '...'`,
        approveWithCli: `aws lambda invoke --function-name ml-guard-Quarantine --region eu-west-2 --cli-binary-format raw-in-base64-out --payload '{"approval":{"key":"${key}","decision":"approve"}}' /dev/stdout`,
        denyWithCli: `aws lambda invoke --function-name ml-guard-Quarantine --region eu-west-2 --cli-binary-format raw-in-base64-out --payload '{"approval":{"key":"${key}","decision":"deny"}}' /dev/stdout`,
      },
    ],
    [
      'a deployed function, its Region not known (the CLI uses its own)',
      { functionName: 'ml-guard-Quarantine' },
      {
        approve: `npm run approve -- '${key}' --function-name ml-guard-Quarantine`,
        deny: `npm run deny -- '${key}' --function-name ml-guard-Quarantine --reason '...'`,
        approveWithCli: `aws lambda invoke --function-name ml-guard-Quarantine --cli-binary-format raw-in-base64-out --payload '{"approval":{"key":"${key}","decision":"approve"}}' /dev/stdout`,
        denyWithCli: `aws lambda invoke --function-name ml-guard-Quarantine --cli-binary-format raw-in-base64-out --payload '{"approval":{"key":"${key}","decision":"deny"}}' /dev/stdout`,
      },
    ],
  ])('for %s', (_case, where, commands) => {
    expect(approvalCommands(key, where)).toStrictEqual(commands);
  });
});

describe('the expiry of an approval', () => {
  const scheduler = mockClient(SchedulerClient);
  afterEach(() => scheduler.reset());
  afterAll(() => scheduler.restore());
  const asked = { journalKey: JOURNAL_KEY, nonce: NONCE, expiresAt: minutes(60).toISOString() };
  const settings = {
    required: new Set(['tagQuarantined']),
    timeoutMinutes: 60,
    actOnExpiry: new Set<string>(),
    schedulerRoleArn: undefined as string | undefined,
  };

  it('has a schedule of its own for each approval, named within the 64 characters Scheduler allows', () => {
    const names = [scheduleName(JOURNAL_KEY, NONCE), scheduleName(JOURNAL_KEY, 'f'.repeat(32)), scheduleName(`${JOURNAL_KEY}0`, NONCE)];
    expect(new Set(names).size).toBe(3);
    for (const name of names) expect(name).toMatch(/^ml-guard-approval-[0-9a-f]{40}$/);
  });

  it.each([
    ['the scheduler role is not set', { ...settings }, FUNCTION_ARN],
    ["the function's ARN is not known (a local run)", { ...settings, schedulerRoleArn: SCHEDULER_ROLE }, undefined],
  ])('is not scheduled, and says so, when %s', async (_case, s, arn) => {
    const expiry = await scheduleExpiry(asked, s, arn);

    expect(expiry).toStrictEqual({
      none: 'no expiry scheduled (APPROVAL_SCHEDULER_ROLE_ARN or the function ARN is not known): it stays open until answered',
    });
    expect(scheduler.calls()).toEqual([]);
  });

  it('is retried idempotently under its own name, its description cut to the 512 characters Scheduler allows', async () => {
    scheduler.on(CreateScheduleCommand).resolves({});
    const longKey = `quarantine-public-bucket#${'e'.repeat(540)}`;

    const expiry = await scheduleExpiry({ ...asked, journalKey: longKey }, { ...settings, schedulerRoleArn: SCHEDULER_ROLE }, FUNCTION_ARN);

    const input = scheduler.commandCalls(CreateScheduleCommand)[0]?.args[0].input;
    expect(expiry).toStrictEqual({ schedule: scheduleName(longKey, NONCE) });
    expect(input?.Name).toBe(scheduleName(longKey, NONCE));
    expect(input?.ClientToken).toBe(input?.Name);
    expect(input?.Description).toBe(`ml-guard: expiry of the approval asked for ${longKey}`.slice(0, 512));
    expect(input?.Description).toHaveLength(512);
  });
});

/** A plan of two held kinds: `act` (APPROVAL_ACT_ON_EXPIRY names it) and `escalate`; `save` runs before the hold. */
type Step = StepBase & { kind: 'save' | 'act' | 'escalate' | 'note'; n: number };
const step = (kind: Step['kind'], n = 1): Step => ({ kind, summary: `${kind} ${n}`, n });
const runners = {} as Record<string, Runner<Step, unknown> | undefined>;
/** APPROVAL_REQUIRED=act,escalate and APPROVAL_ACT_ON_EXPIRY=act, with a timeout of `timeoutMinutes`. */
const config = (timeoutMinutes = 60): Config => ({
  ...loadConfig(process.env),
  approval: { required: new Set(['act', 'escalate']), actOnExpiry: new Set(['act']), timeoutMinutes, schedulerRoleArn: undefined },
});
const target = { type: 'AWS::S3::Bucket', id: 'b' };
const planOf = (...steps: Step[]): Plan<Step> => ({ target, steps });

function journaled(s: Step, state: JournaledStep['state']): JournaledStep {
  return { id: s.kind, kind: s.kind, summary: s.summary, state, attempt: 1, startedAt: T0.toISOString() };
}

function record(more: Partial<ApprovalRecord> = {}): ApprovalRecord {
  return {
    nonce: NONCE,
    state: 'awaiting',
    attempt: 1,
    requestedAt: T0.toISOString(),
    expiresAt: minutes(60).toISOString(),
    plannedAt: T0.toISOString(),
    plans: {},
    kinds: ['act', 'escalate'],
    event: {},
    expiry: { none: 'no expiry scheduled' },
    ...more,
  };
}

function answered(held: Step[], decision: Partial<ApprovalDecision> & Pick<ApprovalDecision, 'state'>): Answered {
  return {
    approval: {
      ...record({ plans: { 'bucket#b': planHash(held, runners) } }),
      state: decision.state,
      decision: { at: minutes(5).toISOString(), by: ALICE, ...decision },
    },
  };
}

/** The gate of the target `bucket#b`, which held `held` after `before` ran, as an answer decides it. */
function gateOf(answer: Answered | undefined, before: JournaledStep[]) {
  return approvalsOf(runners, config(), answer, 'LOW').gateFor('bucket#b', {
    id: 'bucket#b',
    target,
    complete: true,
    steps: before,
    attempt: 1,
    updatedAt: T0.toISOString(),
  });
}

describe('an answer to the target it held', () => {
  const save = step('save');
  const act = step('act');
  const esc = step('escalate');
  const heldAfterSave = [journaled(save, 'done'), journaled(act, 'awaiting-approval'), journaled(esc, 'awaiting-approval')];

  it('when denied, runs nothing and stands by the changes made before the hold: remediated', () => {
    const gating = gateOf(answered([act, esc], { state: 'denied', reason: 'a drill' }), heldAfterSave);

    const { result, steps } = 'answered' in gating ? gating.answered(target) : expect.unreachable();

    const why = 'denied by arn:aws:iam::123456789012:user/alice (as stated by the caller, via lambda:Invoke): a drill';
    expect(result).toStrictEqual({
      target,
      status: 'remediated',
      reason: `2 held step(s) not run: ${why}; 1 change(s) made before the hold stand`,
      steps: [
        { kind: 'save', summary: 'save 1', outcome: 'done', earlierAttempt: 1 },
        { kind: 'act', summary: 'act 1', outcome: 'not-run', detail: `not run: ${why}` },
        { kind: 'escalate', summary: 'escalate 1', outcome: 'not-run', detail: `not run: ${why}` },
      ],
    });
    expect(steps.map((e) => [e.kind, e.state, e.detail])).toEqual([
      ['save', 'done', undefined],
      ['act', 'not-run', `not run: ${why}`],
      ['escalate', 'not-run', `not run: ${why}`],
    ]);
  });

  it('when denied with nothing done before the hold, skipped; a step found already done stands, but changed nothing', () => {
    const gating = gateOf(answered([act], { state: 'denied' }), [journaled(save, 'already-done'), journaled(act, 'awaiting-approval')]);

    const { result } = 'answered' in gating ? gating.answered(target) : expect.unreachable();

    expect(result.status).toBe('skipped');
    expect(result.reason).toBe(
      '1 held step(s) not run: denied by arn:aws:iam::123456789012:user/alice (as stated by the caller, via lambda:Invoke)',
    );
    expect(result.steps.map((s) => [s.kind, s.outcome])).toEqual([
      ['save', 'already-done'],
      ['act', 'not-run'],
    ]);
  });

  it('when denied, keeps a step an earlier attempt left started that the plan no longer needed: the resource showed it done', () => {
    const gating = gateOf(answered([act], { state: 'denied' }), [journaled(save, 'started'), journaled(act, 'awaiting-approval')]);

    const { result, steps } = 'answered' in gating ? gating.answered(target) : expect.unreachable();

    expect(steps.map((e) => [e.kind, e.state])).toEqual([
      ['save', 'started'],
      ['act', 'not-run'],
    ]);
    expect(result.status).toBe('remediated');
    expect(result.reason).toMatch(/; 1 change\(s\) made before the hold stand$/);
    expect(result.steps[0]).toMatchObject({
      kind: 'save',
      outcome: 'done',
      detail: 'its outcome was not journaled; the resource now shows it done',
    });
  });

  it('when it expired and no held kind acts on expiry, runs nothing: failed, one severity above what asked', () => {
    const gating = gateOf(answered([esc], { state: 'expired' }), [journaled(esc, 'awaiting-approval')]);

    const { result } = 'answered' in gating ? gating.answered(target) : expect.unreachable();

    expect(result).toMatchObject({
      status: 'failed',
      severity: 'CRITICAL',
      reason: `1 held step(s) not run: the approval expired at ${minutes(60).toISOString()} unanswered: escalated`,
    });
  });

  it('when approved and planned the same again, runs it as planned (steps done before the hold may be planned again)', () => {
    for (const state of ['done', 'already-done'] as const) {
      const gating = gateOf(answered([act, esc], { state: 'approved' }), [journaled(save, state), ...heldAfterSave.slice(1)]);

      const gate = 'gate' in gating ? gating.gate(planOf(save, act, esc)) : expect.unreachable();

      expect(gate).toStrictEqual({});
    }
  });

  it('when it expired and the plan is the same, runs the kinds that act on expiry and refuses the rest, escalated', () => {
    const gating = gateOf(answered([act, esc], { state: 'expired' }), heldAfterSave);

    const decided = 'gate' in gating ? gating.gate(planOf(save, act, esc)) : expect.unreachable();

    const escalation = `the approval expired at ${minutes(60).toISOString()} unanswered: escalated`;
    expect(decided).toStrictEqual({ gate: { needs: expect.any(Function), refused: escalation }, severity: 'CRITICAL' });
    expect([save, act, esc].map((s) => decided.gate?.needs(s))).toEqual([false, false, true]);
  });

  it('when it expired and only the kinds that act on expiry are planned again, runs them and escalates nothing', () => {
    const gating = gateOf(answered([act], { state: 'expired' }), [journaled(act, 'awaiting-approval')]);

    const decided = 'gate' in gating ? gating.gate(planOf(act)) : expect.unreachable();

    expect(decided.severity).toBeUndefined();
    expect(decided.gate?.needs(act)).toBe(false);
  });

  it('when the plan changed and it was approved, runs nothing held and asks again, saying what changed', () => {
    const gating = gateOf(answered([act, esc], { state: 'approved' }), heldAfterSave);

    const decided = 'gate' in gating ? gating.gate(planOf(save)) : expect.unreachable();

    expect(decided.notes).toEqual([
      'the plan changed since the approval was asked: it held "act 1", "escalate 1"; it now plans nothing: asked again',
    ]);
    expect(decided.gate?.needs(act)).toBe(true);
    expect(decided.gate?.refused).toBeUndefined();
  });

  it('when the plan changed and it expired, refuses every step, escalated, and notes what changed', () => {
    const gating = gateOf(answered([act, esc], { state: 'expired' }), heldAfterSave);

    const decided = 'gate' in gating ? gating.gate(planOf(save, step('act', 2), esc)) : expect.unreachable();

    const changed = 'the plan changed since the approval was asked: it held "act 1", "escalate 1"; it now plans "act 2", "escalate 1"';
    expect(decided).toStrictEqual({
      gate: {
        needs: expect.any(Function),
        refused: `the approval expired at ${minutes(60).toISOString()} unanswered: escalated (${changed})`,
      },
      notes: [changed],
      severity: 'CRITICAL',
    });
    expect(decided.gate?.needs(step('note'))).toBe(true);
  });

  it('leaves a target it did not hold to the settings, whatever the answer', () => {
    const answer = answered([act], { state: 'denied' });
    const gating = approvalsOf(runners, config(), answer, 'LOW').gateFor('bucket#other', undefined);

    const decided = 'gate' in gating ? gating.gate(planOf(act)) : expect.unreachable();

    expect(decided.gate?.needs(act)).toBe(true);
    expect(decided.gate?.refused).toBeUndefined();
  });
});

describe('an approval asked', () => {
  const act = step('act');
  const esc = step('escalate');

  /** Holds `steps` of each target through its gate, as the executor does, then asks for `ids`. */
  async function ask(held: Record<string, Step[]>, ids: string[], answer?: Answered) {
    const approvals = approvalsOf(runners, config(30), answer, 'LOW');
    for (const [id, steps] of Object.entries(held)) {
      const gating = approvals.gateFor(id, undefined);
      if ('gate' in gating) gating.gate(planOf(...steps)).gate?.onHeld?.(steps, steps);
    }
    return approvals.ask(ids, {
      journalKey: JOURNAL_KEY,
      attempt: 2,
      now: minutes(1),
      plannedAt: T0,
      event: { id: 'e' },
      functionArn: undefined,
    });
  }

  it('records what was held, for which targets, when, and until when', async () => {
    const asked = await ask({ 'bucket#a': [act, esc], 'bucket#b': [act], 'bucket#c': [esc] }, ['bucket#a', 'bucket#b', 'bucket#x']);

    expect(asked).toStrictEqual({
      nonce: expect.stringMatching(/^[0-9a-f]{32}$/),
      state: 'awaiting',
      attempt: 2,
      requestedAt: minutes(1).toISOString(),
      expiresAt: minutes(31).toISOString(),
      plannedAt: T0.toISOString(),
      plans: { 'bucket#a': planHash([act, esc], runners), 'bucket#b': planHash([act], runners) },
      kinds: ['act', 'escalate'],
      event: { id: 'e' },
      expiry: { none: 'no expiry scheduled (APPROVAL_SCHEDULER_ROLE_ARN or the function ARN is not known): it stays open until answered' },
    });
  });

  it('asks nothing when no target it is asked for was held', async () => {
    expect(await ask({ 'bucket#a': [act] }, ['bucket#b'])).toBeUndefined();
  });

  it('again, after an answer, names the approval it replaces', async () => {
    const asked = await ask({ 'bucket#b': [act] }, ['bucket#b'], answered([esc], { state: 'approved' }));

    expect(asked?.replaces).toBe(NONCE);
    expect(asked?.nonce).not.toBe(NONCE);
  });
});

describe('the severity of an escalation', () => {
  it.each<Severity>(['INFO', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'])(
    'is CRITICAL for an event of severity %s (it asked at HIGH at least)',
    (s) => {
      expect(escalated(s)).toBe('CRITICAL');
    },
  );
});

describe('what the result says of approvals', () => {
  const asked = record({ kinds: ['act', 'escalate'], expiry: { schedule: 'ml-guard-approval-abc' } });
  const key = `${JOURNAL_KEY}#${NONCE}`;
  const where = (journalLocation: string) => ({
    journalKey: JOURNAL_KEY,
    journalLocation,
    functionName: 'ml-guard-Quarantine',
    region: 'eu-west-2',
    actOnExpiry: new Set(['act']),
  });

  it('is nothing when none was asked or answered', () => {
    expect(approvalReportOf(undefined, undefined, where('dynamodb:ml-guard-journal'))).toStrictEqual({});
  });

  it.each([
    [
      'invokes the deployed function, for a DynamoDB journal',
      'dynamodb:ml-guard-journal',
      { functionName: 'ml-guard-Quarantine', region: 'eu-west-2' },
    ],
    ['runs locally against the file, for a journal file', 'file:/tmp/journal.json', { journalFile: '/tmp/journal.json' }],
    ['runs locally, for a journal in memory', 'memory', {}],
  ])('asked: %s', (_case, location, commandsWhere) => {
    expect(approvalReportOf(asked, undefined, where(location))).toStrictEqual({
      approval: {
        asked: {
          id: approvalId(NONCE),
          key,
          expiresAt: minutes(60).toISOString(),
          kinds: ['act', 'escalate'],
          commands: approvalCommands(key, commandsWhere),
          expiry: 'EventBridge Scheduler schedule ml-guard-approval-abc',
          actOnExpiry: ['act'],
        },
      },
    });
  });

  it('names an approval by a digest of its nonce, which cannot answer it', () => {
    expect(approvalId(NONCE)).toMatch(/^[0-9a-f]{16}$/);
    expect(approvalId(NONCE)).not.toBe(approvalId('f'.repeat(32)));
    expect(NONCE).not.toContain(approvalId(NONCE));
  });

  it('says why no schedule expires it, and what answered it', () => {
    const answer = answered([], { state: 'approved' });

    const { approval } = approvalReportOf(record({ expiry: { none: 'no expiry scheduled' } }), answer, where('memory'));

    expect(approval?.asked?.expiry).toBe('no expiry scheduled');
    expect(approval?.answered).toStrictEqual({ ...answer.approval.decision, id: approvalId(NONCE) });
  });
});

describe('who answered', () => {
  it.each([
    [
      { identity: 'arn:aws:iam::123456789012:user/alice', verified: true, via: 'lambda:Invoke' },
      'arn:aws:iam::123456789012:user/alice (verified, via lambda:Invoke)',
    ],
    [{ identity: 'alice', verified: false, via: 'lambda:Invoke' }, 'alice (as stated by the caller, via lambda:Invoke)'],
  ])('reads %j as %s', (by, text) => {
    expect(approverText(by)).toBe(text);
  });
});

describe('an answer refused', () => {
  const approved: ApprovalDecision = { state: 'approved', at: minutes(5).toISOString(), by: ALICE };
  const already = `the approval was already approved at ${minutes(5).toISOString()} by arn:aws:iam::123456789012:user/alice (as stated by the caller, via lambda:Invoke): nothing changed`;
  const late = `the approval expired at ${minutes(60).toISOString()}: nothing changed (its expiry escalates, or acts where APPROVAL_ACT_ON_EXPIRY says)`;
  const early = `the approval does not expire before ${minutes(60).toISOString()}: nothing changed`;

  it.each<[string, ApprovalRecord, boolean, 'approve' | 'deny' | 'expire', Date, string | undefined]>([
    ['an approval in time', record(), true, 'approve', minutes(59), undefined],
    ['a denial in time', record(), true, 'deny', minutes(59), undefined],
    ['an approval at the expiry', record(), true, 'approve', minutes(60), late],
    ['a denial after the expiry', record(), true, 'deny', minutes(90), late],
    ['an expiry a minute early', record(), true, 'expire', minutes(59), early],
    ['an expiry on time', record(), true, 'expire', minutes(60), undefined],
    ['an approval given twice', record({ state: 'approved', decision: approved }), true, 'approve', minutes(6), already],
    [
      'the same approval again while its invocation is unfinished (it resumes)',
      record({ state: 'approved', decision: approved }),
      false,
      'approve',
      minutes(6),
      undefined,
    ],
    [
      'a denial after an approval whose invocation is unfinished',
      record({ state: 'approved', decision: approved }),
      false,
      'deny',
      minutes(6),
      already,
    ],
    ['an expiry after an approval', record({ state: 'approved', decision: approved }), true, 'expire', minutes(60), already],
  ])('%s', (_case, approval, closed, answer, now, refusal) => {
    expect(refusalOf(approval, closed, answer, now)).toBe(refusal);
  });
});
