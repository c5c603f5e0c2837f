import type { Severity } from '../severity.js';

/** What a remediation acts on, named so a person can find it. */
export interface TargetRef {
  /** CloudFormation-style type, for example `AWS::S3::Bucket`. */
  type: string;
  /** Name or id of the resource. */
  id: string;
  arn?: string;
}

/** Every step of every plan has a kind (one runner per kind), a sentence for people and, where it applies, how to undo it. */
export interface StepBase {
  kind: string;
  summary: string;
  undo?: string;
  /** When a critical step fails the steps after it are not run (for example: the prior state could not be saved). */
  critical?: boolean;
}

/**
 * Why a plan holds back from running its steps:
 * - `skipped`: exempt, protected or gone; nothing to do by rule.
 * - `notify-only`: a person must act (no API can, or the event is a sample).
 * - `limit-exceeded`: more changes than the blast-radius limit allows; the steps are listed, not run.
 * - `blocked`: the state needed to act safely could not be read; nothing is changed (see also `Plan.unverified`).
 */
export type Hold = 'skipped' | 'notify-only' | 'limit-exceeded' | 'blocked';

/** A plan is data: computed from the target and its observed state, then executed or, in dry-run, reported. */
export interface Plan<S extends StepBase> {
  target: TargetRef;
  steps: S[];
  hold?: Hold;
  /** Why the plan holds back, or is empty. */
  reason?: string;
  /** What a person should know that is not a step, for example state that could not be read. */
  notes?: string[];
  /**
   * The least severity a notification about this target gets, whatever the event's (for example CRITICAL for root
   * credential usage, which GuardDuty rates low). Carried into the target's result.
   */
  severity?: Severity;
  /** A `blocked` plan whose state could not be read for a transient reason (throttling, 5xx, timeout): a retry may read it. */
  retryable?: boolean;
  /**
   * What the plan relies on that could not be read (who owns the resource, whether it is exempt, what it holds). The
   * executor alone decides what follows: in enforce mode the plan is held back as `blocked` whatever else it says,
   * and nothing is changed; a dry-run reports the plan as it is (its notes say what was not read).
   */
  unverified?: Unverified;
}

export interface Unverified {
  /** Why the plan is held back in enforce mode: `could not read the ACL: nothing changed, to be safe`. */
  reason: string;
  /** A read failed for a transient reason only: Lambda's retry may read it. */
  retryable: boolean;
}

/** A part of a resource's state that could not be read, and why; `transient` when a retry may read it. */
export interface Unreadable {
  part: string;
  error: string;
  transient?: boolean;
}

/** `awaiting-approval`: held, with the steps after it, until a person approves (APPROVAL_REQUIRED names its kind). */
export type StepOutcome = 'done' | 'already-done' | 'would-do' | 'failed' | 'not-run' | 'awaiting-approval';

export interface StepResult {
  kind: string;
  summary: string;
  outcome: StepOutcome;
  detail?: string;
  undo?: string;
  /** A failure that a retry may fix (throttling, 5xx, timeout, network, or not started for lack of time). */
  retryable?: boolean;
  /** Set when an earlier attempt of this event did the step: that attempt's number. */
  earlierAttempt?: number;
}

/** What a runner reports when it did not throw: it changed the resource, or found it already as wanted. */
export interface RunOutcome {
  outcome: 'done' | 'already-done';
  detail?: string;
}

/** Journals what a runner made before its outcome is known (for example the id of a key it created). */
export type RecordProgress = (progress: Record<string, string>) => Promise<void>;

export interface Runner<S extends StepBase, Aws> {
  /** The IAM actions the runner calls; a test compares them with the function's role in template.yaml. */
  iamActions: readonly string[];
  run(step: S, aws: Aws, recordProgress: RecordProgress): Promise<RunOutcome>;
  /**
   * What makes this step the same step in another attempt's plan of the same target (default: its kind); the journal
   * matches steps by it, so a retry does not repeat what was done.
   */
  identify?(step: S): string;
  /**
   * For a step an earlier attempt started but never finished (it crashed or timed out in the middle), what to do
   * instead of running it again; without it the step runs again (every write ml-guard makes is idempotent, except
   * one that creates something, which says here how it recovers).
   */
  resume?(step: S, started: { progress?: Record<string, string>; attempt: number }, aws: Aws): Promise<RunOutcome>;
  /**
   * What the journal keeps of the step, for a person (and `npm run undo`) to know exactly what was set (default: the
   * step without its text, `stepData`). Leave out what is large and kept elsewhere; never a secret.
   */
  journalData?(step: S): Record<string, unknown>;
}

/** A step's data: the step without its text (summary, undo) and the executor's `critical` flag. */
export function stepData(step: StepBase): Record<string, unknown> {
  const { summary: _summary, undo: _undo, critical: _critical, ...data } = step as StepBase & Record<string, unknown>;
  return data;
}

/** Exactly one runner per step kind: the compiler reports a missing one. */
export type Runners<S extends StepBase, Aws> = { [K in S['kind']]: Runner<Extract<S, { kind: K }>, Aws> };

export type TargetStatus =
  | 'planned'
  | 'remediated'
  | 'already-compliant'
  | 'skipped'
  | 'notified'
  | 'limit-exceeded'
  | 'partial'
  | 'deferred'
  | 'awaiting-approval'
  | 'failed';

/**
 * `suppressed`: a notification-only event held back by flood control (counted, reported with the next notification).
 * `duplicate`: another invocation is handling the same event right now; this delivery does nothing.
 */
export type EventStatus = TargetStatus | 'ignored' | 'suppressed' | 'duplicate';

/** Target statuses from most to least in need of a person's attention (an event takes its targets' worst). */
export const ATTENTION_ORDER: readonly TargetStatus[] = [
  'failed',
  'partial',
  'awaiting-approval',
  'deferred',
  'limit-exceeded',
  'remediated',
  'planned',
  'notified',
  'skipped',
  'already-compliant',
];

export interface TargetResult {
  target: TargetRef;
  status: TargetStatus;
  reason?: string;
  notes?: string[];
  /** The least severity of a notification about this target (from its plan). */
  severity?: Severity;
  steps: StepResult[];
  /** Work is left that a retry of the event can finish (a transient failure, or no time left to start it). */
  retry?: boolean;
}
