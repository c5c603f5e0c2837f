import type { AuditRecord, AuditTarget } from '../../functions/core/audit/record.js';
import { FRAMEWORK_ORDER, FRAMEWORKS } from '../../functions/core/compliance/controls.js';
import { ATTENTION_ORDER } from '../../functions/core/remediation/types.js';
import { nearestRank } from './percentile.js';

/**
 * Pure: the audit report's figures from audit records (functions/core/audit/record.ts), as data that the JSON,
 * Markdown and HTML renderers only lay out. Every list is in a stable order, so the same records give the same report.
 */
export interface Report {
  generated_at: string;
  source: string;
  /** Records whose event time (EventBridge's `time`) is at or after this; absent: every record. */
  since?: string;
  summary: Summary;
  controls: ControlEvidence[];
  /** Per framework (the catalogue's order): controls cited, events citing one, changes made (steps done) and planned (dry-run) serving one. */
  frameworks: FrameworkCount[];
  /** Events closed per function, per outcome (the record's `status`), per period of their event time. */
  outcomes: Outcomes;
  time_to_contain: TimeToContain;
  open_items: OpenItem[];
  /** Every change made (a step `done` in enforce mode), in the order made, with its undo. */
  changes: Change[];
  /** What dry-run events would have changed (steps `would-do`). */
  planned_changes: Change[];
}

export interface Summary {
  records: number;
  /** The first and last event time of the records. */
  first_event?: string;
  last_event?: string;
  by_status: Record<string, number>;
  by_function: Record<string, number>;
  by_mode: Record<string, number>;
  /** Lines of the source that were not audit records (not JSON, or not an object of record_version 1), as `file:line`. */
  unreadable: string[];
  /** Records of an event and function read more than once (the same record in two files): counted once. */
  duplicates: number;
}

export interface ControlEvidence {
  /** The framework's name as the catalogue gives it (`NIST SP 800-53 Rev. 5`), and its short label (`NIST`). */
  framework: string;
  label: string;
  id: string;
  title: string;
  /** Events whose detection serves the control (the record's `controls`). */
  events: EventRef[];
  /** Steps that serve it (each step's `controls`), whatever their outcome. */
  actions: ActionRef[];
}

export interface FrameworkCount {
  framework: string;
  label: string;
  controls: number;
  events: number;
  changes: number;
  /** Changes a dry-run would have made (steps `would-do`). */
  planned: number;
}

export interface EventRef {
  time: string;
  function: string;
  mode: string;
  status: string;
  event_id: string;
  finding_id: string;
  type: string;
}

export interface ActionRef extends EventRef {
  target: string;
  step: string;
  summary: string;
  outcome: string;
  at?: string;
}

export interface Outcomes {
  /** `day` (YYYY-MM-DD) over at most 62 days, else `month` (YYYY-MM) over at most 36 months, else `year`. */
  period: 'day' | 'month' | 'year';
  /** Every period from the first record's to the last's, empty ones included. */
  periods: string[];
  statuses: string[];
  functions: { function: string; counts: Record<string, number>[]; totals: Record<string, number> }[];
}

export interface TimeToContain {
  method: string;
  by_function: ContainStats[];
  by_function_and_type: (ContainStats & { type: string })[];
}

export interface ContainStats {
  function: string;
  count: number;
  median_seconds: number;
  p95_seconds: number;
  min_seconds: number;
  max_seconds: number;
  /** Every time to contain, ascending. */
  values: number[];
}

export type OpenCategory = 'failed' | 'blocked' | 'limit-exceeded' | 'deferred' | 'awaiting a person';

export interface OpenItem extends EventRef {
  category: OpenCategory;
  severity: string;
  target_type?: string;
  target?: string;
  reason: string;
  /** What a person is asked to do (the target's notes), when it says. */
  notes: string[];
}

export interface Change extends EventRef {
  at?: string;
  target_type: string;
  target: string;
  step: string;
  summary: string;
  outcome: string;
  undo?: string;
  prior_state?: string;
  attempt?: number;
}

export interface ReportInput {
  records: readonly AuditRecord[];
  source: string;
  now: Date;
  since?: Date;
  unreadable?: readonly string[];
}

export const PERCENTILE_METHOD =
  'nearest rank: the value at rank ⌈p/100 × n⌉ of the n times in ascending order (an even count gives the lower middle value as median)';

/**
 * The order outcomes are listed and stacked in, what needs a person first: the flow's order of target statuses, with
 * notify's held-back repeats after `notified`, and the event statuses no target has at the end.
 */
export const STATUS_ORDER: string[] = ATTENTION_ORDER.flatMap((s) => (s === 'notified' ? [s, 'suppressed'] : [s])).concat([
  'duplicate',
  'ignored',
]);

export function buildReport({ records, source, now, since, unreadable = [] }: ReportInput): Report {
  const { kept, duplicates } = distinct(records.filter((r) => !since || eventTime(r) >= since.getTime()));
  const inOrder = [...kept].sort(
    (a, b) => eventTime(a) - eventTime(b) || a.function.localeCompare(b.function) || a.event.id.localeCompare(b.event.id),
  );
  const controls = controlEvidence(inOrder);
  return {
    generated_at: now.toISOString(),
    source,
    ...(since ? { since: since.toISOString() } : {}),
    summary: summarise(inOrder, unreadable, duplicates),
    controls,
    frameworks: frameworkCounts(controls),
    outcomes: outcomes(inOrder),
    time_to_contain: timeToContain(inOrder),
    open_items: inOrder.flatMap(openItems),
    changes: changes(inOrder, 'done').filter((c) => c.mode === 'enforce'),
    planned_changes: changes(inOrder, 'would-do'),
  };
}

/** One record per function and event: the evidence bucket never holds two, but a directory of copies may. */
/**
 * One record per function and event: the last closed (an approval's answer closes an event again, and its record holds
 * every step, those done before the hold included).
 */
function distinct(records: readonly AuditRecord[]): { kept: AuditRecord[]; duplicates: number } {
  const last = new Map<string, AuditRecord>();
  for (const r of records) {
    const key = `${r.function}\u0000${r.event.id}`;
    const seen = last.get(key);
    if (!seen || r.recorded_at > seen.recorded_at) last.set(key, r);
  }
  const kept = records.filter((r) => last.get(`${r.function}\u0000${r.event.id}`) === r);
  return { kept, duplicates: records.length - kept.length };
}

function eventTime(r: AuditRecord): number {
  const t = Date.parse(r.event.time);
  return Number.isNaN(t) ? 0 : t;
}

function eventRef(r: AuditRecord): EventRef {
  return {
    time: r.event.time,
    function: r.function,
    mode: r.mode,
    status: r.status,
    event_id: r.event.id,
    finding_id: r.event.finding_id,
    type: r.event.type,
  };
}

function count(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of [...values].sort()) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}

function summarise(records: readonly AuditRecord[], unreadable: readonly string[], duplicates: number): Summary {
  return {
    records: records.length,
    ...(records.length ? { first_event: records[0]?.event.time, last_event: records.at(-1)?.event.time } : {}),
    by_status: byStatusOrder(count(records.map((r) => r.status))),
    by_function: count(records.map((r) => r.function)),
    by_mode: count(records.map((r) => r.mode)),
    unreadable: [...unreadable],
    duplicates,
  };
}

function byStatusOrder(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(orderStatuses(Object.keys(counts)).map((s) => [s, counts[s] as number]));
}

function orderStatuses(statuses: Iterable<string>): string[] {
  const rank = (s: string) => (STATUS_ORDER.includes(s) ? STATUS_ORDER.indexOf(s) : STATUS_ORDER.length);
  return [...new Set(statuses)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

// ------------------------------------------------------------------------------------------------ controls

/** The catalogue's order (framework, then control), then controls the catalogue does not know, by name. */
function controlEvidence(records: readonly AuditRecord[]): ControlEvidence[] {
  const byKey = new Map<string, ControlEvidence>();
  const entry = (framework: string, id: string, title: string | undefined): ControlEvidence => {
    const key = `${framework}\u0000${id}`;
    let e = byKey.get(key);
    if (!e) {
      const known = FRAMEWORK_ORDER.map((f) => FRAMEWORKS[f]).find((f) => f.text === framework);
      e = { framework, label: known?.label ?? framework, id, title: title || known?.controls[id] || '', events: [], actions: [] };
      byKey.set(key, e);
    }
    return e;
  };
  for (const r of records) {
    const ref = eventRef(r);
    for (const c of unique(r.controls)) entry(c.framework, c.id, c.title).events.push(ref);
    for (const t of r.targets) {
      for (const s of t.steps) {
        for (const c of unique(s.controls)) {
          entry(c.framework, c.id, c.title).actions.push({
            ...ref,
            target: t.id,
            step: s.kind,
            summary: s.summary,
            outcome: s.outcome,
            ...(s.at ? { at: s.at } : {}),
          });
        }
      }
    }
  }
  return [...byKey.values()].sort(
    (a, b) => catalogueRank(a) - catalogueRank(b) || a.framework.localeCompare(b.framework) || a.id.localeCompare(b.id),
  );
}

function frameworkCounts(controls: readonly ControlEvidence[]): FrameworkCount[] {
  const frameworks = [...new Set(controls.map((c) => c.framework))];
  return frameworks.map((framework) => {
    const mine = controls.filter((c) => c.framework === framework);
    const events = new Set(mine.flatMap((c) => c.events.map((e) => `${e.function}\u0000${e.event_id}`)));
    const steps = (outcome: string) =>
      new Set(
        mine.flatMap((c) =>
          c.actions
            .filter((a) => a.outcome === outcome)
            .map((a) => `${a.function}\u0000${a.event_id}\u0000${a.target}\u0000${a.step}\u0000${a.summary}`),
        ),
      ).size;
    return {
      framework,
      label: (mine[0] as ControlEvidence).label,
      controls: mine.length,
      events: events.size,
      changes: steps('done'),
      planned: steps('would-do'),
    };
  });
}

function unique<C extends { framework: string; id: string }>(controls: readonly C[] | undefined): C[] {
  const seen = new Set<string>();
  return (controls ?? []).filter((c) => {
    const key = `${c.framework}\u0000${c.id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function catalogueRank(c: ControlEvidence): number {
  const f = FRAMEWORK_ORDER.findIndex((name) => FRAMEWORKS[name].text === c.framework);
  if (f < 0) return Number.MAX_SAFE_INTEGER;
  const ids = Object.keys(FRAMEWORKS[FRAMEWORK_ORDER[f] as (typeof FRAMEWORK_ORDER)[number]].controls);
  const i = ids.indexOf(c.id);
  return f * 1000 + (i < 0 ? 999 : i);
}

// ------------------------------------------------------------------------------------------------ outcomes over time

function outcomes(records: readonly AuditRecord[]): Outcomes {
  const times = records.map(eventTime);
  const first = times.length ? Math.min(...times) : 0;
  const last = times.length ? Math.max(...times) : 0;
  const period = periodFor(first, last);
  const periods = records.length ? periodsBetween(first, last, period) : [];
  const statuses = orderStatuses(records.map((r) => r.status));
  const functions = [...new Set(records.map((r) => r.function))].sort().map((fn) => {
    const mine = records.filter((r) => r.function === fn);
    const counts = periods.map((p) => count(mine.filter((r) => periodOf(eventTime(r), period) === p).map((r) => r.status)));
    return { function: fn, counts: counts.map(byStatusOrder), totals: byStatusOrder(count(mine.map((r) => r.status))) };
  });
  return { period, periods, statuses, functions };
}

function periodFor(first: number, last: number): Outcomes['period'] {
  const days = (Date.parse(day(last)) - Date.parse(day(first))) / 86_400_000 + 1;
  if (days <= 62) return 'day';
  const a = new Date(first);
  const b = new Date(last);
  const months = (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + b.getUTCMonth() - a.getUTCMonth() + 1;
  return months <= 36 ? 'month' : 'year';
}

function day(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

function periodOf(t: number, period: Outcomes['period']): string {
  return new Date(t).toISOString().slice(0, period === 'day' ? 10 : period === 'month' ? 7 : 4);
}

function periodsBetween(first: number, last: number, period: Outcomes['period']): string[] {
  const out: string[] = [];
  const at = new Date(first);
  at.setUTCHours(0, 0, 0, 0);
  if (period !== 'day') at.setUTCDate(1);
  if (period === 'year') at.setUTCMonth(0);
  const end = periodOf(last, period);
  for (;;) {
    const p = periodOf(at.getTime(), period);
    out.push(p);
    if (p >= end) return out;
    if (period === 'day') at.setUTCDate(at.getUTCDate() + 1);
    else if (period === 'month') at.setUTCMonth(at.getUTCMonth() + 1);
    else at.setUTCFullYear(at.getUTCFullYear() + 1);
  }
}

// ------------------------------------------------------------------------------------------------ time to contain

function timeToContain(records: readonly AuditRecord[]): TimeToContain {
  const contained = records.filter((r) => typeof r.time_to_contain_seconds === 'number');
  const stats = (fn: string, values: number[]): ContainStats => {
    const sorted = [...values].sort((a, b) => a - b);
    return {
      function: fn,
      count: sorted.length,
      median_seconds: nearestRank(sorted, 50) as number,
      p95_seconds: nearestRank(sorted, 95) as number,
      min_seconds: sorted[0] as number,
      max_seconds: sorted.at(-1) as number,
      values: sorted,
    };
  };
  const groups = (key: (r: AuditRecord) => string) => {
    const map = new Map<string, AuditRecord[]>();
    for (const r of contained) map.set(key(r), [...(map.get(key(r)) ?? []), r]);
    return [...map].sort(([a], [b]) => a.localeCompare(b));
  };
  const seconds = (rs: AuditRecord[]) => rs.map((r) => r.time_to_contain_seconds as number);
  return {
    method: PERCENTILE_METHOD,
    by_function: groups((r) => r.function).map(([fn, rs]) => stats(fn, seconds(rs))),
    by_function_and_type: groups((r) => `${r.function}\u0000${r.event.type}`).map(([, rs]) => ({
      ...stats((rs[0] as AuditRecord).function, seconds(rs)),
      type: (rs[0] as AuditRecord).event.type,
    })),
  };
}

// ------------------------------------------------------------------------------------------------ open items

/** The functions that act; notify only tells people, so its events are not left open. */
const NOTIFY = 'notify';
/** rotate-credentials' note for a key it could not replace safely: `<key> is left active: ...`. */
const LEFT_ACTIVE = /\bis left active\b/;

/**
 * What still needs someone, per target: a change that failed (`failed`, `partial`), a target held back because its
 * state could not be read (`blocked`: failed with no step tried), more changes than the limit (`limit-exceeded`), work
 * left (`deferred`), and what only a person can do (a remediation function's notify-only target: a root user, a
 * federated user; a key left active until it can be rotated). Sample findings name placeholders and are left out.
 */
function openItems(r: AuditRecord): OpenItem[] {
  if (r.event.sample) return [];
  const base = { ...eventRef(r), severity: r.event.severity_label };
  if (r.targets.length === 0) {
    const category = categoryOfStatus(r.status, []);
    return category && r.function !== NOTIFY ? [{ ...base, category, reason: r.reason, notes: [] }] : [];
  }
  return r.targets.flatMap((t) => {
    const status = categoryOfStatus(t.status, t.steps);
    const category = status ?? awaiting(r, t);
    if (!category) return [];
    // A remediated target awaits a person for what its notes say (a key left active), not for its reason.
    const reason = status || t.status === 'notified' ? (t.reason ?? r.reason) : 'an access key is left active until it can be rotated';
    return [{ ...base, category, target_type: t.type, target: t.id, reason, notes: [...(t.notes ?? [])] }];
  });
}

function categoryOfStatus(status: string, steps: AuditTarget['steps']): OpenCategory | undefined {
  if (status === 'failed') return steps.some((s) => s.outcome === 'failed' || s.outcome === 'done') ? 'failed' : 'blocked';
  if (status === 'partial') return 'failed';
  if (status === 'limit-exceeded' || status === 'deferred') return status;
  if (status === 'awaiting-approval') return 'awaiting a person';
  return undefined;
}

function awaiting(r: AuditRecord, t: AuditTarget): OpenCategory | undefined {
  if (r.function === NOTIFY) return undefined;
  if (t.status === 'notified' || (t.notes ?? []).some((n) => LEFT_ACTIVE.test(n))) return 'awaiting a person';
  return undefined;
}

// ------------------------------------------------------------------------------------------------ changes

function changes(records: readonly AuditRecord[], outcome: 'done' | 'would-do'): Change[] {
  const all = records.flatMap((r) =>
    r.targets.flatMap((t) =>
      t.steps
        .filter((s) => s.outcome === outcome)
        .map(
          (s): Change => ({
            ...eventRef(r),
            ...(s.at ? { at: s.at } : {}),
            target_type: t.type,
            target: t.id,
            step: s.kind,
            summary: s.summary,
            outcome: s.outcome,
            ...(s.undo ? { undo: s.undo } : {}),
            ...(t.prior_state ? { prior_state: t.prior_state } : {}),
            ...(s.attempt ? { attempt: s.attempt } : {}),
          }),
        ),
    ),
  );
  // Stable: records are in event order already; a change is placed by when it was made, when the journal says.
  return all
    .map((c, i) => ({ c, i }))
    .sort((a, b) => (Date.parse(a.c.at ?? a.c.time) || 0) - (Date.parse(b.c.at ?? b.c.time) || 0) || a.i - b.i)
    .map(({ c }) => c);
}
