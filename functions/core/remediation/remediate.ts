import type { Config } from '../config.js';
import { describeError, InvalidEventError, UnsupportedEventError } from '../errors.js';
import { isSampleFinding } from '../events/guardduty.js';
import { findingIdOf, parseEvent, type ParsedEvent } from '../events/parse.js';
import { countOutcome, logger } from '../observability.js';
import { describeEvent } from '../notify/describe-event.js';
import { formatNotification } from '../notify/format.js';
import { deliver } from '../notify/publish.js';
import { executePlan, worstStatus } from './execute.js';
import type { EventResult } from './result.js';
import type { Plan, Runners, StepBase, TargetRef, TargetResult } from './types.js';

/** What a function acts on for one event, or why it acts on nothing. */
export type Selection<T> =
  | { action: 'remediate'; targets: T[] }
  | { action: 'ignore'; reason: string }
  | { action: 'notify'; reason: string; targets?: TargetRef[] };

export interface PlanContext {
  event: ParsedEvent;
  config: Config;
  now: Date;
  dryRun: boolean;
}

/** One function's remediation: the flow `select targets -> observe -> plan -> execute -> notify` runs it. */
export interface Remediation<T, State, S extends StepBase, Aws> {
  /** From a validated event, the targets to act on; pure. */
  selectTargets(event: ParsedEvent, config: Config): Selection<T>;
  /** Reads the target's current state; reports what it could not read rather than throwing where it can. */
  observe(target: T, aws: Aws, context: PlanContext): Promise<State>;
  /** Pure: from the target and its observed state, the steps to take (or why none). */
  plan(target: T, state: State, context: PlanContext): Plan<S>;
  /** Names a target whose observation or planning crashed, for the result. */
  describeTarget(target: T): TargetRef;
  runners: Runners<S, Aws>;
}

export interface RunOptions<Aws> {
  functionName: string;
  config: Config;
  aws: Aws;
  now?: () => Date;
}

/** Validates the event, remediates each target, notifies, logs and counts the outcome. Never throws for bad input. */
export async function remediate<T, State, S extends StepBase, Aws>(
  raw: unknown,
  remediation: Remediation<T, State, S, Aws>,
  options: RunOptions<Aws>,
): Promise<EventResult> {
  const { functionName, config } = options;
  const base = { function: functionName, mode: config.mode };

  let event: ParsedEvent;
  try {
    event = parseEvent(raw);
  } catch (error) {
    if (error instanceof InvalidEventError || error instanceof UnsupportedEventError) {
      return ignore({ ...base, ...idsOf(raw) }, error.message);
    }
    throw error;
  }
  const ids = { eventId: event.envelope.id, findingId: findingIdOf(event), source: sourceName(event) };
  logger.appendKeys({ eventId: ids.eventId, findingId: ids.findingId });

  const selection = remediation.selectTargets(event, config);
  if (selection.action === 'ignore') return ignore({ ...base, ...ids }, selection.reason);

  const context: PlanContext = { event, config, now: (options.now ?? (() => new Date()))(), dryRun: config.mode === 'dry-run' };
  let targets: TargetResult[];
  let reason: string | undefined;
  if (event.kind === 'guardduty' && isSampleFinding(event.finding)) {
    reason = 'GuardDuty sample finding: it names placeholder resources, so nothing was read or changed (the wiring works)';
    targets = notifyOnly(selection.action === 'remediate' ? selection.targets.map(remediation.describeTarget) : (selection.targets ?? []), reason);
  } else if (selection.action === 'notify') {
    reason = selection.reason;
    targets = notifyOnly(selection.targets ?? [], reason);
  } else {
    targets = [];
    for (const target of selection.targets) targets.push(await remediateTarget(target, remediation, options.aws, context));
  }

  const status = worstStatus(targets.map((t) => t.status)) ?? 'notified';
  const result: EventResult = { status, reason: reason ?? summarise(targets), ...base, ...ids, targets };
  const notification = formatNotification(result, describeEvent(event));
  result.notification = await deliver(notification, config.topicArn);
  countOutcome(status);
  logger[status === 'failed' || status === 'partial' ? 'error' : 'info']('event handled', { result: { ...result, notification: { ...result.notification, message: undefined } } });
  return result;
}

async function remediateTarget<T, State, S extends StepBase, Aws>(
  target: T,
  remediation: Remediation<T, State, S, Aws>,
  aws: Aws,
  context: PlanContext,
): Promise<TargetResult> {
  let plan: Plan<S>;
  try {
    const state = await remediation.observe(target, aws, context);
    plan = remediation.plan(target, state, context);
  } catch (error) {
    logger.error('could not plan', { target: remediation.describeTarget(target), error: describeError(error) });
    return { target: remediation.describeTarget(target), status: 'failed', reason: `could not plan: ${describeError(error)}`, steps: [] };
  }
  logger.info('plan', { plan });
  return executePlan(plan, remediation.runners, aws, {
    dryRun: context.dryRun,
    onStepFailed: (step, error) => logger.error('step failed', { step: step.kind, summary: step.summary, error: describeError(error) }),
  });
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

function ignore(base: Omit<EventResult, 'status' | 'reason' | 'targets'>, reason: string): EventResult {
  const result: EventResult = { status: 'ignored', reason, ...base, targets: [] };
  logger.warn('event ignored', { reason, eventId: base.eventId });
  countOutcome('ignored');
  return result;
}

function sourceName(event: ParsedEvent): string {
  return event.kind === 'alarm' ? 'cloudwatch' : event.kind;
}

/** The event id of an event that failed validation, when it has a usable one, for the log line. */
function idsOf(raw: unknown): { eventId?: string } {
  if (raw && typeof raw === 'object' && 'id' in raw && typeof raw.id === 'string') return { eventId: raw.id };
  return {};
}
