import { describeError, isTransient } from '../errors.js';
import type { JournaledStep } from '../journal/journal.js';
import {
  ATTENTION_ORDER,
  type Plan,
  type RecordProgress,
  type Runner,
  type Runners,
  type StepBase,
  type StepResult,
  stepData,
  type TargetResult,
  type TargetStatus,
} from './types.js';

export interface ExecuteOptions {
  dryRun: boolean;
  /** Called with each failed step, for logs; the failure is also in the result. */
  onStepFailed?: (step: StepBase, error: unknown) => void;
  /** This invocation's attempt at the event (1 for the first delivery). */
  attempt?: number;
  /** What earlier attempts journaled for this target. */
  earlier?: readonly JournaledStep[];
  /**
   * Journals the target's steps: before each write call (the step `started`), after it (its outcome), and when a
   * runner records progress. A failure to journal before a step keeps the step from running.
   */
  journal?: (steps: JournaledStep[]) => Promise<void>;
  /** False when too little time is left to start another step and still report (the step is deferred to the retry). */
  hasTimeFor?: () => boolean;
  now?: () => Date;
  /**
   * Steps a person must approve first (enforce mode only): the first step not yet done that `needs` approval, and
   * every step after it (a plan's steps rely on the ones before them), are not run. They are reported and journaled
   * `awaiting-approval`, or, with `refused`, reported `not-run` for that reason (an approval that expired unanswered).
   * The steps before it run as usual. `onHeld` is given the steps held, as planned, and every step of the plan left
   * unfinished (the held ones, and any before them that failed): what an approval would run.
   */
  approval?: ApprovalGate;
}

export interface ApprovalGate {
  needs(step: StepBase): boolean;
  refused?: string;
  onHeld?(held: StepBase[], unfinished: StepBase[]): void;
}

/** What a dry-run says of a step that would wait for approval. */
const WOULD_AWAIT_APPROVAL = "would wait for a person's approval (APPROVAL_REQUIRED), as would the steps after it";

/**
 * Runs a plan's steps in order (or, in dry-run, reports them). A failed step is reported and the next steps still run,
 * unless the failed step is critical: then the rest are reported as not run.
 *
 * With a journal: a step an earlier attempt did is not run again but reported as done then (with its undo); a step an
 * earlier attempt started and never finished is resumed (`Runner.resume`) or run again; a step done earlier that the
 * new plan no longer needs (the resource already shows it) is still reported. A step whose failure is transient, or
 * that was not started for lack of time, leaves the target to the retry (`retry: true`).
 */
export async function executePlan<S extends StepBase, Aws>(
  plan: Plan<S>,
  runners: Runners<S, Aws>,
  aws: Aws,
  options: ExecuteOptions,
): Promise<TargetResult> {
  const base = {
    target: plan.target,
    ...(plan.notes?.length ? { notes: plan.notes } : {}),
    ...(plan.severity ? { severity: plan.severity } : {}),
  };
  const earlier = options.earlier ?? [];
  const earlierDone = earlier.filter(isFinishedChange);
  // Enforce mode never acts on what it could not verify, whatever else the plan says; a dry-run reports the plan.
  const unverified = options.dryRun ? undefined : plan.unverified;
  const hold = unverified
    ? { hold: 'blocked' as const, reason: unverified.reason, retryable: unverified.retryable }
    : plan.hold && { hold: plan.hold, reason: plan.reason ?? plan.hold, retryable: !!plan.retryable };
  if (hold) {
    const steps = plan.steps.map((s) => stepResult(s, 'not-run', `not run: ${hold.reason}`));
    const retry = hold.hold === 'blocked' && hold.retryable && !options.dryRun ? { retry: true } : {};
    const unfinished = earlier.filter((e) => e.state === 'started').map(outcomeUnknown);
    return {
      ...base,
      status: holdStatus[hold.hold],
      reason: hold.reason,
      steps: [...earlierDone.map(fromJournal), ...unfinished, ...steps],
      ...retry,
    };
  }
  if (plan.steps.length === 0 && earlierDone.length === 0) {
    return { ...base, status: 'already-compliant', reason: plan.reason ?? 'nothing to change', steps: [] };
  }
  if (options.dryRun) {
    const first = options.approval ? plan.steps.findIndex((s) => options.approval?.needs(s)) : -1;
    const steps = plan.steps.map((s, i) => stepResult(s, 'would-do', first >= 0 && i >= first ? WOULD_AWAIT_APPROVAL : undefined));
    return { ...base, status: 'planned', reason: 'dry-run: nothing was changed', steps };
  }

  const attempt = options.attempt ?? 1;
  const now = options.now ?? (() => new Date());
  const journal = options.journal ?? (async () => undefined);
  const entries: JournaledStep[] = earlier.map((e) => ({ ...e }));
  const results: StepResult[] = [];
  const seen = new Set<string>();
  let abortedBy: StepBase | undefined;
  let outOfTime = false;
  const held: S[] = [];
  for (const step of plan.steps) {
    // The mapped type guarantees a runner per kind; this view of it lets the loop call it with the union.
    const runner = (runners as unknown as Record<string, Runner<S, Aws> | undefined>)[step.kind];
    const id = runner?.identify?.(step) ?? step.kind;
    seen.add(id);
    const before = entries.find((e) => e.id === id);
    if (before && isFinishedChange(before)) {
      results.push(fromJournal(before));
      continue;
    }
    if (abortedBy) {
      results.push(stepResult(step, 'not-run', `not run: "${abortedBy.summary}" failed`));
      continue;
    }
    if (held.length > 0 || options.approval?.needs(step)) {
      held.push(step);
      const refused = options.approval?.refused;
      if (refused) {
        results.push(stepResult(step, 'not-run', `not run: ${refused}`));
        continue;
      }
      results.push(stepResult(step, 'awaiting-approval', 'waits for a person to approve or deny it'));
      upsert(entries, {
        id,
        kind: step.kind,
        summary: step.summary,
        state: 'awaiting-approval',
        attempt,
        startedAt: now().toISOString(),
        ...(step.undo ? { undo: step.undo } : {}),
        data: runner?.journalData ? runner.journalData(step) : stepData(step),
      });
      continue;
    }
    outOfTime ||= options.hasTimeFor !== undefined && !options.hasTimeFor();
    if (outOfTime) {
      results.push({
        ...stepResult(step, 'not-run', 'not started: too little time was left in this invocation; the retry continues'),
        retryable: true,
      });
      continue;
    }

    const entry: JournaledStep = { id, kind: step.kind, summary: step.summary, state: 'started', attempt, startedAt: now().toISOString() };
    if (step.undo) entry.undo = step.undo;
    entry.data = runner?.journalData ? runner.journalData(step) : stepData(step);
    if (before?.progress) entry.progress = { ...before.progress };
    upsert(entries, entry);
    try {
      await journal(entries);
    } catch (error) {
      // Nothing is changed that the journal cannot name.
      options.onStepFailed?.(step, error);
      results.push({
        ...stepResult(step, 'not-run', `not run: the journal could not be written (${describeError(error)})`),
        retryable: isTransient(error),
      });
      abortedBy = step;
      continue;
    }

    const recordProgress: RecordProgress = async (progress) => {
      entry.progress = { ...entry.progress, ...progress };
      // Best effort: the outcome is journaled after the call in any case, and the step must not fail for this.
      await journal(entries).catch((error: unknown) => options.onStepFailed?.(step, error));
    };
    let result: StepResult;
    try {
      if (!runner) throw new Error(`no runner for step kind "${step.kind}"`);
      const resume = before?.state === 'started' ? runner.resume : undefined;
      const resumed = before !== undefined && resume !== undefined;
      const { outcome, detail } = resumed
        ? await resume(step, { attempt: before.attempt, ...(before.progress ? { progress: before.progress } : {}) }, aws)
        : await runner.run(step, aws, recordProgress);
      result = stepResult(step, outcome, resumed ? joinDetail(`resumed: attempt ${before.attempt} started it`, detail) : detail);
    } catch (error) {
      options.onStepFailed?.(step, error);
      const retryable = isTransient(error);
      result = { ...stepResult(step, 'failed', describeError(error)), ...(retryable ? { retryable } : {}) };
      if (step.critical) abortedBy = step;
    }
    Object.assign(entry, {
      state: result.outcome,
      finishedAt: now().toISOString(),
      ...(result.detail ? { detail: result.detail } : {}),
      ...(result.retryable ? { retryable: true } : {}),
    });
    try {
      await journal(entries);
    } catch (error) {
      // The change is made; the retry finds the step `started`, re-reads the resource and reports it.
      options.onStepFailed?.(step, error);
      result = { ...result, detail: joinDetail(result.detail, `not journaled: ${describeError(error)}`), retryable: true };
    }
    results.push(result);
  }

  if (held.length > 0) {
    const finished = new Set(entries.filter(isFinishedChange).map((e) => e.id));
    const identity = (step: S) =>
      (runners as unknown as Record<string, Runner<S, Aws> | undefined>)[step.kind]?.identify?.(step) ?? step.kind;
    options.approval?.onHeld?.(
      held,
      plan.steps.filter((step) => !finished.has(identity(step))),
    );
    // Held steps an earlier plan journaled that this plan no longer has are not left awaiting in the journal.
    const kept = entries.filter((e) => e.state !== 'awaiting-approval' || seen.has(e.id));
    entries.splice(0, entries.length, ...kept);
    await journal(entries).catch((error: unknown) => options.onStepFailed?.(held[0] as StepBase, error));
  }
  // What earlier attempts did that this plan no longer needs, because the resource already shows it.
  const before = entries.filter((e) => !seen.has(e.id) && (isFinishedChange(e) || e.state === 'started')).map(fromJournal);
  const all = [...before, ...results];
  return { ...base, ...summarise(all), steps: all, ...(all.some((r) => r.retryable) ? { retry: true } : {}) };
}

/** Done or found done: a later attempt reports it and does not run it again. */
function isFinishedChange(e: JournaledStep): boolean {
  return e.state === 'done' || e.state === 'already-done';
}

/**
 * A journaled step as a result of this attempt. A step left `started` that the new plan does not need: the crash
 * came after the change and before its outcome was journaled, and the resource now shows the change.
 */
export function fromJournal(e: JournaledStep): StepResult {
  const outcome = e.state === 'started' ? 'done' : e.state;
  const detail = e.state === 'started' ? joinDetail(e.detail, 'its outcome was not journaled; the resource now shows it done') : e.detail;
  return {
    kind: e.kind,
    summary: e.summary,
    outcome,
    ...(detail ? { detail } : {}),
    ...(e.undo && (outcome === 'done' || outcome === 'already-done') ? { undo: e.undo } : {}),
    earlierAttempt: e.attempt,
  };
}

/**
 * A step an earlier attempt started and never finished, when this attempt cannot look at the resource: whether it
 * changed anything is unknown, and what it journaled on the way (such as the id of a key it created) is named.
 */
function outcomeUnknown(e: JournaledStep): StepResult {
  const progress = Object.entries(e.progress ?? {}).map(([name, value]) => `${name} ${value}`);
  const detail = joinDetail(
    `attempt ${e.attempt} started it and did not journal its outcome; unknown until a retry reads the resource`,
    progress.length ? `journaled on the way: ${progress.join(', ')}` : undefined,
    e.detail,
  );
  return { kind: e.kind, summary: e.summary, outcome: 'failed', ...(detail ? { detail } : {}), earlierAttempt: e.attempt };
}

function upsert(entries: JournaledStep[], entry: JournaledStep): void {
  const i = entries.findIndex((e) => e.id === entry.id);
  if (i >= 0) entries[i] = entry;
  else entries.push(entry);
}

function joinDetail(...parts: (string | undefined)[]): string | undefined {
  const text = parts.filter(Boolean).join('; ');
  return text || undefined;
}

const holdStatus: Record<NonNullable<Plan<StepBase>['hold']>, TargetStatus> = {
  skipped: 'skipped',
  'notify-only': 'notified',
  'limit-exceeded': 'limit-exceeded',
  blocked: 'failed',
};

function summarise(results: StepResult[]): { status: TargetStatus; reason: string } {
  const failed = results.filter((r) => r.outcome === 'failed' || r.outcome === 'not-run').length;
  const changed = results.filter((r) => r.outcome === 'done').length;
  const earlier = results.filter((r) => r.earlierAttempt !== undefined && r.outcome === 'done').length;
  const then = earlier ? ` (${earlier} of them by an earlier attempt)` : '';
  const awaiting = results.filter((r) => r.outcome === 'awaiting-approval').length;
  if (failed === 0 && awaiting > 0) {
    const made = changed ? `; ${changed} change(s) made${then}` : '';
    return { status: 'awaiting-approval', reason: `${awaiting} step(s) wait for a person's approval${made}` };
  }
  if (failed === 0) {
    return changed > 0
      ? { status: 'remediated', reason: `${changed} change(s) made${then}` }
      : { status: 'already-compliant', reason: 'every step found the resource already as wanted' };
  }
  const succeeded = results.length - failed - awaiting;
  const deferred = results.some((r) => r.retryable && r.outcome === 'not-run') && results.every((r) => r.outcome !== 'failed');
  if (deferred)
    return { status: 'deferred', reason: `${failed} of ${results.length} step(s) not started in this invocation: the retry continues` };
  return succeeded > 0
    ? { status: 'partial', reason: `${failed} of ${results.length} step(s) failed or did not run${then}` }
    : { status: 'failed', reason: `all ${results.length} step(s) failed or did not run` };
}

function stepResult(step: StepBase, outcome: StepResult['outcome'], detail?: string): StepResult {
  return {
    kind: step.kind,
    summary: step.summary,
    outcome,
    ...(detail ? { detail } : {}),
    ...(step.undo && (outcome === 'done' || outcome === 'already-done' || outcome === 'would-do') ? { undo: step.undo } : {}),
  };
}

export function worstStatus(statuses: TargetStatus[]): TargetStatus | undefined {
  return ATTENTION_ORDER.find((s) => statuses.includes(s));
}
