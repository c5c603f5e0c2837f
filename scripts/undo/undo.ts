import { auditKey } from '../../functions/core/audit/record.js';
import type { AuditSink } from '../../functions/core/audit/sink.js';
import { actIn } from '../../functions/core/aws/client-options.js';
import { publish } from '../../functions/core/aws/sns.js';
import { describeError } from '../../functions/core/errors.js';
import type { EventRecord, JournaledStep, JournalStore, TargetRecord } from '../../functions/core/journal/journal.js';
import type { TargetRef } from '../../functions/core/remediation/types.js';
import { undoAuditRecord } from './audit.js';
import { runQuarantineUndo } from './aws.js';
import { planQuarantineUndo, priorStateLocation, type QuarantineUndoAction, readBucket, readPriorState } from './quarantine.js';
import { planRotateUndo, type RotateUndoAction, readCredentials, runRotateUndo } from './rotate.js';
import { planStopUndo, readJobTags, runStopUndo, type StopUndoAction } from './stop.js';
import { changed, type Inverse, type UndoPlan, undoSubject } from './types.js';

/** Runs reads or writes of the target in its account and Region (with the person's own credentials). */
type InTarget = <T>(work: () => Promise<T>) => Promise<T>;

/**
 * How to undo what one function did: plan from the journal and live state (reads only; those of the target in its
 * account and Region), and run one inverse.
 */
interface Undoer<A> {
  plan(record: TargetRecord, inTarget: InTarget): Promise<UndoPlan<A>>;
  run(action: A): Promise<void>;
}

const quarantine: Undoer<QuarantineUndoAction> = {
  async plan(record, inTarget) {
    // The prior state is in the stack's own forensics bucket, wherever the bucket was.
    const location = priorStateLocation(record);
    const prior = location ? await readPriorState(location) : undefined;
    const owner = record.steps.map((s) => s.data?.expectedOwner).find((o): o is string => typeof o === 'string');
    const live = await inTarget(() => readBucket({ bucket: record.target.id, ...(owner ? { expectedOwner: owner } : {}) }));
    return planQuarantineUndo(record, prior, live);
  },
  run: runQuarantineUndo,
};

const rotate: Undoer<RotateUndoAction> = {
  plan: async (record, inTarget) => planRotateUndo(record, await inTarget(() => readCredentials(record))),
  run: runRotateUndo,
};

const stop: Undoer<StopUndoAction> = {
  plan: async (record, inTarget) => planStopUndo(record, await inTarget(() => readJobTags(record))),
  run: runStopUndo,
};

/** Runs `work` in the target's account and Region, as journaled; a record without a place, where the credentials point. */
function inPlaceOf(record: TargetRecord): InTarget {
  const place = record.place;
  return (work) => (place ? actIn({ account: place.account, region: place.region }, work) : work());
}

/**
 * Why a target's steps cannot be undone with these credentials: the target is in another account than the one they
 * are of (organization mode acts in member accounts; the undo never assumes a role). Nothing is read there.
 */
async function wrongAccount(record: TargetRecord, callerAccount: (() => Promise<string>) | undefined): Promise<string | undefined> {
  const place = record.place;
  if (!place || !callerAccount || !record.steps.some(changed)) return undefined;
  const caller = await callerAccount();
  if (caller === place.account) return undefined;
  return `${record.target.id} is in account ${place.account} (${place.region}), and your credentials are of account ${caller}: run the undo with credentials of account ${place.account}`;
}

/** The functions whose actions can be undone, by journal key prefix. */
export const undoers: Record<string, Undoer<never> | undefined> = {
  'quarantine-public-bucket': quarantine as Undoer<never>,
  'rotate-credentials': rotate as Undoer<never>,
  'stop-compromised-training-job': stop as Undoer<never>,
};

export type UndoOutcome = 'would-do' | 'done' | 'failed' | 'refused' | 'guidance';

export interface UndoStepReport {
  /** The kind and summary of the step undone. */
  undoes: { kind: string; summary: string };
  summary: string;
  outcome: UndoOutcome;
  detail?: string;
  action?: unknown;
}

export interface UndoReport {
  /** The journal key of the event undone: `<function>#<event id>`. */
  key: string;
  function: string;
  execute: boolean;
  /** `refused`: every step left to undo was refused (changed since); `nothing-to-undo`: ml-guard changed nothing. */
  status: 'planned' | 'undone' | 'partial' | 'failed' | 'refused' | 'nothing-to-undo';
  targets: { target: TargetRef; steps: UndoStepReport[]; notes: string[] }[];
  /** Where the undo itself was journaled (`undo#<key>`), with --execute. */
  journal?: { location: string; key: string; attempt: number };
  notification?: { published: boolean; messageId?: string; note?: string };
  /** The undo's audit record, with --execute and an audit sink: where it is, or why it was not written. */
  audit?: { location: string; outcome: 'written' | 'already-written' | 'failed'; error?: string };
}

export interface UndoOptions {
  journal: JournalStore;
  /** `<function>#<event id>`. */
  key: string;
  /** Only the steps of these kinds (`--step`); every step when empty. */
  kinds?: readonly string[];
  execute: boolean;
  now?: () => Date;
  /** Who runs it, for the undo's journal record. */
  owner?: string;
  /** SNS topic to notify of an executed undo (TOPIC_ARN). */
  topicArn?: string;
  /** Where the audit record of an executed undo goes (AUDIT_BUCKET, or `--audit FILE`). */
  audit?: AuditSink;
  /**
   * The account the person's credentials are of (sts:GetCallerIdentity), asked only when a target with changes to undo
   * was acted on in a known account: a target in another account is refused, not undone there.
   */
  callerAccount?: () => Promise<string>;
}

/** The undo journal's key for an event: a record of its own, so that ml-guard's replay of the event never reads it. */
export const undoJournalKey = (key: string) => `undo#${key}`;

/**
 * Plans the undo of what ml-guard did for one event, from its journal and the live state, and with `execute` runs it:
 * each inverse in order, journaled (started, then its outcome) under `undo#<key>`, then notified. A refused inverse is
 * reported with what changed; the others still run.
 */
export async function undoEvent(options: UndoOptions): Promise<UndoReport> {
  const fn = options.key.split('#')[0] ?? '';
  const undoer = undoers[fn];
  if (!undoer)
    throw new UndoError(`cannot undo ${fn}: no function of that name changes anything (known: ${Object.keys(undoers).join(', ')})`);
  const { event, targets } = await options.journal.read(options.key);
  if (!event) throw new UndoError(`${options.journal.location} has no record of ${options.key}`);
  const now = options.now ?? (() => new Date());

  const plans: UndoPlan<never>[] = [];
  const places: InTarget[] = [];
  for (const record of targets) {
    const elsewhere = await wrongAccount(record, options.callerAccount);
    const inTarget = inPlaceOf(record);
    places.push(inTarget);
    const plan: UndoPlan<never> = elsewhere
      ? {
          target: record.target,
          inverses: record.steps.filter(changed).map((step) => ({ of: step, summary: `Undo "${step.summary}"`, refused: elsewhere })),
          notes: [],
        }
      : await undoer.plan(record, inTarget);
    const kinds = options.kinds ?? [];
    plans.push(kinds.length ? { ...plan, inverses: plan.inverses.filter((i) => kinds.includes(i.of.kind)) } : plan);
  }
  const report: UndoReport = {
    key: options.key,
    function: fn,
    execute: options.execute,
    status: 'planned',
    targets: plans.map((p) => ({ target: p.target, steps: p.inverses.map((i) => stepReport(i, 'would-do')), notes: p.notes })),
  };
  const runnable = plans.flatMap((p) => p.inverses).filter((i) => i.action !== undefined);
  const refused = report.targets.some((t) => t.steps.some((s) => s.outcome === 'refused'));
  if (runnable.length === 0) return { ...report, status: refused ? 'refused' : 'nothing-to-undo' };
  if (!options.execute) return report;

  const undoKey = undoJournalKey(options.key);
  const claim = await options.journal.claim(undoKey, {
    function: `undo:${fn}`,
    eventId: event.eventId,
    owner: options.owner ?? `undo-${process.pid}`,
    now: now(),
    leaseMs: 15 * 60_000,
  });
  if (!claim.granted) throw new UndoError(`another undo of ${options.key} is running (${undoKey} is claimed by ${claim.event.owner})`);
  const attempt = claim.attempt;
  for (const [t, plan] of plans.entries()) {
    const entries: JournaledStep[] = [];
    const save = (complete: boolean) =>
      options.journal.saveTarget(undoKey, attempt, {
        id: `${attempt}#${plan.target.type}#${plan.target.id}`,
        target: plan.target,
        complete,
        steps: entries,
        attempt,
        updatedAt: now().toISOString(),
      });
    for (const [s, inverse] of plan.inverses.entries()) {
      if (inverse.action === undefined) continue;
      const entry: JournaledStep = {
        id: `undo:${inverse.of.id}`,
        kind: `undo:${inverse.of.kind}`,
        summary: inverse.summary,
        state: 'started',
        attempt,
        startedAt: now().toISOString(),
        data: inverse.action as Record<string, unknown>,
      };
      entries.push(entry);
      await save(false);
      const reported = report.targets[t]?.steps[s] as UndoStepReport;
      try {
        const action = inverse.action;
        await (places[t] as InTarget)(() => undoer.run(action));
        entry.state = 'done';
        reported.outcome = 'done';
      } catch (error) {
        entry.state = 'failed';
        entry.detail = describeError(error);
        reported.outcome = 'failed';
        reported.detail = entry.detail;
      }
      entry.finishedAt = now().toISOString();
      await save(false);
    }
    await save(true);
  }
  // Guidance is what no write can do (a stopped job cannot be restarted): it is said, and does not make the undo partial.
  const outcomes = report.targets.flatMap((t) => t.steps.map((s) => s.outcome)).filter((o) => o !== 'guidance');
  const done = outcomes.filter((o) => o === 'done').length;
  const status = done === 0 ? 'failed' : outcomes.every((o) => o === 'done') ? 'undone' : 'partial';
  // Open for another undo: a step refused now may be undone later, once its resource is put back as ml-guard left it.
  await options.journal.close(undoKey, attempt, {
    closed: false,
    status: status === 'undone' ? 'remediated' : status,
    reason: `undo of ${options.key}`,
    now: now(),
  });
  const result: UndoReport = { ...report, status, journal: { location: options.journal.location, key: undoKey, attempt } };
  const notified: UndoReport = { ...result, notification: await notify(result, options.topicArn) };
  return options.audit ? { ...notified, audit: await recordUndo(notified, event, options, options.audit) } : notified;
}

/** Writes the undo's audit record; a failure is reported, not thrown: the undo is done and journaled. */
async function recordUndo(report: UndoReport, original: EventRecord, options: UndoOptions, sink: AuditSink): Promise<UndoReport['audit']> {
  const record = undoAuditRecord(report, original, options.owner ?? 'a person', (options.now ?? (() => new Date()))());
  const key = auditKey(record);
  try {
    return { location: `${sink.location}${key}`, outcome: await sink.write(key, record) };
  } catch (error) {
    return { location: `${sink.location}${key}`, outcome: 'failed', error: describeError(error) };
  }
}

function stepReport(inverse: Inverse<unknown>, outcome: UndoOutcome): UndoStepReport {
  const base = { undoes: { kind: inverse.of.kind, summary: inverse.of.summary }, summary: inverse.summary };
  if (inverse.refused) return { ...base, outcome: 'refused', detail: inverse.refused };
  if (inverse.action === undefined) return { ...base, outcome: 'guidance', ...(inverse.guidance ? { detail: inverse.guidance } : {}) };
  return { ...base, outcome, action: inverse.action, ...(inverse.guidance ? { detail: inverse.guidance } : {}) };
}

/** The undo as people read it: one line per step, with its outcome and why. */
export function formatUndo(report: UndoReport): string {
  const lines = [
    `ml-guard undo of ${report.key}: ${report.status.toUpperCase()}${report.status === 'planned' ? ' (nothing changed: add --execute to run it)' : ''}`,
  ];
  for (const t of report.targets) {
    lines.push('', `${t.target.type} ${t.target.id}`);
    for (const s of t.steps) {
      lines.push(`  [${s.outcome}] ${s.summary}`, `      undoes: ${s.undoes.summary}`);
      if (s.detail) lines.push(`      ${s.outcome === 'refused' ? 'refused: ' : ''}${s.detail}`);
    }
    for (const n of t.notes) lines.push(`  note: ${n}`);
  }
  if (report.journal) lines.push('', `Journal: ${report.journal.location} key ${report.journal.key} (undo run ${report.journal.attempt})`);
  if (report.notification)
    lines.push(
      `Notification: ${report.notification.published ? `published (${report.notification.messageId ?? ''})` : report.notification.note}`,
    );
  if (report.audit)
    lines.push(`Audit record: ${report.audit.location} (${report.audit.outcome}${report.audit.error ? `: ${report.audit.error}` : ''})`);
  return `${lines.join('\n')}\n`;
}

async function notify(report: UndoReport, topicArn: string | undefined): Promise<UndoReport['notification']> {
  if (!topicArn) return { published: false, note: 'TOPIC_ARN is not set: not sent' };
  const target = report.targets[0]?.target.id ?? report.key;
  try {
    const messageId = await publish({
      topicArn,
      subject: undoSubject(report.status, target),
      message: `${formatUndo(report)}\n--- machine-readable (JSON) ---\n${JSON.stringify(report)}`,
      attributes: { source: 'undo', status: report.status, function: report.function },
    });
    return { published: true, ...(messageId ? { messageId } : {}) };
  } catch (error) {
    return { published: false, note: `not sent: ${describeError(error)}` };
  }
}

export class UndoError extends Error {
  override readonly name = 'UndoError';
}
