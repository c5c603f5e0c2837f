import type { EventResult } from '../remediation/result.js';
import type { StepOutcome, TargetResult } from '../remediation/types.js';
import type { EventFacts, Severity } from './describe-event.js';

/** SNS limits: a Subject of at most 100 ASCII characters, a message of at most 256 KiB (attributes included). */
export const SUBJECT_MAX = 100;
export const MESSAGE_MAX_BYTES = 256 * 1024;
/** Room kept for message attributes and the subject inside SNS's 256 KiB. */
const ATTRIBUTES_RESERVE_BYTES = 4 * 1024;

export interface Notification {
  subject: string;
  /** Text for a person, then the machine-readable JSON after a marker line. */
  message: string;
  /** SNS message attributes, for subscription filter policies. */
  attributes: { source: string; severity: Severity; status: string; function: string };
}

export const JSON_MARKER = '--- machine-readable (JSON) ---';

const outcomeMark: Record<StepOutcome, string> = {
  done: '[done]',
  'already-done': '[already so]',
  'would-do': '[would do]',
  failed: '[FAILED]',
  'not-run': '[not run]',
};

/** The one formatter for every notification of every function. */
export function formatNotification(result: EventResult, facts: EventFacts | undefined): Notification {
  const severity = severityOf(result, facts);
  const text = [
    `ml-guard ${result.function}: ${result.status.toUpperCase()} (${result.mode})`,
    result.reason,
    '',
    ...(facts ? describeFacts(facts) : []),
    ...result.targets.flatMap(describeTarget),
    ...(result.mode === 'dry-run' && result.targets.some((t) => t.status === 'planned')
      ? ['Dry-run: nothing was changed. Set the stack parameter RemediationMode to enforce to act.', '']
      : []),
    ...(facts?.consoleUrl ? [`Console: ${facts.consoleUrl}`, ''] : []),
  ].join('\n');
  const data = { ...result, severity, ...(facts ? { event: { ...facts, facts: Object.fromEntries(facts.facts) } } : {}) };
  return {
    subject: subjectLine(result, facts),
    message: fitMessage(text, data),
    attributes: { source: facts?.source ?? result.source ?? 'unknown', severity, status: result.status, function: result.function },
  };
}

function describeFacts(facts: EventFacts): string[] {
  return [`What happened: ${facts.headline}`, ...facts.facts.map(([k, v]) => `  ${k}: ${v}`), `  account ${facts.account}, ${facts.region}`, ''];
}

function describeTarget(t: TargetResult): string[] {
  const lines = [`${t.target.type} ${t.target.id}: ${t.status}${t.reason ? ` - ${t.reason}` : ''}`];
  for (const s of t.steps) {
    lines.push(`  ${outcomeMark[s.outcome]} ${s.summary}${s.detail ? ` (${s.detail})` : ''}`);
    if (s.undo) lines.push(`      undo: ${s.undo}`);
  }
  for (const note of t.notes ?? []) lines.push(`  note: ${note}`);
  lines.push('');
  return lines;
}

function severityOf(result: EventResult, facts: EventFacts | undefined): Severity {
  if (result.status === 'failed' || result.status === 'partial' || result.status === 'limit-exceeded') {
    return facts?.severity === 'CRITICAL' ? 'CRITICAL' : 'HIGH';
  }
  return facts?.severity ?? 'INFO';
}

/** `ml-guard REMEDIATED: AWS::S3::Bucket my-bucket (GuardDuty finding Policy:S3/...)`, ASCII, at most 100 characters. */
export function subjectLine(result: EventResult, facts: EventFacts | undefined): string {
  const [first, ...rest] = result.targets;
  const what = first ? `${first.target.id}${rest.length ? ` (+${rest.length} more)` : ''}` : (facts?.headline ?? result.reason);
  const raw = `ml-guard ${result.status.toUpperCase()}: ${what}${facts && first ? ` - ${facts.headline}` : ''}`;
  return truncate(raw.replace(/[^\x20-\x7e]/g, '?'), SUBJECT_MAX);
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 3)}...`;
}

/**
 * Text, marker, JSON; when that would exceed what SNS accepts, the JSON drops step details and then the text is cut,
 * each with a note saying so. The full result is always in the function's log.
 */
export function fitMessage(text: string, data: unknown, maxBytes = MESSAGE_MAX_BYTES - ATTRIBUTES_RESERVE_BYTES): string {
  const whole = `${text}\n${JSON_MARKER}\n${JSON.stringify(data)}`;
  if (Buffer.byteLength(whole) <= maxBytes) return whole;
  const note = '[truncated to fit SNS: the full result is in the function log]';
  const summary = JSON.stringify({ truncated: true, ...pick(data, ['status', 'reason', 'function', 'mode', 'eventId', 'findingId', 'source']) });
  const budget = maxBytes - Buffer.byteLength(`\n${note}\n${JSON_MARKER}\n${summary}`);
  return `${cutToBytes(text, budget)}\n${note}\n${JSON_MARKER}\n${summary}`;
}

function pick(data: unknown, keys: string[]): Record<string, unknown> {
  const source = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
  return Object.fromEntries(keys.filter((k) => k in source).map((k) => [k, source[k]]));
}

function cutToBytes(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s) <= maxBytes) return s;
  let cut = Buffer.from(s).subarray(0, Math.max(0, maxBytes)).toString('utf8');
  // A cut inside a multi-byte character leaves a replacement character: drop it.
  cut = cut.replace(/\uFFFD$/, '');
  return cut;
}
