import type { RemediationMode } from '../config.js';
import type { EventStatus, TargetResult } from './types.js';

/** What a handler returns, logs and notifies: the outcome of one event, with every target and step. */
export interface EventResult {
  status: EventStatus;
  reason: string;
  function: string;
  mode: RemediationMode;
  eventId?: string;
  findingId?: string;
  /** `guardduty`, `config` or `cloudwatch`. */
  source?: string;
  targets: TargetResult[];
  notification?: NotificationReport;
  /** Where this event's journal is, and which attempt this is (steps of earlier attempts carry `earlierAttempt`). */
  journal?: JournalReport;
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
