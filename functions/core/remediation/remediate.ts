import { AuditWriteError, recordAudit } from '../audit/sink.js';
import { type Config, modeIn } from '../config.js';
import { describeError, isTransient, RetryLaterError } from '../errors.js';
import type { ManagedRuleId } from '../events/config-rules.js';
import { isSampleFinding } from '../events/guardduty.js';
import type { DetailSchemas, ParsedEvent } from '../events/parse.js';
import {
  type Claim,
  type JournaledStep,
  type JournalStore,
  journalKey,
  MemoryJournal,
  type TargetRecord,
  targetKey,
} from '../journal/journal.js';
import { describeEvent } from '../notify/describe-event.js';
import { formatNotification } from '../notify/format.js';
import { deliver, NotificationError } from '../notify/publish.js';
import { countOutcome, logger } from '../observability.js';
import { atLeast, type Severity } from '../severity.js';
import { boundText, QUOTED_VALUE_MAX } from '../text.js';
import { type Acting, actingFor, identifiedAt, type Place, placeOfEvent, refusalFor, within } from './accounts.js';
import type { Answered, Approvals, GateOf } from './approval.js';
import { executePlan, fromJournal, worstStatus } from './execute.js';
import { type EventIds, ignore, intake, reportHandled } from './intake.js';
import { type EventResult, type JournalReport, loggableResult } from './result.js';
import type { Plan, Runners, StepBase, TargetRef, TargetResult } from './types.js';

/** What a function acts on for one event, or why it acts on nothing. */
export type Selection<T> =
  | { action: 'remediate'; targets: T[] }
  | { action: 'ignore'; reason: string }
  | { action: 'notify'; reason: string; targets?: TargetRef[] };

/** What a planner may know besides its target and state. Not the mode: dry-run is decided by the executor alone. */
export interface PlanContext {
  event: ParsedEvent;
  config: Config;
  now: Date;
}

/** The most targets one event may change, and the setting that says so. */
export interface TargetLimit {
  max: number;
  setting: string;
  /** What a target is called, in the plural: `buckets`. */
  noun: string;
}

/** One function's remediation: the flow `select targets -> observe -> plan -> execute -> notify` runs it. */
export interface Remediation<T, State, S extends StepBase, Aws> {
  /**
   * The detail schemas of the kinds of event the function acts on, read at cold start. An event of another kind is
   * validated all the same (its schema is loaded then) and ignored by `selectTargets`.
   */
  details: Partial<DetailSchemas>;
  /** From a validated event, the targets to act on; pure. */
  selectTargets(event: ParsedEvent, config: Config): Selection<T>;
  /** Reads the target's current state; reports what it could not read rather than throwing where it can. */
  observe(target: T, aws: Aws, context: PlanContext): Promise<State>;
  /** Pure: from the target and its observed state, the steps to take (or why none). */
  plan(target: T, state: State, context: PlanContext): Plan<S>;
  /** Names a target before it is read: for the result, and as its key in the journal. */
  describeTarget(target: T): TargetRef;
  /** The account and region the target is in: where its reads and writes go, and whose mode applies. */
  placeOf(target: T): Place;
  /** A target only people can act on (the root user): nothing is read or changed, so no account refuses it. */
  readsNothing?(target: T): boolean;
  runners: Runners<S, Aws>;
  /**
   * The AWS Config managed rules the function takes: for these functions the flow reads a compliance change's rule
   * source (DescribeConfigRules) before `selectTargets`; a function without them is never given one.
   */
  configRules?: readonly ManagedRuleId[];
  /** An event naming more targets than this changes none of them: a person decides. */
  targetLimit?(config: Config): TargetLimit;
}

export interface RunOptions<Aws> {
  functionName: string;
  config: Config;
  aws: Aws;
  now?: () => Date;
  /** The invocation's remaining time (the Lambda context's `getRemainingTimeInMillis`); without it, time is not limited. */
  remainingMs?: () => number;
  /** The invocation's request id, which claims the event in the journal. */
  requestId?: string;
  /** The account the function runs in (from the Lambda context's function ARN); without it, the account the event was delivered in. */
  ownAccount?: string;
  /** Default: the DynamoDB table JOURNAL_TABLE names, or without it a new in-memory journal (this invocation only). */
  journal?: JournalStore;
  /** The function's ARN (the Lambda context's): the target of an approval's expiry schedule. */
  functionArn?: string;
  /** The function's name as deployed (the Lambda context's): what an approval command invokes. */
  deployedName?: string;
}

/** How long a claim outlives the invocation's own deadline, for clock differences. */
const LEASE_MARGIN_MS = 10_000;
/** The claim of an invocation that does not know its deadline (a local run). */
const DEFAULT_LEASE_MS = 15 * 60_000;

/**
 * Validates the event, claims it in the journal, remediates each target (resuming what earlier attempts journaled),
 * notifies, closes the journal, writes the audit record, logs and counts the outcome. Never throws for bad input.
 * Throws, so that Lambda retries, when the notification cannot be published, when work is left that a retry can finish
 * (a transient failure, or too little time), or when the audit record of the closed event cannot be written: the retry
 * resumes from the journal and repeats nothing.
 */
export async function remediate<T, State, S extends StepBase, Aws>(
  raw: unknown,
  remediation: Remediation<T, State, S, Aws>,
  options: RunOptions<Aws>,
): Promise<EventResult> {
  if (isApprovalMessage(raw)) {
    // The approval path is loaded by the first answer, not at cold start.
    const { answerApproval } = await import('./answer.js');
    return answerApproval(raw, remediation, options, { respond, journalFor });
  }
  const received = await intake(raw, { function: options.functionName, mode: options.config.mode }, remediation.details);
  if ('ignored' in received) return received.ignored;
  return respond(raw, received, remediation, options);
}

/** A message for the approval path rather than an EventBridge event: it has `approval` and no `detail-type`. */
function isApprovalMessage(raw: unknown): boolean {
  return (
    typeof raw === 'object' && raw !== null && !Array.isArray(raw) && Object.hasOwn(raw, 'approval') && !Object.hasOwn(raw, 'detail-type')
  );
}

/** Nothing waits for approval: the plan runs as it is. */
const noApproval = () => ({});

/** A target's result is final unless a retry continues it or a person's approval is awaited. */
function isFinal(t: TargetResult): boolean {
  return !t.retry && !holdsSteps(t);
}

/** Steps of the target wait for approval (its status may say worse: a step before them failed). */
function holdsSteps(t: TargetResult): boolean {
  return t.steps.some((s) => s.outcome === 'awaiting-approval');
}

/** The severity the event's notification has (for an escalation, which goes one above). */
function severityOf(event: ParsedEvent): Severity {
  return describeEvent(event)?.severity ?? 'INFO';
}

/**
 * The flow of a valid event (`remediate`), or of an event an approval answer brings back (`answerApproval`): selects,
 * claims, remediates each target, asks for approval of what it holds, notifies, closes the journal, records the audit.
 */
async function respond<T, State, S extends StepBase, Aws>(
  raw: unknown,
  received: { event: ParsedEvent; ids: EventIds },
  remediation: Remediation<T, State, S, Aws>,
  options: RunOptions<Aws>,
  answered?: Answered,
): Promise<EventResult> {
  const { functionName, config } = options;
  const { ids } = received;
  // The account the event is about decides the mode (ACCOUNT_MODES) and where the Config rule's source is read.
  const place = placeOfEvent(received.event);
  const accounts: Accounts = { functionName, ownAccount: options.ownAccount ?? received.event.envelope.account, eventId: ids.eventId };
  const base = {
    function: functionName,
    mode: modeIn(config, place.account, accounts.ownAccount),
    ...(showsAccount(config) ? { account: place.account } : {}),
  };
  const event = remediation.configRules ? await identifiedAt(received.event, place, config, accounts) : received.event;

  const selection = remediation.selectTargets(event, config);
  if (selection.action === 'ignore') return ignore({ ...base, ...ids }, selection.reason);

  const clock = options.now ?? (() => new Date());
  const now = clock();
  const journal = options.journal ?? (await journalFor(config));
  const key = journalKey(functionName, ids.eventId);
  const claim = await journal.claim(key, {
    function: functionName,
    eventId: ids.eventId,
    ...(ids.findingId ? { findingId: ids.findingId } : {}),
    owner: options.requestId ?? `local-${process.pid}-${now.getTime()}`,
    now,
    leaseMs: (options.remainingMs?.() ?? DEFAULT_LEASE_MS) + LEASE_MARGIN_MS,
  });
  if (!claim.granted) {
    const replayed = replay(claim, { ...base, ...ids }, journal.location);
    // A closed event's audit record is written again if missing (a failed write failed the invocation that closed it).
    if (claim.event.closed) {
      const audit = await recordAudit(config, {
        event,
        result: { ...replayed, reason: claim.event.reason ?? replayed.reason },
        journaled: (t) => claim.targets[replayed.targets.indexOf(t)]?.steps,
        now: clock(),
      });
      if (audit) replayed.audit = audit;
      if (audit?.outcome === 'failed') throw auditFailure(audit.location, audit.error, journal.location, key);
    }
    return replayed;
  }
  const attempt = claim.attempt;
  const journalReport: JournalReport = { location: journal.location, key, attempt };
  logger.appendKeys({ journalKey: boundText(key, QUOTED_VALUE_MAX), attempt });

  // An approval plans again as of the time the held steps were planned: the same state then gives the same steps.
  const context: PlanContext = { event, config, now: answered ? new Date(answered.approval.plannedAt) : now };
  // The approval code is loaded only where steps may wait for approval, or an answer is acted on.
  const approvals: Approvals<S> | undefined =
    config.approval.required.size > 0 || answered
      ? (await import('./approval.js')).approvalsOf(remediation.runners as Runners<S, unknown>, config, answered, severityOf(event))
      : undefined;
  const hasTimeFor = () => !options.remainingMs || options.remainingMs() > config.timeReserveMs;
  const earlier = new Map(claim.targets.map((t) => [t.id, t]));
  // Each target's journal key, from `describeTarget` (a result may name its target more fully, e.g. with an id).
  const keyOf = new Map<TargetResult, string>();
  const saved = new Set<string>();
  // What the journal holds of each target's steps, for the audit record (their times).
  const journaledOf = new Map<TargetResult, readonly JournaledStep[]>();

  let targets: TargetResult[];
  let reason: string | undefined;
  const limit = remediation.targetLimit?.(config);
  if (event.kind === 'guardduty' && isSampleFinding(event.finding)) {
    reason = 'GuardDuty sample finding: it names placeholder resources, so nothing was read or changed (the wiring works)';
    targets = notifyOnly(
      selection.action === 'remediate' ? selection.targets.map(remediation.describeTarget) : (selection.targets ?? []),
      reason,
    );
  } else if (selection.action === 'notify') {
    reason = selection.reason;
    targets = notifyOnly(selection.targets ?? [], reason);
  } else if (limit && selection.targets.length > limit.max) {
    reason = `the event names ${selection.targets.length} ${limit.noun}, more than ${limit.setting} (${limit.max}): none was read or changed, a person decides`;
    targets = selection.targets.map((t) => ({ target: remediation.describeTarget(t), status: 'limit-exceeded', reason, steps: [] }));
  } else {
    targets = [];
    for (const target of selection.targets) {
      const ref = remediation.describeTarget(target);
      const id = targetKey(ref);
      const before = earlier.get(id);
      if (before?.complete) {
        const done = resultOf(before);
        keyOf.set(done, id);
        journaledOf.set(done, before.steps);
        targets.push(done);
        continue;
      }
      if (!hasTimeFor()) {
        targets.push({
          target: ref,
          status: 'deferred',
          reason: 'not started: too little time was left in this invocation; the retry continues',
          steps: [],
          retry: true,
        });
        continue;
      }
      const gating = approvals?.gateFor(id, before) ?? { gate: noApproval };
      if ('answered' in gating) {
        // A denial, or an expiry escalated: nothing is read or run; the held steps are reported not run, and why.
        const { result, steps } = gating.answered(ref);
        await journal.saveTarget(key, attempt, { ...recordOf(result, true, attempt, clock()), id, steps });
        saved.add(id);
        keyOf.set(result, id);
        journaledOf.set(result, steps);
        targets.push(result);
        continue;
      }
      // The executor journals the steps as they run; the target's record is completed with its result below.
      let journaled: JournaledStep[] | undefined;
      const { account, region } = remediation.placeOf(target);
      const place = { account, region };
      const result = await remediateTarget(target, ref, remediation, options.aws, context, accounts, gating.gate, {
        attempt,
        earlier: before?.steps ?? [],
        hasTimeFor,
        now: clock,
        journal: (steps) => {
          journaled = steps;
          return journal.saveTarget(key, attempt, {
            ...recordOf({ target: ref, status: 'deferred', steps: [] }, false, attempt, clock()),
            id,
            place,
            steps,
          });
        },
      });
      // Steps this attempt did not journal (it held back, or could not plan) keep what earlier attempts journaled.
      const steps = journaled ?? before?.steps;
      await journal.saveTarget(key, attempt, {
        ...recordOf(result, isFinal(result), attempt, clock()),
        id,
        place,
        ...(steps ? { steps } : {}),
      });
      saved.add(id);
      keyOf.set(result, id);
      if (steps) journaledOf.set(result, steps);
      targets.push(result);
    }
  }
  // The rest (notified only, limited, deferred): journaled as they are, so that a repeated delivery reports them.
  for (const t of targets) {
    const id = keyOf.get(t) ?? targetKey(t.target);
    if (!saved.has(id) && !earlier.get(id)?.complete) await journal.saveTarget(key, attempt, recordOf(t, isFinal(t), attempt, clock()));
  }

  const retry = targets.some((t) => t.retry);
  const status = worstStatus(targets.map((t) => t.status)) ?? 'notified';
  // Steps held for approval, once the event is closed (a retry holds them again and asks then): a new approval.
  const asked = retry
    ? undefined
    : await approvals?.ask(
        targets.flatMap((t) => (holdsSteps(t) ? [keyOf.get(t) ?? targetKey(t.target)] : [])),
        { journalKey: key, attempt, now: clock(), plannedAt: context.now, event: raw, functionArn: options.functionArn },
      );
  const result: EventResult = {
    status,
    reason: reason ?? summarise(targets),
    ...base,
    ...ids,
    targets,
    journal: { ...journalReport, ...(retry ? { retry } : {}) },
    ...(asked || answered
      ? (await import('./approval.js')).approvalReportOf(asked, answered, {
          journalKey: key,
          journalLocation: journal.location,
          actOnExpiry: config.approval.actOnExpiry,
          ...(options.deployedName ? { functionName: options.deployedName } : {}),
          ...(options.functionArn ? { region: options.functionArn.split(':')[3] } : {}),
        })
      : {}),
  };
  const notification = formatNotification(result, describeEvent(event));
  try {
    result.notification = await deliver(notification, config.topicArn);
  } catch (error) {
    // Everything done is journaled: the retry reports it and publishes again.
    await journal.close(key, attempt, { closed: false, status, reason: result.reason, now: clock() }).catch(() => undefined);
    countOutcome('notification-failed');
    const message = error instanceof NotificationError ? error.message : describeError(error);
    throw new NotificationError(`${message}; journal ${journal.location} key ${key}`, { cause: error });
  }
  const messageId = result.notification.messageId;
  await journal.close(key, attempt, {
    closed: !retry,
    status,
    reason: result.reason,
    ...(asked ? { approval: asked } : {}),
    notification: { subject: notification.subject, ...(messageId ? { messageId } : {}), at: clock().toISOString(), attempt },
    now: clock(),
  });
  // The audit record of the closed event. Written after the journal closes: a failure fails the invocation (below), and
  // Lambda's retry, finding the event closed, repeats nothing, sends no notification and writes the record (`replay`).
  const audit = retry
    ? undefined
    : await recordAudit(config, { event, result, journaled: (t) => journaledOf.get(t), now: clock() }, { countTimeToContain: true });
  if (audit) result.audit = audit;
  reportHandled(result, status === 'failed' || status === 'partial' || retry || audit?.outcome === 'failed' ? 'error' : 'info');
  if (audit?.outcome === 'failed') throw auditFailure(audit.location, audit.error, journal.location, key);
  if (retry) {
    const left = targets.filter((t) => t.retry).map((t) => t.target.id);
    throw new RetryLaterError(
      `work left for a retry on ${left.length} target(s) (${left.slice(0, 5).join(', ')}${left.length > 5 ? ', ...' : ''}): a transient failure or too little time; journal ${journal.location} key ${key}`,
    );
  }
  return result;
}

async function remediateTarget<T, State, S extends StepBase, Aws>(
  target: T,
  ref: TargetRef,
  remediation: Remediation<T, State, S, Aws>,
  aws: Aws,
  context: PlanContext,
  accounts: Accounts,
  gate: GateOf<S>,
  journaling: Pick<Parameters<typeof executePlan>[3], 'attempt' | 'earlier' | 'hasTimeFor' | 'now' | 'journal'>,
): Promise<TargetResult> {
  const place = remediation.placeOf(target);
  const mode = modeIn(context.config, place.account, accounts.ownAccount);
  // Which account the target is in, and whether the function may act there, is decided before any call about it.
  const reads = !remediation.readsNothing?.(target);
  const refused = reads ? refusalFor(place, context.config, accounts.ownAccount) : undefined;
  if (refused) {
    logger.warn('target refused: not an account ml-guard acts in', { target: ref, account: place.account, region: place.region });
    return { target: ref, status: 'notified', reason: refused, steps: [] };
  }
  let plan: Plan<S>;
  let acting: Acting | undefined;
  try {
    acting = reads ? await actingFor(accounts.functionName, place, context.config, accounts.ownAccount, accounts.eventId) : undefined;
    // The member role is assumed before the first read, so that a refusal says what to deploy rather than failing each read.
    await acting?.credentials?.();
    const state = await within(acting, () => remediation.observe(target, aws, context));
    plan = remediation.plan(target, state, context);
  } catch (error) {
    logger.error('could not plan', { target: ref, error: describeError(error) });
    const retry = isTransient(error);
    return { target: ref, status: 'failed', reason: `could not plan: ${describeError(error)}`, steps: [], ...(retry ? { retry } : {}) };
  }
  logger.info('plan', { plan, ...(acting ? { account: place.account, region: place.region } : {}), mode });
  const gating = gate(plan);
  if (gating.notes?.length) plan = { ...plan, notes: [...(plan.notes ?? []), ...gating.notes] };
  if (gating.severity) plan = { ...plan, severity: atLeast(gating.severity, [plan.severity]) };
  const approval = gating.gate;
  return within(acting, () =>
    executePlan(plan, remediation.runners, aws, {
      dryRun: mode === 'dry-run',
      ...journaling,
      ...(approval ? { approval } : {}),
      onStepFailed: (step, error) => logger.error('step failed', { step: step.kind, summary: step.summary, error: describeError(error) }),
    }),
  );
}

/** What the flow needs to decide, for each target, whether and with which credentials it acts in its account. */
interface Accounts {
  functionName: string;
  ownAccount: string;
  eventId: string;
}

/** Results and notifications name the account whose mode applied when accounts can differ in mode or place. */
function showsAccount(config: Config): boolean {
  return Boolean(config.memberRolePrefix) || Object.keys(config.accountModes).length > 0;
}

let chosenJournal: JournalStore | undefined;

/** Journals every event in this store instead of the configured one (a local run's `--journal FILE`); `undefined` restores it. */
export function useJournal(store: JournalStore | undefined): void {
  chosenJournal = store;
}

/**
 * The journal the configuration names: DynamoDB in a deployment, memory (this invocation only) in a local run, unless
 * `useJournal` chose one. The DynamoDB journal and its client are loaded by the first event that claims, not at cold start.
 */
async function journalFor(config: Config): Promise<JournalStore> {
  if (chosenJournal) return chosenJournal;
  if (!config.journalTable) return new MemoryJournal();
  const { DynamoJournal } = await import('../journal/dynamodb.js');
  return new DynamoJournal(config.journalTable, config.journalRetentionDays);
}

/**
 * A delivery of an event that is closed (a duplicate: report what was done, send nothing) or that another invocation
 * is handling right now (change nothing; that invocation reports).
 */
function replay(
  claim: Extract<Claim, { granted: false }>,
  base: Omit<EventResult, 'status' | 'reason' | 'targets'>,
  location: string,
): EventResult {
  const e = claim.event;
  const journal: JournalReport = { location, key: e.key, attempt: e.attempts };
  const targets = claim.targets.map(resultOf);
  countOutcome('duplicate');
  if (e.closed) {
    const n = e.notification;
    const result: EventResult = {
      status: e.status ?? 'notified',
      reason: `${e.reason ?? 'handled'} (a repeated delivery: the event was handled by attempt ${e.attempts}; nothing was done again)`,
      ...base,
      targets,
      journal,
      ...(n
        ? {
            notification: {
              subject: n.subject,
              published: Boolean(n.messageId),
              ...(n.messageId ? { messageId: n.messageId } : {}),
              note: `sent by attempt ${n.attempt} at ${n.at}; not sent again`,
            },
          }
        : {}),
    };
    logger.info('repeated delivery of a handled event', { result: loggableResult(result) });
    return result;
  }
  const result: EventResult = {
    status: 'duplicate',
    reason: `another invocation (${e.owner}) is handling this event, claimed until ${new Date(e.leaseUntil).toISOString()}: this delivery changed nothing`,
    ...base,
    targets,
    journal,
  };
  logger.warn('concurrent delivery of an event in progress', { result: loggableResult(result) });
  return result;
}

function auditFailure(location: string, error: string | undefined, journal: string, key: string): AuditWriteError {
  return new AuditWriteError(
    `the audit record ${location} was not written (${error ?? 'unknown error'}): the event is closed, a retry writes it and repeats nothing; journal ${journal} key ${key}`,
  );
}

function recordOf(result: TargetResult, complete: boolean, attempt: number, now: Date): TargetRecord {
  return {
    id: targetKey(result.target),
    target: result.target,
    status: result.status,
    ...(result.reason ? { reason: result.reason } : {}),
    ...(result.notes?.length ? { notes: result.notes } : {}),
    ...(result.severity ? { severity: result.severity } : {}),
    complete,
    steps: result.steps.map((s, i) => ({
      id: `${s.kind}#${i}`,
      kind: s.kind,
      summary: s.summary,
      state: s.outcome,
      ...(s.detail ? { detail: s.detail } : {}),
      ...(s.undo ? { undo: s.undo } : {}),
      ...(s.retryable ? { retryable: true } : {}),
      attempt: s.earlierAttempt ?? attempt,
      startedAt: now.toISOString(),
    })),
    attempt,
    updatedAt: now.toISOString(),
  };
}

/** A target an earlier attempt finished, as this attempt reports it. */
function resultOf(record: TargetRecord): TargetResult {
  return {
    target: record.target,
    status: record.status ?? 'failed',
    ...(record.reason ? { reason: record.reason } : {}),
    ...(record.notes?.length ? { notes: record.notes } : {}),
    ...(record.severity ? { severity: record.severity as Severity } : {}),
    steps: record.steps.filter((s) => s.state !== 'started').map(fromJournal),
  };
}

function notifyOnly(targets: TargetRef[], reason: string): TargetResult[] {
  return targets.map((target) => ({ target, status: 'notified', reason, steps: [] }));
}

function summarise(targets: TargetResult[]): string {
  if (targets.length === 1 && targets[0]) return targets[0].reason ?? targets[0].status;
  const counts = new Map<string, number>();
  for (const t of targets) counts.set(t.status, (counts.get(t.status) ?? 0) + 1);
  return `${targets.length} targets: ${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}`;
}
