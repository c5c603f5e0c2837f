import { describe, expect, it } from 'vitest';
import type { JournaledStep } from '../../functions/core/journal/journal.js';
import { type ExecuteOptions, executePlan, fromJournal, worstStatus } from '../../functions/core/remediation/execute.js';
import type { Hold, Plan, Runner, Runners, RunOutcome, StepResult, TargetStatus } from '../../functions/core/remediation/types.js';

/**
 * The shared executor on plain plans and runners, without AWS or mocks: what runs, in which order, what is reported,
 * what is journaled, and the status that decides whether Lambda retries.
 */
type Kind = 'save' | 'block' | 'tag';
interface Step {
  kind: Kind;
  summary: string;
  undo?: string;
  critical?: boolean;
  /** Which instance of a kind (runners identify steps by it). */
  n?: number;
}

const TARGET = { type: 'AWS::S3::Bucket', id: 'ml-data' };
const save: Step = { kind: 'save', summary: 'Save the prior state', critical: true };
const block: Step = { kind: 'block', summary: 'Block public access', undo: 'aws s3api delete-public-access-block --bucket ml-data' };
const tag: Step = { kind: 'tag', summary: 'Tag the bucket', undo: 'aws s3api delete-bucket-tagging --bucket ml-data' };
const plan = (steps: Step[], extra: Partial<Plan<Step>> = {}): Plan<Step> => ({ target: TARGET, steps, ...extra });

const denied = () =>
  Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 } });
const throttled = () =>
  Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 } });

type Behaviour = RunOutcome | (() => Error);
/** Runners that answer each kind as told (done by default) and record the kinds they ran. */
function runners(behaviour: Partial<Record<Kind, Behaviour>> = {}, extra: Partial<Record<Kind, Partial<Runner<Step, null>>>> = {}) {
  const ran: string[] = [];
  const runner = (kind: Kind): Runner<Step, null> => ({
    iamActions: [],
    async run(step, _aws, recordProgress) {
      ran.push(step.n === undefined ? kind : `${kind}#${step.n}`);
      const b = behaviour[kind] ?? { outcome: 'done' };
      if (typeof b === 'function') throw b();
      if (kind === 'save') await recordProgress({ location: 's3://forensics/ml-data.json' });
      return b;
    },
    ...extra[kind],
  });
  return { ran, runners: { save: runner('save'), block: runner('block'), tag: runner('tag') } as Runners<Step, null> };
}

/** A journal that records each write (a copy of the entries) and fails the writes it is told to. */
function journal(failOn: (call: number, entries: JournaledStep[]) => Error | undefined = () => undefined) {
  const writes: JournaledStep[][] = [];
  return {
    writes,
    journal: async (entries: JournaledStep[]) => {
      const error = failOn(writes.length + 1, entries);
      writes.push(structuredClone(entries));
      if (error) throw error;
    },
  };
}

const T0 = new Date('2026-11-26T03:00:00.000Z');
const base = (extra: Partial<ExecuteOptions> = {}): ExecuteOptions => ({ dryRun: false, attempt: 2, now: () => T0, ...extra });
const earlierStep = (kind: Kind, state: JournaledStep['state'], extra: Partial<JournaledStep> = {}): JournaledStep => {
  const step = { save, block, tag }[kind];
  return {
    id: kind,
    kind,
    summary: step.summary,
    state,
    attempt: 1,
    startedAt: '2026-11-26T02:00:00.000Z',
    ...(step.undo ? { undo: step.undo } : {}),
    ...extra,
  };
};
const outcomes = (steps: StepResult[]) => steps.map((s) => [s.kind, s.outcome]);

describe('executePlan: a run in enforce mode', () => {
  it('runs every step in order and reports the changes with their undo', async () => {
    const { ran, runners: r } = runners();

    const result = await executePlan(plan([save, block, tag]), r, null, base());

    expect(ran).toEqual(['save', 'block', 'tag']);
    expect(result).toEqual({
      target: TARGET,
      status: 'remediated',
      reason: '3 change(s) made',
      steps: [
        { kind: 'save', summary: save.summary, outcome: 'done' },
        { kind: 'block', summary: block.summary, outcome: 'done', undo: block.undo },
        { kind: 'tag', summary: tag.summary, outcome: 'done', undo: tag.undo },
      ],
    });
  });

  it("reports a resource found already as wanted as already-compliant, keeping the undo and the runner's detail", async () => {
    const { runners: r } = runners({
      save: { outcome: 'already-done' },
      block: { outcome: 'already-done', detail: 'it was already blocked' },
    });

    const result = await executePlan(plan([save, block]), r, null, base());

    expect(result).toMatchObject({ status: 'already-compliant', reason: 'every step found the resource already as wanted' });
    expect(result.steps[1]).toEqual({
      kind: 'block',
      summary: block.summary,
      outcome: 'already-done',
      detail: 'it was already blocked',
      undo: block.undo,
    });
  });

  it("carries the plan's notes and severity into the result", async () => {
    const { runners: r } = runners();

    const result = await executePlan(plan([block], { notes: ['a note'], severity: 'CRITICAL' }), r, null, base());

    expect(result).toMatchObject({ notes: ['a note'], severity: 'CRITICAL' });
  });

  it('runs the other steps after a failed one, reports it without undo, and tells onStepFailed', async () => {
    const { ran, runners: r } = runners({ block: denied });
    const failures: [string, string][] = [];

    const result = await executePlan(
      plan([save, block, tag]),
      r,
      null,
      base({ onStepFailed: (step, error) => failures.push([step.kind, (error as Error).name]) }),
    );

    expect(ran).toEqual(['save', 'block', 'tag']);
    expect(result.status).toBe('partial');
    expect(result.reason).toBe('1 of 3 step(s) failed or did not run');
    expect(result.steps[1]).toEqual({ kind: 'block', summary: block.summary, outcome: 'failed', detail: 'AccessDenied: Access Denied' });
    expect(failures).toEqual([['block', 'AccessDenied']]);
    expect(result).not.toHaveProperty('retry');
  });

  it('runs nothing after a critical step fails, and says which', async () => {
    const { ran, runners: r } = runners({ save: denied });

    const result = await executePlan(plan([save, block, tag]), r, null, base());

    expect(ran).toEqual(['save']);
    expect(result).toMatchObject({ status: 'failed', reason: 'all 3 step(s) failed or did not run' });
    expect(result.steps.slice(1)).toEqual([
      { kind: 'block', summary: block.summary, outcome: 'not-run', detail: 'not run: "Save the prior state" failed' },
      { kind: 'tag', summary: tag.summary, outcome: 'not-run', detail: 'not run: "Save the prior state" failed' },
    ]);
  });

  it('marks a transient failure retryable and leaves the target to the retry', async () => {
    const { runners: r } = runners({ tag: throttled });

    const result = await executePlan(plan([block, tag]), r, null, base());

    expect(result).toMatchObject({ status: 'partial', retry: true });
    expect(result.steps[1]).toEqual({
      kind: 'tag',
      summary: tag.summary,
      outcome: 'failed',
      detail: 'ThrottlingException: Rate exceeded',
      retryable: true,
    });
  });

  it('reports a step of a kind without runner as failed', async () => {
    const { runners: r } = runners();
    const stray = { kind: 'unknown', summary: 'Do something else' } as unknown as Step;

    const result = await executePlan(plan([stray]), r, null, base());

    expect(result.steps).toEqual([
      { kind: 'unknown', summary: 'Do something else', outcome: 'failed', detail: 'Error: no runner for step kind "unknown"' },
    ]);
  });
});

describe('executePlan: time', () => {
  it('starts no step without time for it: deferred to the retry', async () => {
    const { ran, runners: r } = runners();

    const result = await executePlan(plan([block, tag]), r, null, base({ hasTimeFor: () => false }));

    expect(ran).toEqual([]);
    expect(result).toMatchObject({
      status: 'deferred',
      reason: '2 of 2 step(s) not started in this invocation: the retry continues',
      retry: true,
    });
    expect(result.steps[0]).toEqual({
      kind: 'block',
      summary: block.summary,
      outcome: 'not-run',
      detail: 'not started: too little time was left in this invocation; the retry continues',
      retryable: true,
    });
  });

  it('stops starting steps once time runs short, and does not start again if time seems to come back', async () => {
    const { ran, runners: r } = runners();
    const answers = [true, false, true];

    const result = await executePlan(plan([save, block, tag]), r, null, base({ hasTimeFor: () => answers.shift() ?? true }));

    expect(ran).toEqual(['save']);
    expect(outcomes(result.steps)).toEqual([
      ['save', 'done'],
      ['block', 'not-run'],
      ['tag', 'not-run'],
    ]);
    expect(result.status).toBe('deferred');
  });

  it('reports partial, not deferred, when a step also failed', async () => {
    const { runners: r } = runners({ save: { outcome: 'done' }, block: denied });
    const answers = [true, true, false];

    const result = await executePlan(
      plan([{ ...save, critical: false }, block, tag]),
      r,
      null,
      base({ hasTimeFor: () => answers.shift() ?? false }),
    );

    expect(result.status).toBe('partial');
    expect(result.retry).toBe(true);
  });
});

describe('executePlan: plans that hold back, dry-run and empty plans', () => {
  it.each<[Hold, TargetStatus]>([
    ['skipped', 'skipped'],
    ['notify-only', 'notified'],
    ['limit-exceeded', 'limit-exceeded'],
    ['blocked', 'failed'],
  ])('runs nothing for a plan held as %s, reported %s', async (hold, status) => {
    const { ran, runners: r } = runners();

    const result = await executePlan(plan([block], { hold, reason: 'because' }), r, null, base());

    expect(ran).toEqual([]);
    expect(result).toEqual({
      target: TARGET,
      status,
      reason: 'because',
      steps: [{ kind: 'block', summary: block.summary, outcome: 'not-run', detail: 'not run: because' }],
    });
  });

  it('names the hold when the plan gives no reason', async () => {
    const result = await executePlan(plan([block], { hold: 'skipped' }), runners().runners, null, base());

    expect(result.reason).toBe('skipped');
    expect(result.steps[0]?.detail).toBe('not run: skipped');
  });

  it('leaves a plan blocked by a transient read to the retry, and no other held plan', async () => {
    const blocked = await executePlan(plan([block], { hold: 'blocked', retryable: true }), runners().runners, null, base());
    const notifyOnly = await executePlan(plan([block], { hold: 'notify-only', retryable: true }), runners().runners, null, base());
    const permanent = await executePlan(plan([block], { hold: 'blocked' }), runners().runners, null, base());

    expect(blocked.retry).toBe(true);
    expect(notifyOnly).not.toHaveProperty('retry');
    expect(permanent).not.toHaveProperty('retry');
  });

  it('holds back in enforce mode a plan whatever it could not verify, and reports it as it is in a dry-run', async () => {
    // Prepare: a plan the planner made whole, but whose state was partly unread.
    const unverified = plan([block, tag], {
      notes: ['could not read the tags: SlowDown'],
      unverified: { reason: 'could not read the tags: nothing changed, to be safe', retryable: true },
    });
    const { ran, runners: r } = runners();

    // Act
    const enforce = await executePlan(unverified, r, null, base());
    const dryRun = await executePlan(unverified, r, null, base({ dryRun: true }));

    // Assess
    expect(ran).toEqual([]);
    expect(enforce).toMatchObject({ status: 'failed', reason: 'could not read the tags: nothing changed, to be safe', retry: true });
    expect(outcomes(enforce.steps)).toEqual([
      ['block', 'not-run'],
      ['tag', 'not-run'],
    ]);
    expect(dryRun).toMatchObject({ status: 'planned', notes: ['could not read the tags: SlowDown'] });
    expect(outcomes(dryRun.steps)).toEqual([
      ['block', 'would-do'],
      ['tag', 'would-do'],
    ]);
  });

  it('lets what it could not verify outweigh any other hold in enforce mode, and not in a dry-run', async () => {
    const limited = plan([block], {
      hold: 'limit-exceeded',
      reason: '30 jobs',
      unverified: { reason: 'could not read the jobs', retryable: false },
    });

    const enforce = await executePlan(limited, runners().runners, null, base());
    const dryRun = await executePlan(limited, runners().runners, null, base({ dryRun: true }));

    expect(enforce).toMatchObject({ status: 'failed', reason: 'could not read the jobs' });
    expect(enforce).not.toHaveProperty('retry');
    expect(dryRun).toMatchObject({ status: 'limit-exceeded', reason: '30 jobs' });
  });

  it('never leaves a dry-run to a retry', async () => {
    const blocked = await executePlan(plan([block], { hold: 'blocked', retryable: true }), runners().runners, null, base({ dryRun: true }));

    expect(blocked.status).toBe('failed');
    expect(blocked).not.toHaveProperty('retry');
  });

  it('reports in a dry-run what it would do, with the undo, and runs nothing', async () => {
    const { ran, runners: r } = runners();

    const result = await executePlan(plan([save, block]), r, null, base({ dryRun: true }));

    expect(ran).toEqual([]);
    expect(result).toEqual({
      target: TARGET,
      status: 'planned',
      reason: 'dry-run: nothing was changed',
      steps: [
        { kind: 'save', summary: save.summary, outcome: 'would-do' },
        { kind: 'block', summary: block.summary, outcome: 'would-do', undo: block.undo },
      ],
    });
  });

  it("reports an empty plan as already compliant, with the plan's reason or a plain one", async () => {
    expect(await executePlan(plan([]), runners().runners, null, base())).toEqual({
      target: TARGET,
      status: 'already-compliant',
      reason: 'nothing to change',
      steps: [],
    });
    expect((await executePlan(plan([], { reason: 'already private' }), runners().runners, null, base())).reason).toBe('already private');
  });
});

describe('executePlan: the journal', () => {
  it('journals each step as started before its call and with its outcome after it, and the progress in between', async () => {
    const { runners: r } = runners({ tag: denied });
    const j = journal();

    await executePlan(plan([save, block, tag]), r, null, base({ journal: j.journal }));

    expect(j.writes.map((w) => w.map((e) => `${e.id}:${e.state}`).join(' '))).toEqual([
      'save:started',
      'save:started', // the progress the runner recorded
      'save:done',
      'save:done block:started',
      'save:done block:done',
      'save:done block:done tag:started',
      'save:done block:done tag:failed',
    ]);
    const last = j.writes.at(-1) ?? [];
    expect(last[0]).toStrictEqual({
      id: 'save',
      kind: 'save',
      summary: save.summary,
      state: 'done',
      attempt: 2,
      startedAt: T0.toISOString(),
      finishedAt: T0.toISOString(),
      progress: { location: 's3://forensics/ml-data.json' },
      data: { kind: 'save' },
    });
    expect(last[1]).toMatchObject({ undo: block.undo });
    expect(last[2]).toMatchObject({ state: 'failed', detail: 'AccessDenied: Access Denied' });
    expect(last[2]).not.toHaveProperty('retryable');
  });

  it("journals each step's data without its text, or what the runner says to keep of it", async () => {
    const { runners: r } = runners({}, { tag: { journalData: (step) => ({ kept: step.n ?? 0 }) } });
    const j = journal();

    await executePlan(plan([{ ...save, n: 1 }, block, { ...tag, n: 7 }]), r, null, base({ journal: j.journal }));

    expect(j.writes.at(-1)?.map((e) => e.data)).toStrictEqual([{ kind: 'save', n: 1 }, { kind: 'block' }, { kept: 7 }]);
  });

  it('journals a transient failure as retryable', async () => {
    const j = journal();

    await executePlan(plan([tag]), runners({ tag: throttled }).runners, null, base({ journal: j.journal }));

    expect(j.writes.at(-1)?.[0]).toMatchObject({ state: 'failed', retryable: true });
  });

  it('runs no step whose start cannot be journaled, nor any after it', async () => {
    const { ran, runners: r } = runners();
    const j = journal((call) => (call === 1 ? throttled() : undefined));
    const failures: string[] = [];

    const result = await executePlan(
      plan([block, tag]),
      r,
      null,
      base({ journal: j.journal, onStepFailed: (step) => failures.push(step.kind) }),
    );

    expect(ran).toEqual([]);
    expect(result.steps).toEqual([
      {
        kind: 'block',
        summary: block.summary,
        outcome: 'not-run',
        detail: 'not run: the journal could not be written (ThrottlingException: Rate exceeded)',
        retryable: true,
      },
      { kind: 'tag', summary: tag.summary, outcome: 'not-run', detail: 'not run: "Block public access" failed' },
    ]);
    expect(failures).toEqual(['block']);
    expect(result.retry).toBe(true);
  });

  it('reports, without a failed step, a start the journal refused for good as failed, not deferred', async () => {
    const j = journal((call) => (call === 1 ? denied() : undefined));

    const result = await executePlan(plan([block, tag]), runners().runners, null, base({ journal: j.journal }));

    expect(result).toMatchObject({ status: 'failed', reason: 'all 2 step(s) failed or did not run' });
    expect(result).not.toHaveProperty('retry');
  });

  it('reports partial, not deferred, when nothing left is retryable though a change is', async () => {
    // block is done but its outcome not journaled (retryable); tag's start is refused for good.
    const j = journal((call) => (call === 2 ? throttled() : call === 3 ? denied() : undefined));

    const result = await executePlan(plan([block, tag]), runners().runners, null, base({ journal: j.journal }));

    expect(outcomes(result.steps)).toEqual([
      ['block', 'done'],
      ['tag', 'not-run'],
    ]);
    expect(result.status).toBe('partial');
  });

  it('needs no onStepFailed and no clock: journal failures are still reported, with the time of day', async () => {
    const before = Date.now();
    const refusedStart = journal((call) => (call === 1 ? denied() : undefined));
    const refusedOutcome = journal((call) => (call === 2 ? denied() : undefined));
    const refusedProgress = journal((call) => (call === 2 ? denied() : undefined));

    const start = await executePlan(plan([block]), runners().runners, null, { dryRun: false, journal: refusedStart.journal });
    const outcome = await executePlan(plan([block]), runners().runners, null, { dryRun: false, journal: refusedOutcome.journal });
    const progress = await executePlan(plan([save]), runners().runners, null, { dryRun: false, journal: refusedProgress.journal });

    expect(start.steps[0]?.outcome).toBe('not-run');
    expect(outcome.steps[0]).toMatchObject({ outcome: 'done', retryable: true });
    expect(progress.steps[0]?.outcome).toBe('done');
    const startedAt = Date.parse(refusedOutcome.writes[0]?.[0]?.startedAt ?? '');
    expect(startedAt).toBeGreaterThanOrEqual(before);
    expect(startedAt).toBeLessThanOrEqual(Date.now());
    expect(refusedOutcome.writes[0]?.[0]?.attempt).toBe(1);
  });

  it('reports a change whose outcome could not be journaled, for the retry to look at again', async () => {
    const failures: string[] = [];
    const j = journal((call) => (call === 2 ? denied() : undefined));

    const result = await executePlan(
      plan([block]),
      runners().runners,
      null,
      base({ journal: j.journal, onStepFailed: (step) => failures.push(step.kind) }),
    );

    expect(result.steps[0]).toEqual({
      kind: 'block',
      summary: block.summary,
      outcome: 'done',
      detail: 'not journaled: AccessDenied: Access Denied',
      undo: block.undo,
      retryable: true,
    });
    expect(failures).toEqual(['block']);
  });

  it('does not fail a step whose progress cannot be journaled, and says so to onStepFailed', async () => {
    const failures: string[] = [];
    const j = journal((call) => (call === 2 ? throttled() : undefined));

    const result = await executePlan(
      plan([save]),
      runners().runners,
      null,
      base({ journal: j.journal, onStepFailed: (step) => failures.push(step.kind) }),
    );

    expect(result.steps[0]).toMatchObject({ outcome: 'done' });
    expect(failures).toEqual(['save']);
  });

  it('repeats nothing an earlier attempt did, and reports it as done then', async () => {
    const { ran, runners: r } = runners();
    const earlier = [earlierStep('save', 'done'), earlierStep('block', 'already-done')];

    const result = await executePlan(plan([save, block, tag]), r, null, base({ earlier }));

    expect(ran).toEqual(['tag']);
    expect(result.status).toBe('remediated');
    expect(result.reason).toBe('2 change(s) made (1 of them by an earlier attempt)');
    expect(result.steps).toEqual([
      { kind: 'save', summary: save.summary, outcome: 'done', earlierAttempt: 1 },
      { kind: 'block', summary: block.summary, outcome: 'already-done', undo: block.undo, earlierAttempt: 1 },
      { kind: 'tag', summary: tag.summary, outcome: 'done', undo: tag.undo },
    ]);
  });

  it('counts the changes earlier attempts made, not what they found already so', async () => {
    const earlier = [earlierStep('save', 'done'), earlierStep('block', 'already-done'), earlierStep('tag', 'done')];

    const result = await executePlan(plan([save, block, tag]), runners().runners, null, base({ earlier }));

    expect(result.reason).toBe('2 change(s) made (2 of them by an earlier attempt)');
  });

  it('runs again a step an earlier attempt failed, keeping one journal entry for it', async () => {
    const { ran, runners: r } = runners();
    const j = journal();

    await executePlan(plan([block]), r, null, base({ earlier: [earlierStep('block', 'failed')], journal: j.journal }));

    expect(ran).toEqual(['block']);
    expect(j.writes.at(-1)).toEqual([expect.objectContaining({ id: 'block', state: 'done', attempt: 2 })]);
  });

  it('resumes a step an earlier attempt started, with what it journaled, when the runner knows how', async () => {
    const resumed: unknown[] = [];
    const { ran, runners: r } = runners(
      {},
      {
        save: {
          resume: async (_step, started) => {
            resumed.push(started);
            return { outcome: 'done', detail: 'found it stored' };
          },
        },
      },
    );
    const j = journal();
    const earlier = [earlierStep('save', 'started', { progress: { location: 's3://forensics/x.json' } })];

    const result = await executePlan(plan([save]), r, null, base({ earlier, journal: j.journal }));

    expect(ran).toEqual([]);
    expect(resumed).toEqual([{ attempt: 1, progress: { location: 's3://forensics/x.json' } }]);
    expect(result.steps[0]).toEqual({
      kind: 'save',
      summary: save.summary,
      outcome: 'done',
      detail: 'resumed: attempt 1 started it; found it stored',
    });
    expect(j.writes[0]?.[0]).toMatchObject({ state: 'started', attempt: 2, progress: { location: 's3://forensics/x.json' } });
  });

  it('runs again a step an earlier attempt started when the runner cannot resume it', async () => {
    const { ran, runners: r } = runners();

    const result = await executePlan(plan([block]), r, null, base({ earlier: [earlierStep('block', 'started')] }));

    expect(ran).toEqual(['block']);
    expect(result.steps[0]).toEqual({ kind: 'block', summary: block.summary, outcome: 'done', undo: block.undo });
  });

  it('still reports what an earlier attempt did that the new plan no longer needs, first', async () => {
    const { runners: r } = runners();
    const earlier = [earlierStep('block', 'done'), earlierStep('save', 'started'), earlierStep('tag', 'failed')];

    const result = await executePlan(plan([]), r, null, base({ earlier }));

    expect(result.steps).toEqual([
      { kind: 'block', summary: block.summary, outcome: 'done', undo: block.undo, earlierAttempt: 1 },
      {
        kind: 'save',
        summary: save.summary,
        outcome: 'done',
        detail: 'its outcome was not journaled; the resource now shows it done',
        earlierAttempt: 1,
      },
    ]);
    expect(result.status).toBe('remediated');
  });

  it("tells steps of one kind apart by the runner's identify", async () => {
    const { ran, runners: r } = runners({}, { tag: { identify: (step) => `tag#${step.n}` } });
    const earlier = [{ ...earlierStep('tag', 'done'), id: 'tag#1' }];

    const result = await executePlan(
      plan([
        { ...tag, n: 1 },
        { ...tag, n: 2 },
      ]),
      r,
      null,
      base({ earlier }),
    );

    expect(ran).toEqual(['tag#2']);
    expect(result.steps.map((s) => s.earlierAttempt)).toEqual([1, undefined]);
  });

  it('reports, in a plan held back, what earlier attempts did and a started step of unknown outcome with its progress', async () => {
    const earlier = [
      earlierStep('save', 'done'),
      earlierStep('block', 'started', { progress: { createdAccessKeyId: 'AKIANEWKEY0000000001' } }),
      earlierStep('tag', 'failed'),
    ];

    const result = await executePlan(
      plan([tag], { hold: 'blocked', reason: 'could not read its tags' }),
      runners().runners,
      null,
      base({ earlier }),
    );

    expect(result.steps).toEqual([
      { kind: 'save', summary: save.summary, outcome: 'done', earlierAttempt: 1 },
      {
        kind: 'block',
        summary: block.summary,
        outcome: 'failed',
        detail:
          'attempt 1 started it and did not journal its outcome; unknown until a retry reads the resource; journaled on the way: createdAccessKeyId AKIANEWKEY0000000001',
        earlierAttempt: 1,
      },
      { kind: 'tag', summary: tag.summary, outcome: 'not-run', detail: 'not run: could not read its tags' },
    ]);
  });
});

describe('fromJournal', () => {
  it('keeps the undo of a change only', () => {
    expect(fromJournal(earlierStep('block', 'done'))).toHaveProperty('undo', block.undo);
    expect(fromJournal(earlierStep('block', 'already-done'))).toHaveProperty('undo', block.undo);
    expect(fromJournal(earlierStep('block', 'failed', { detail: 'AccessDenied' }))).toEqual({
      kind: 'block',
      summary: block.summary,
      outcome: 'failed',
      detail: 'AccessDenied',
      earlierAttempt: 1,
    });
  });

  it('reports a started step, which the resource shows done, with the detail it had', () => {
    expect(fromJournal(earlierStep('block', 'started', { detail: 'first try' })).detail).toBe(
      'first try; its outcome was not journaled; the resource now shows it done',
    );
  });
});

describe('worstStatus', () => {
  it.each<[TargetStatus[], TargetStatus | undefined]>([
    [['remediated', 'failed', 'partial'], 'failed'],
    [['remediated', 'partial'], 'partial'],
    [['remediated', 'deferred'], 'deferred'],
    [['remediated', 'limit-exceeded'], 'limit-exceeded'],
    [['already-compliant', 'remediated'], 'remediated'],
    [['notified', 'planned'], 'planned'],
    [['skipped', 'notified'], 'notified'],
    [['already-compliant', 'skipped'], 'skipped'],
    [['already-compliant'], 'already-compliant'],
    [[], undefined],
  ])('%j -> %s', (statuses, expected) => {
    expect(worstStatus(statuses)).toBe(expected);
  });
});
