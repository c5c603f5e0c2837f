import { type AttributeValue, ConditionalCheckFailedException, DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { clientOptions, onFirstUse } from '../core/aws/client-options.js';
import { describeError, errorName } from '../core/errors.js';
import type { FloodSubject } from './select.js';

/**
 * Flood control: at most one notification per alarm, finding or Config resource per window, with the repeats held
 * back counted and reported with the next notification. A GuardDuty finding whose severity rises notifies at once, and
 * so does an alarm entering ALARM when the last notification said it was back to OK (its level rises from 0 to 1).
 *
 * One DynamoDB item per subject (`pk`), changed only by conditional UpdateItem calls, so that of two invocations racing
 * for the same subject exactly one wins the right to notify; the other counts itself as a repeat:
 * - claim: SET notifiedAt, eventId, suppressed = 0, state (and the level, as `severity`) IF no notification yet, or the last one is
 *   older than the window, or it was made for this same event (a retry after a failed publish must not lose the
 *   notification), or the level (severity, alarm state) rose. ReturnValues ALL_OLD gives the repeats counted since the
 *   last notification.
 * - repeat (when the claim's condition fails): ADD suppressed 1 and remember the latest state, IF the item still exists.
 * Items expire (TTL attribute `expiresAt`) a week after their last change.
 */

/** IAM actions flood control calls, on the state table only. */
export const floodIamActions = ['dynamodb:UpdateItem'] as const;

export const STATE_TTL_SECONDS = 7 * 24 * 3600;

export const dynamoClient = onFirstUse(() => new DynamoDBClient({ ...clientOptions }));

export interface FloodOptions {
  table: string;
  windowMinutes: number;
  now: Date;
  eventId: string;
}

/** What was held back since the last notification, to report with this one. */
export interface HeldBack {
  count: number;
  lastNotifiedAt?: string;
  latestState?: string;
  latestAt?: string;
}

export type FloodDecision =
  | { send: true; heldBack?: HeldBack }
  /** Flood control could not decide (the table could not be written): notify anyway and say so. */
  | { send: true; unavailable: string }
  | { send: false; count: number; lastNotifiedAt?: string };

const N = (n: number): AttributeValue => ({ N: String(n) });
const S = (s: string): AttributeValue => ({ S: s });

export function claimInput(subject: FloodSubject, o: FloodOptions) {
  const now = o.now.getTime();
  const rises = subject.level !== undefined;
  return {
    TableName: o.table,
    Key: { pk: S(subject.key) },
    UpdateExpression: `SET #notifiedAt = :now, #eventId = :eventId, #suppressed = :zero, #state = :state, #expiresAt = :expiresAt${rises ? ', #severity = :severity' : ''}`,
    ConditionExpression: `attribute_not_exists(#notifiedAt) OR #notifiedAt <= :windowStart OR #eventId = :eventId${rises ? ' OR #severity < :severity' : ''}`,
    ExpressionAttributeNames: {
      '#notifiedAt': 'notifiedAt',
      '#eventId': 'eventId',
      '#suppressed': 'suppressed',
      '#state': 'state',
      '#expiresAt': 'expiresAt',
      ...(rises ? { '#severity': 'severity' } : {}),
    },
    ExpressionAttributeValues: {
      ':now': N(now),
      ':eventId': S(o.eventId),
      ':zero': N(0),
      ':state': S(subject.state),
      ':expiresAt': N(Math.floor(now / 1000) + STATE_TTL_SECONDS),
      ':windowStart': N(now - o.windowMinutes * 60_000),
      ...(rises ? { ':severity': N(subject.level as number) } : {}),
    },
    ReturnValues: 'ALL_OLD' as const,
  };
}

export function repeatInput(subject: FloodSubject, o: FloodOptions) {
  const now = o.now.getTime();
  return {
    TableName: o.table,
    Key: { pk: S(subject.key) },
    UpdateExpression: 'SET #lastSeenAt = :now, #lastState = :state, #expiresAt = :expiresAt ADD #suppressed :one',
    ConditionExpression: 'attribute_exists(#notifiedAt)',
    ExpressionAttributeNames: {
      '#lastSeenAt': 'lastSeenAt',
      '#lastState': 'lastState',
      '#expiresAt': 'expiresAt',
      '#suppressed': 'suppressed',
      '#notifiedAt': 'notifiedAt',
    },
    ExpressionAttributeValues: {
      ':now': N(now),
      ':state': S(subject.state),
      ':expiresAt': N(Math.floor(now / 1000) + STATE_TTL_SECONDS),
      ':one': N(1),
    },
    ReturnValues: 'ALL_NEW' as const,
  };
}

const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException || errorName(error) === 'ConditionalCheckFailedException';

/** Decides whether to notify now; never throws: when the table cannot be used it says so and lets the notification go. */
export async function decide(db: DynamoDBClient, subject: FloodSubject, options: FloodOptions): Promise<FloodDecision> {
  try {
    // Two rounds at most: a repeat whose item expired in between claims again.
    for (let round = 0; round < 2; round += 1) {
      try {
        // ALL_OLD: no attributes when the item is new.
        const old = (await db.send(new UpdateItemCommand(claimInput(subject, options)))).Attributes ?? {};
        const count = numberOf(old.suppressed) ?? 0;
        if (count === 0) return { send: true };
        return { send: true, heldBack: heldBackOf(old, count) };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      try {
        // ALL_NEW: the item as the repeat left it.
        const now = (await db.send(new UpdateItemCommand(repeatInput(subject, options)))).Attributes ?? {};
        const notifiedAt = timeOf(now.notifiedAt);
        return { send: false, count: numberOf(now.suppressed) ?? 1, ...(notifiedAt ? { lastNotifiedAt: notifiedAt } : {}) };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    return { send: true, unavailable: 'the state item changed twice while being read: notified to be safe' };
  } catch (error) {
    return { send: true, unavailable: describeError(error) };
  }
}

function heldBackOf(old: Record<string, AttributeValue>, count: number): HeldBack {
  const lastNotifiedAt = timeOf(old.notifiedAt);
  const latestAt = timeOf(old.lastSeenAt);
  const latestState = old.lastState?.S;
  return {
    count,
    ...(lastNotifiedAt ? { lastNotifiedAt } : {}),
    ...(latestState ? { latestState } : {}),
    ...(latestAt ? { latestAt } : {}),
  };
}

function numberOf(v: AttributeValue | undefined): number | undefined {
  const n = v?.N === undefined ? NaN : Number(v.N);
  return Number.isFinite(n) ? n : undefined;
}

function timeOf(v: AttributeValue | undefined): string | undefined {
  const n = numberOf(v);
  return n === undefined ? undefined : new Date(n).toISOString();
}
