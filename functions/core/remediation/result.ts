import type { AuditReport } from '../audit/sink.js';
import type { RemediationMode } from '../config.js';
import { boundText, QUOTED_VALUE_MAX, REASON_MAX } from '../text.js';
import type { ApprovalReport } from './approval.js';
import type { EventStatus, TargetResult } from './types.js';

/** What a handler returns, logs and notifies: the outcome of one event, with every target and step. */
export interface EventResult {
  status: EventStatus;
  reason: string;
  function: string;
  /** The mode of the account the event is about (ACCOUNT_MODES, else REMEDIATION_MODE). */
  mode: RemediationMode;
  /**
   * The account the event is about, whose mode applied: set when accounts can differ (organization mode, or ACCOUNT_MODES
   * set), so that the notification says in which account, and in which mode, the function acted.
   */
  account?: string;
  eventId?: string;
  findingId?: string;
  /** `guardduty`, `config` or `cloudwatch`. */
  source?: string;
  targets: TargetResult[];
  notification?: NotificationReport;
  /** Where this event's journal is, and which attempt this is (steps of earlier attempts carry `earlierAttempt`). */
  journal?: JournalReport;
  /** Where the event's audit record is (when the function keeps them), or why it could not be written. */
  audit?: AuditReport;
  /** The approval asked for the steps held (and how to answer it), or the answer this invocation acted on. */
  approval?: ApprovalReport;
}

export interface JournalReport {
  /** `dynamodb:<table>`, or `memory` (a local run: kept for this invocation only). */
  location: string;
  key: string;
  attempt: number;
  /** Work is left that Lambda's retry of this event continues. */
  retry?: boolean;
}

export interface NotificationReport {
  subject: string;
  published: boolean;
  messageId?: string;
  /** Why it was not published (for example: TOPIC_ARN is not set in a local dry-run). */
  note?: string;
  /** The whole message, when it was not published, so a local run shows what would be sent. */
  message?: string;
  /** When it was not published: the text for people, line by line, so a local run prints it readably. */
  text?: string[];
  /** When it was not published: the AWS Chatbot payload that chat channels would get. */
  chat?: unknown;
}

/** Bytes of a result a log line may hold: CloudWatch Logs caps one event at 256 KB, and the line has more than the result. */
export const LOGGED_RESULT_MAX_BYTES = 200_000;
/** Targets named in the short form of a result too large to log whole. */
const LOGGED_TARGETS = 20;

/**
 * The result as the 'event handled' log line carries it: whole, without the message a local run keeps, when it fits
 * one log event; otherwise its outcome, bounded ids and the first targets, saying where the whole result is.
 */
export function loggableResult(result: EventResult): unknown {
  const { notification: n } = result;
  const whole = {
    ...result,
    ...(n ? { notification: { subject: n.subject, published: n.published, ...(n.messageId ? { messageId: n.messageId } : {}) } } : {}),
  };
  if (Buffer.byteLength(JSON.stringify(whole)) <= LOGGED_RESULT_MAX_BYTES) return whole;
  const bounded = (id: string | undefined) => (id === undefined ? {} : { id: boundText(id, QUOTED_VALUE_MAX) });
  return {
    status: result.status,
    reason: boundText(result.reason, REASON_MAX),
    function: result.function,
    mode: result.mode,
    ...(result.eventId === undefined ? {} : { eventId: boundText(result.eventId, QUOTED_VALUE_MAX) }),
    ...(result.findingId === undefined ? {} : { findingId: boundText(result.findingId, QUOTED_VALUE_MAX) }),
    ...(whole.notification
      ? { notification: { ...whole.notification, subject: boundText(whole.notification.subject, QUOTED_VALUE_MAX) } }
      : {}),
    ...(result.journal ? { journal: { ...result.journal, key: boundText(result.journal.key, QUOTED_VALUE_MAX) } } : {}),
    targetCount: result.targets.length,
    targets: result.targets.slice(0, LOGGED_TARGETS).map((t) => ({ ...bounded(t.target.id), type: t.target.type, status: t.status })),
    truncated: 'the result is too large for one log event: the notification and the journal hold it whole',
  };
}
