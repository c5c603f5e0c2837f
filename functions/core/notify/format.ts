import type { EventResult } from '../remediation/result.js';
import type { StepOutcome, TargetResult } from '../remediation/types.js';
import { atLeast, type Severity } from '../severity.js';
import { boundText, oneLine, QUOTED_VALUE_MAX, REASON_MAX, safePrefix } from '../text.js';
import { type ChatNotification, chatNotification } from './chat.js';
import type { EventFacts } from './describe-event.js';

/**
 * SNS limits: a Subject "less than 100 characters long", with no line breaks or control characters (kept to printable
 * ASCII here, as e-mail wants), and a message of at most 256 KiB (attributes included).
 */
export const SUBJECT_MAX = 99;
export const MESSAGE_MAX_BYTES = 256 * 1024;
/** Room kept for message attributes and the subject inside SNS's 256 KiB. */
export const ATTRIBUTES_RESERVE_BYTES = 4 * 1024;

export interface Notification {
  subject: string;
  /** Text for a person, then the machine-readable JSON after a marker line: what e-mail, SQS and Lambda subscribers get. */
  message: string;
  /** The same notification in the custom-notification schema of AWS Chatbot (Amazon Q Developer in chat applications). */
  chat: ChatNotification;
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
  'awaiting-approval': '[AWAITING APPROVAL]',
};

/** The one formatter for every notification of every function. */
export function formatNotification(result: EventResult, facts: EventFacts | undefined): Notification {
  const severity = severityOf(result, facts);
  const subject = subjectLine(result, facts);
  const text = readableText(result, facts);
  const data = { ...result, severity, ...(facts ? { event: { ...facts, facts: Object.fromEntries(facts.facts) } } : {}) };
  const chat = chatNotification(result, facts, subject, severity);
  // With per-protocol messages the whole JSON object counts towards SNS's limit, each text escaped as a JSON string.
  const envelope = Buffer.byteLength(snsMessage({ subject, message: '', chat }));
  const notification: Notification = {
    subject,
    message: fitMessage(text, data, MESSAGE_MAX_BYTES - ATTRIBUTES_RESERVE_BYTES - envelope, jsonStringBytes),
    chat,
    attributes: { source: facts?.source ?? result.source ?? 'unknown', severity, status: result.status, function: result.function },
  };
  // The bounds above keep every input inside the limit; this is the last guard, on what is actually published.
  if (publishBytes(notification) > MESSAGE_MAX_BYTES) {
    notification.message = `${TRUNCATION_NOTE}\n${JSON_MARKER}\n${JSON.stringify({ truncated: true, status: result.status, function: result.function })}`;
  }
  return notification;
}

/** Bytes SNS counts for one publish of the notification: the per-protocol message, the subject and the attributes. */
export function publishBytes(n: Notification): number {
  const attributes = Object.entries(n.attributes).reduce(
    (sum, [name, value]) => sum + utf8Bytes(name) + utf8Bytes('String') + utf8Bytes(value),
    0,
  );
  return utf8Bytes(snsMessage(n)) + utf8Bytes(n.subject) + attributes;
}

/** An undo command may hold a whole policy document (an IAM role's inline policy has up to 10,240 characters): kept whole. */
const UNDO_MAX = 16 * 1024;

/** Event text for one line of the notification: on one line, and at most `max` characters. */
function field(text: string, max = REASON_MAX): string {
  return boundText(oneLine(text), max);
}

/**
 * The SNS `Message` for `MessageStructure: json`: `default` (the text and JSON) for e-mail, SQS, Lambda and every
 * protocol without its own key; `https` (the chat payload) for AWS Chatbot, which subscribes to the topic over HTTPS;
 * `sms` (the subject alone).
 */
export function snsMessage(n: Pick<Notification, 'subject' | 'message' | 'chat'>): string {
  return JSON.stringify({ default: n.message, https: JSON.stringify(n.chat), sms: n.subject });
}

/** The text for people: what happened, the facts, each target and step, what to do, the console link. */
export function readableText(result: EventResult, facts: EventFacts | undefined): string {
  const steps = facts?.nextSteps ?? [];
  return [
    `ml-guard ${result.function}: ${result.status.toUpperCase()} (${result.mode}${result.account ? ` in account ${field(result.account, QUOTED_VALUE_MAX)}` : ''})`,
    field(result.reason),
    '',
    ...(facts ? describeFacts(facts) : []),
    ...result.targets.flatMap(describeTarget),
    ...(result.mode === 'dry-run' && result.targets.some((t) => t.status === 'planned')
      ? [
          result.account
            ? 'Dry-run: nothing was changed. Set the stack parameter RemediationMode, or this account in AccountModes, to enforce to act.'
            : 'Dry-run: nothing was changed. Set the stack parameter RemediationMode to enforce to act.',
          '',
        ]
      : []),
    ...describeApproval(result),
    ...(steps.length ? ['What to do:', ...steps.map((s) => `  - ${field(s)}`), ''] : []),
    ...(facts?.consoleUrl ? [`Console: ${field(facts.consoleUrl)}`, ''] : []),
    ...describeJournal(result),
  ].join('\n');
}

/** The approval asked for, and how to answer it; or the answer acted on, and who gave it. */
function describeApproval(result: EventResult): string[] {
  const a = result.approval;
  if (!a) return [];
  const lines: string[] = [];
  if (a.answered) {
    const by = a.answered.by;
    const who = `${by.identity} (${by.verified ? 'verified' : 'as stated by the caller'}, via ${by.via})`;
    const why = a.answered.reason ? `: ${a.answered.reason}` : '';
    lines.push(`Approval ${a.answered.state} at ${a.answered.at} by ${field(who, QUOTED_VALUE_MAX)}${field(why)}`, '');
  }
  if (a.asked) {
    const c = a.asked.commands;
    const onExpiry = a.asked.actOnExpiry.length
      ? `then the held ${a.asked.actOnExpiry.join(', ')} step(s) run and the rest are escalated`
      : 'then the held steps are escalated, not run';
    lines.push(
      `APPROVAL NEEDED for ${a.asked.kinds.join(', ')}, until ${a.asked.expiresAt} (${onExpiry}; ${field(a.asked.expiry)})`,
      `  approve: ${field(c.approve, UNDO_MAX)}`,
      `  deny:    ${field(c.deny, UNDO_MAX)}`,
      ...(c.approveWithCli ? [`  approve with the AWS CLI (or from chat): ${field(c.approveWithCli, UNDO_MAX)}`] : []),
      ...(c.denyWithCli ? [`  deny with the AWS CLI (or from chat): ${field(c.denyWithCli, UNDO_MAX)}`] : []),
      '',
    );
  }
  return lines;
}

/** Where the record of what was done is, which attempt this was, and whether Lambda retries for the rest. */
function describeJournal(result: EventResult): string[] {
  const j = result.journal;
  if (!j) return [];
  const retry = j.retry ? '; work is left: Lambda retries this event, and the retry continues from the journal' : '';
  return [`Journal: ${field(j.location, QUOTED_VALUE_MAX)} key ${field(j.key, QUOTED_VALUE_MAX)}, attempt ${j.attempt}${retry}`, ''];
}

function describeFacts(facts: EventFacts): string[] {
  return [
    `What happened: ${field(facts.headline)}`,
    ...facts.facts.map(([k, v]) => `  ${k}: ${field(v)}`),
    `  account ${field(facts.account, QUOTED_VALUE_MAX)}, ${field(facts.region, QUOTED_VALUE_MAX)}`,
    '',
  ];
}

function describeTarget(t: TargetResult): string[] {
  const lines = [`${t.target.type} ${field(t.target.id)}: ${t.status}${t.reason ? ` - ${field(t.reason)}` : ''}`];
  for (const s of t.steps) {
    // A step an earlier attempt of this event did: `[done, attempt 1]`.
    const mark =
      s.earlierAttempt === undefined ? outcomeMark[s.outcome] : `${outcomeMark[s.outcome].slice(0, -1)}, attempt ${s.earlierAttempt}]`;
    lines.push(`  ${mark} ${field(s.summary)}${s.detail ? ` (${field(s.detail)})` : ''}`);
    if (s.undo) lines.push(`      undo: ${field(s.undo, UNDO_MAX)}`);
  }
  for (const note of t.notes ?? []) lines.push(`  note: ${field(note)}`);
  lines.push('');
  return lines;
}

export function severityOf(result: EventResult, facts: EventFacts | undefined): Severity {
  return atLeast(
    eventSeverity(result, facts),
    result.targets.map((t) => t.severity),
  );
}

function eventSeverity(result: EventResult, facts: EventFacts | undefined): Severity {
  if (['failed', 'partial', 'limit-exceeded', 'awaiting-approval'].includes(result.status)) {
    return facts?.severity === 'CRITICAL' ? 'CRITICAL' : 'HIGH';
  }
  return facts?.severity ?? 'INFO';
}

/**
 * Printable ASCII, fewer than 100 characters. An action: `ml-guard REMEDIATED: my-bucket - GuardDuty finding Policy:S3/...`.
 * Only a notification (nothing to act on): `ml-guard HIGH: CloudWatch alarm x is ALARM (my-endpoint)`.
 */
export function subjectLine(result: EventResult, facts: EventFacts | undefined): string {
  const [first, ...rest] = result.targets;
  const more = rest.length ? ` (+${rest.length} more)` : '';
  // The headline names the resource already (a Config change): it is not repeated.
  const inHeadline = Boolean(first && facts?.headline.includes(first.target.id));
  const named = first && !inHeadline ? ` (${first.target.id}${more})` : more;
  const raw =
    result.status === 'notified' && facts
      ? `ml-guard ${severityOf(result, facts)}: ${facts.headline}${named}`
      : inHeadline && facts
        ? `ml-guard ${result.status.toUpperCase()}: ${facts.headline}${more}`
        : `ml-guard ${result.status.toUpperCase()}: ${first ? `${first.target.id}${more}` : (facts?.headline ?? result.reason)}${facts && first ? ` - ${facts.headline}` : ''}`;
  return truncate(raw.replace(/[^\x20-\x7e]/g, '?'), SUBJECT_MAX);
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 3)}...`;
}

/** Bytes of a string as UTF-8. */
export const utf8Bytes = (s: string): number => Buffer.byteLength(s);
/** Bytes of a string once written as a JSON string value (quotes, escaped newlines and quotes), as SNS receives it. */
export const jsonStringBytes = (s: string): number => Buffer.byteLength(JSON.stringify(s));

export const TRUNCATION_NOTE = '[truncated to fit SNS: the full result is in the function log]';

/**
 * Text, marker, JSON; when that would exceed `maxBytes` (as measured by `measure`), the JSON is replaced by a summary
 * (status, reason, ids) and then the text is cut, with a note saying so. The full result is always in the function's log.
 */
export function fitMessage(
  text: string,
  data: unknown,
  maxBytes = MESSAGE_MAX_BYTES - ATTRIBUTES_RESERVE_BYTES,
  measure: (s: string) => number = utf8Bytes,
): string {
  const whole = `${text}\n${JSON_MARKER}\n${JSON.stringify(data)}`;
  if (measure(whole) <= maxBytes) return whole;
  const summary = JSON.stringify(
    { truncated: true, ...pick(data, ['status', 'reason', 'function', 'mode', 'eventId', 'findingId', 'source']) },
    bounded,
  );
  const build = (body: string) => `${body}\n${TRUNCATION_NOTE}\n${JSON_MARKER}\n${summary}`;
  if (measure(build(text)) <= maxBytes) return build(text);
  // The longest prefix of the text that fits, found by bisection on its length in UTF-16 units.
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (measure(build(safePrefix(text, mid))) <= maxBytes) low = mid;
    else high = mid - 1;
  }
  return build(safePrefix(text, low));
}

/** A JSON replacer that bounds the reason to REASON_MAX and every other string to QUOTED_VALUE_MAX. */
function bounded(key: string, value: unknown): unknown {
  return typeof value === 'string' ? boundText(value, key === 'reason' ? REASON_MAX : QUOTED_VALUE_MAX) : value;
}

function pick(data: unknown, keys: string[]): Record<string, unknown> {
  const source = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
  return Object.fromEntries(keys.filter((k) => k in source).map((k) => [k, source[k]]));
}
