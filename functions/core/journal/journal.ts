import { MlGuardError } from '../errors.js';
import type { EventStatus, StepOutcome, TargetRef, TargetStatus } from '../remediation/types.js';

/**
 * The action journal: for every event a function handles, what it planned and each step's outcome, written as the
 * flow runs, so that a retried, duplicated or crashed delivery knows what was already done.
 *
 * One event record per function and event (`key` = `<function>#<event id>`) holds the claim (who works on the event,
 * until when), the attempt count and, once closed, the event's status and notification. One target record per
 * target holds its steps. A step is journaled as `started` before its write call and with its outcome after it; a
 * runner that creates something records what it created as soon as it exists (`progress`), before anything else can
 * fail, so a crash leaves a record that names it.
 */

/** A step as the journal keeps it: `started` until its outcome is known. */
export interface JournaledStep {
  /** Identifies the step within its target across attempts (see `Runner.identify`). */
  id: string;
  kind: string;
  summary: string;
  state: StepOutcome | 'started';
  detail?: string;
  undo?: string;
  /** A failure that a retry may fix (throttling, 5xx, timeout, network, no time left). */
  retryable?: boolean;
  /** The attempt (1, 2, ...) that ran the step. */
  attempt: number;
  startedAt: string;
  finishedAt?: string;
  /** What the runner recorded while the step ran, before its outcome was known (write-ahead). */
  progress?: Record<string, string>;
  /**
   * What the step acts on and sets, as the planner decided it (the step without its text; see `Runner.journalData`):
   * what `npm run undo` reads to plan the inverse. Never a secret. Absent in records written before it existed.
   */
  data?: Record<string, unknown>;
}

export interface TargetRecord {
  /** `<type>#<id>` of the target. */
  id: string;
  target: TargetRef;
  /**
   * The account and Region the target is in, where its steps were run (organization mode acts in member accounts):
   * what `npm run undo` acts in. Absent in records written before it existed, and for targets nothing was read of.
   */
  place?: { account: string; region: string };
  status?: TargetStatus;
  reason?: string;
  notes?: string[];
  severity?: string;
  /** Nothing is left for a retry to do: the target's result is final. */
  complete: boolean;
  steps: JournaledStep[];
  attempt: number;
  updatedAt: string;
}

export interface EventRecord {
  key: string;
  function: string;
  eventId: string;
  findingId?: string;
  /** How many invocations have claimed the event. */
  attempts: number;
  /** The request id of the invocation that holds (or last held) the claim. */
  owner: string;
  /** Until when (epoch ms) the claim holds; another invocation may take the event over after it. */
  leaseUntil: number;
  /** The event is finished: a later delivery reports it and does nothing more. */
  closed: boolean;
  status?: EventStatus;
  reason?: string;
  notification?: { subject: string; messageId?: string; at: string; attempt: number };
  /** The last approval the event asked for, and its answer once given. */
  approval?: ApprovalRecord;
  startedAt: string;
  updatedAt: string;
}

export type ApprovalState = 'awaiting' | 'approved' | 'denied' | 'expired';

/**
 * Steps held for a person's approval (APPROVAL_REQUIRED). A person answers with the approval's key,
 * `<journal key>#<nonce>`: the nonce is random, so an answer must come from someone who was told the key.
 */
export interface ApprovalRecord {
  nonce: string;
  state: ApprovalState;
  /** The attempt that asked. */
  attempt: number;
  requestedAt: string;
  expiresAt: string;
  /**
   * When the held plans were made: an approval re-reads each resource and plans again as of this time, so that the same
   * state gives the same steps.
   */
  plannedAt: string;
  /** For each target (its journal id), the SHA-256 of the steps held as planned: an approval runs them only if it plans the same. */
  plans: Record<string, string>;
  /** The kinds of the steps held. */
  kinds: string[];
  /** The event as delivered: an approval selects, reads and plans from it again. */
  event: unknown;
  /** The EventBridge Scheduler schedule that expires the approval, or why there is none. */
  expiry: { schedule: string } | { none: string };
  /** The nonce of the approval this one replaces, asked again because the plan changed. */
  replaces?: string;
  decision?: ApprovalDecision;
}

export interface ApprovalDecision {
  state: Exclude<ApprovalState, 'awaiting'>;
  at: string;
  by: Approver;
  reason?: string;
}

/** Who answered an approval, as far as the function can tell. */
export interface Approver {
  /** An IAM ARN, or what the caller said it is. */
  identity: string;
  /** True when the identity was checked (a signed sts:GetCallerIdentity request); false when the caller only stated it. */
  verified: boolean;
  /** How the answer came: `lambda:Invoke`, `EventBridge Scheduler`. */
  via: string;
}

/** What `decide` needs: the approval's nonce, and the answer. */
export interface DecideRequest {
  nonce: string;
  decision: ApprovalDecision;
  now: Date;
}

export interface ClaimRequest {
  function: string;
  eventId: string;
  findingId?: string;
  owner: string;
  now: Date;
  /** How long the claim holds: the invocation's remaining time and a margin. */
  leaseMs: number;
}

export type Claim =
  /** This invocation may act; `targets` are what earlier attempts journaled. */
  | { granted: true; attempt: number; event: EventRecord; targets: TargetRecord[] }
  /** The event is closed, or another invocation holds the claim. */
  | { granted: false; event: EventRecord; targets: TargetRecord[] };

export interface CloseRequest {
  /** False when a retry will continue the event (a transient failure, or time ran out). */
  closed: boolean;
  status: EventStatus;
  reason: string;
  notification?: EventRecord['notification'];
  /** An approval asked for: it replaces the event's last approval. */
  approval?: ApprovalRecord;
  now: Date;
}

/** Where the journal lives. Every write is conditional on the attempt, so a stale invocation cannot overwrite a newer one. */
export interface JournalStore {
  /** `dynamodb:<table>` or `memory`. */
  readonly location: string;
  claim(key: string, request: ClaimRequest): Promise<Claim>;
  saveTarget(key: string, attempt: number, record: TargetRecord): Promise<void>;
  close(key: string, attempt: number, request: CloseRequest): Promise<void>;
  /** What the journal holds of an event, without claiming it (for a person: `npm run undo`); nothing when it has none. */
  read(key: string): Promise<{ event?: EventRecord; targets: TargetRecord[] }>;
  /**
   * Answers the event's approval, atomically, only while the event is closed and its approval with this nonce awaits an
   * answer; the event is reopened (not closed, claim expired) so that the answering invocation can claim it. False when
   * the condition does not hold (another answer came first, or the nonce is not the approval's): nothing is changed.
   */
  decide(key: string, request: DecideRequest): Promise<boolean>;
}

/** Everything a journal in memory holds, as JSON: what a journal file keeps between runs. */
export interface JournalSnapshot {
  events: Record<string, EventRecord>;
  targets: Record<string, Record<string, TargetRecord>>;
}

/** The journal could not be read or written; the invocation fails so that Lambda retries it. */
export class JournalError extends MlGuardError {
  override readonly name = 'JournalError';
}

/** A newer attempt took the event over: this invocation must stop writing. Never retried. */
export class JournalConflictError extends MlGuardError {
  override readonly name = 'JournalConflictError';
  readonly retryable = false;
}

export function journalKey(functionName: string, eventId: string): string {
  return `${functionName}#${eventId}`;
}

export function targetKey(target: TargetRef): string {
  return `${target.type}#${target.id}`;
}

/** The journal in this process's memory: for local runs and tests; a new one per invocation keeps nothing between them. */
export class MemoryJournal implements JournalStore {
  readonly location = 'memory';
  private readonly events = new Map<string, EventRecord>();
  private readonly targets = new Map<string, Map<string, TargetRecord>>();

  /** A journal holding what a snapshot holds. */
  static from(snapshot: JournalSnapshot): MemoryJournal {
    const journal = new MemoryJournal();
    for (const [key, event] of Object.entries(snapshot.events)) journal.events.set(key, structuredClone(event));
    for (const [key, targets] of Object.entries(snapshot.targets))
      journal.targets.set(key, new Map(Object.entries(structuredClone(targets))));
    return journal;
  }

  snapshot(): JournalSnapshot {
    return structuredClone({
      events: Object.fromEntries(this.events),
      targets: Object.fromEntries([...this.targets].map(([key, targets]) => [key, Object.fromEntries(targets)])),
    });
  }

  async read(key: string): Promise<{ event?: EventRecord; targets: TargetRecord[] }> {
    const event = this.events.get(key);
    return {
      ...(event ? { event: structuredClone(event) } : {}),
      targets: [...(this.targets.get(key)?.values() ?? [])].map((t) => structuredClone(t)),
    };
  }

  async claim(key: string, r: ClaimRequest): Promise<Claim> {
    const now = r.now.getTime();
    const old = this.events.get(key);
    const targets = () => [...(this.targets.get(key)?.values() ?? [])].map((t) => structuredClone(t));
    if (old && (old.closed || (old.leaseUntil > now && old.owner !== r.owner))) {
      return { granted: false, event: structuredClone(old), targets: targets() };
    }
    const event: EventRecord = {
      key,
      function: r.function,
      eventId: r.eventId,
      ...(r.findingId ? { findingId: r.findingId } : {}),
      attempts: (old?.attempts ?? 0) + 1,
      owner: r.owner,
      leaseUntil: now + r.leaseMs,
      closed: false,
      startedAt: old?.startedAt ?? r.now.toISOString(),
      updatedAt: r.now.toISOString(),
      ...(old?.notification ? { notification: old.notification } : {}),
      ...(old?.approval ? { approval: old.approval } : {}),
    };
    this.events.set(key, event);
    return { granted: true, attempt: event.attempts, event: structuredClone(event), targets: targets() };
  }

  async saveTarget(key: string, attempt: number, record: TargetRecord): Promise<void> {
    const targets = this.targets.get(key) ?? new Map<string, TargetRecord>();
    const old = targets.get(record.id);
    if (old && old.attempt > attempt) throw new JournalConflictError(`target ${record.id} of ${key} was written by attempt ${old.attempt}`);
    targets.set(record.id, structuredClone(record));
    this.targets.set(key, targets);
  }

  async close(key: string, attempt: number, r: CloseRequest): Promise<void> {
    const old = this.events.get(key);
    if (!old || old.attempts !== attempt)
      throw new JournalConflictError(`${key} is claimed by attempt ${old?.attempts ?? 'none'}, not ${attempt}`);
    this.events.set(key, {
      ...old,
      closed: r.closed,
      status: r.status,
      reason: r.reason,
      ...(r.notification ? { notification: r.notification } : {}),
      ...(r.approval ? { approval: r.approval } : {}),
      leaseUntil: 0,
      updatedAt: r.now.toISOString(),
    });
  }

  async decide(key: string, r: DecideRequest): Promise<boolean> {
    const old = this.events.get(key);
    if (!old?.closed || old.approval?.nonce !== r.nonce || old.approval.state !== 'awaiting') return false;
    this.events.set(key, {
      ...old,
      approval: { ...old.approval, state: r.decision.state, decision: structuredClone(r.decision) },
      closed: false,
      leaseUntil: 0,
      updatedAt: r.now.toISOString(),
    });
    return true;
  }
}
