import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { clientOptions, onFirstUse } from '../aws/client-options.js';
import { describeError, errorName } from '../errors.js';
import {
  type Claim,
  type ClaimRequest,
  type CloseRequest,
  type EventRecord,
  JournalConflictError,
  JournalError,
  type JournalStore,
  type TargetRecord,
} from './journal.js';

/** IAM actions the journal calls, on its table only, in every mode (dry-runs are journaled too). */
export const journalIamActions = ['dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:Query'] as const;

export const journalClient = onFirstUse(() => new DynamoDBClient({ ...clientOptions }));

const DAY_S = 24 * 3600;
const EVENT_SK = 'event';
const TARGET_SK = 'target#';

const S = (s: string): AttributeValue => ({ S: s });
const N = (n: number): AttributeValue => ({ N: String(n) });
const B = (b: boolean): AttributeValue => ({ BOOL: b });

const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException || errorName(error) === 'ConditionalCheckFailedException';

/**
 * The journal in a DynamoDB table (key `pk` = `<function>#<event id>`, sort key `sk` = `event` or `target#<type>#<id>`),
 * written only with conditional writes:
 * - claim: UpdateItem of the event item IF it does not exist, or it is not closed and its claim expired or is ours;
 *   the attempt count goes up by one. Of two concurrent deliveries exactly one gets the claim.
 * - target: PutItem IF the item does not exist or was written by this attempt or an earlier one (a stale invocation
 *   whose event was taken over cannot overwrite the newer attempt's record).
 * - close: UpdateItem of the event item IF this attempt still holds it.
 * Items expire (TTL attribute `expiresAt`) `retentionDays` after their last write.
 */
export class DynamoJournal implements JournalStore {
  readonly location: string;

  constructor(
    private readonly table: string,
    private readonly retentionDays: number,
    private readonly db: () => DynamoDBClient = journalClient,
  ) {
    this.location = `dynamodb:${table}`;
  }

  async claim(key: string, r: ClaimRequest): Promise<Claim> {
    const now = r.now.getTime();
    try {
      const out = await this.db().send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { pk: S(key), sk: S(EVENT_SK) },
          UpdateExpression:
            'SET #attempts = if_not_exists(#attempts, :zero) + :one, #owner = :owner, #leaseUntil = :until, #closed = :false, ' +
            '#startedAt = if_not_exists(#startedAt, :nowIso), #updatedAt = :nowIso, #function = :function, #eventId = :eventId, ' +
            `#expiresAt = :expiresAt${r.findingId ? ', #findingId = :findingId' : ''}`,
          ConditionExpression: 'attribute_not_exists(#pk) OR (#closed = :false AND (#leaseUntil < :now OR #owner = :owner))',
          ExpressionAttributeNames: {
            '#pk': 'pk',
            '#attempts': 'attempts',
            '#owner': 'owner',
            '#leaseUntil': 'leaseUntil',
            '#closed': 'closed',
            '#startedAt': 'startedAt',
            '#updatedAt': 'updatedAt',
            '#function': 'function',
            '#eventId': 'eventId',
            '#expiresAt': 'expiresAt',
            ...(r.findingId ? { '#findingId': 'findingId' } : {}),
          },
          ExpressionAttributeValues: {
            ':zero': N(0),
            ':one': N(1),
            ':owner': S(r.owner),
            ':until': N(now + r.leaseMs),
            ':false': B(false),
            ':nowIso': S(r.now.toISOString()),
            ':now': N(now),
            ':function': S(r.function),
            ':eventId': S(r.eventId),
            ':expiresAt': N(this.expiresAt(r.now)),
            ...(r.findingId ? { ':findingId': S(r.findingId) } : {}),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const event = eventOf(key, out.Attributes);
      const { targets } = await this.load(key);
      return { granted: true, attempt: event.attempts, event, targets };
    } catch (error) {
      if (!isConditionFailure(error)) throw wrap(error, `could not claim ${key} in ${this.location}`);
    }
    const { event, targets } = await this.load(key);
    if (!event) throw new JournalError(`the claim on ${key} was refused, but its record could not be read back`);
    return { granted: false, event, targets };
  }

  async saveTarget(key: string, attempt: number, record: TargetRecord): Promise<void> {
    try {
      await this.db().send(
        new PutItemCommand({
          TableName: this.table,
          Item: {
            pk: S(key),
            sk: S(`${TARGET_SK}${record.id}`),
            attempt: N(attempt),
            record: S(JSON.stringify(record)),
            expiresAt: N(this.expiresAt(new Date(record.updatedAt))),
          },
          ConditionExpression: 'attribute_not_exists(#pk) OR #attempt <= :attempt',
          ExpressionAttributeNames: { '#pk': 'pk', '#attempt': 'attempt' },
          ExpressionAttributeValues: { ':attempt': N(attempt) },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error))
        throw new JournalConflictError(`target ${record.id} of ${key} was written by a later attempt than ${attempt}`);
      throw wrap(error, `could not journal target ${record.id} of ${key}`);
    }
  }

  async close(key: string, attempt: number, r: CloseRequest): Promise<void> {
    try {
      await this.db().send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { pk: S(key), sk: S(EVENT_SK) },
          UpdateExpression: `SET #closed = :closed, #status = :status, #reason = :reason, #leaseUntil = :zero, #updatedAt = :nowIso, #expiresAt = :expiresAt${
            r.notification ? ', #notification = :notification' : ''
          }`,
          ConditionExpression: '#attempts = :attempt',
          ExpressionAttributeNames: {
            '#closed': 'closed',
            '#status': 'status',
            '#reason': 'reason',
            '#leaseUntil': 'leaseUntil',
            '#updatedAt': 'updatedAt',
            '#expiresAt': 'expiresAt',
            '#attempts': 'attempts',
            ...(r.notification ? { '#notification': 'notification' } : {}),
          },
          ExpressionAttributeValues: {
            ':closed': B(r.closed),
            ':status': S(r.status),
            ':reason': S(r.reason),
            ':zero': N(0),
            ':nowIso': S(r.now.toISOString()),
            ':expiresAt': N(this.expiresAt(r.now)),
            ':attempt': N(attempt),
            ...(r.notification ? { ':notification': S(JSON.stringify(r.notification)) } : {}),
          },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new JournalConflictError(`${key} was claimed by a later attempt than ${attempt}`);
      throw wrap(error, `could not close ${key}`);
    }
  }

  read(key: string): Promise<{ event?: EventRecord; targets: TargetRecord[] }> {
    return this.load(key);
  }

  /** Every item of the event, page by page (a Query answers at most 1 MB at a time), read consistently. */
  private async load(key: string): Promise<{ event?: EventRecord; targets: TargetRecord[] }> {
    const targets: TargetRecord[] = [];
    let event: EventRecord | undefined;
    let start: Record<string, AttributeValue> | undefined;
    try {
      do {
        const page = await this.db().send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: '#pk = :pk',
            ExpressionAttributeNames: { '#pk': 'pk' },
            ExpressionAttributeValues: { ':pk': S(key) },
            ConsistentRead: true,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        for (const item of page.Items ?? []) {
          if (item.sk?.S === EVENT_SK) event = eventOf(key, item);
          else if (item.sk?.S?.startsWith(TARGET_SK) && item.record?.S) targets.push(JSON.parse(item.record.S) as TargetRecord);
        }
        start = page.LastEvaluatedKey;
      } while (start);
    } catch (error) {
      throw wrap(error, `could not read ${key} from ${this.location}`);
    }
    return { ...(event ? { event } : {}), targets };
  }

  private expiresAt(now: Date): number {
    return Math.floor(now.getTime() / 1000) + this.retentionDays * DAY_S;
  }
}

function eventOf(key: string, item: Record<string, AttributeValue> | undefined): EventRecord {
  const num = (name: string) => Number(item?.[name]?.N ?? 0);
  const str = (name: string) => item?.[name]?.S;
  const notification = str('notification');
  const findingId = str('findingId');
  const status = str('status');
  const reason = str('reason');
  return {
    key,
    function: str('function') ?? '',
    eventId: str('eventId') ?? '',
    ...(findingId ? { findingId } : {}),
    attempts: num('attempts'),
    owner: str('owner') ?? '',
    leaseUntil: num('leaseUntil'),
    closed: item?.closed?.BOOL === true,
    ...(status ? { status: status as EventRecord['status'] } : {}),
    ...(reason ? { reason } : {}),
    ...(notification ? { notification: JSON.parse(notification) as EventRecord['notification'] } : {}),
    startedAt: str('startedAt') ?? '',
    updatedAt: str('updatedAt') ?? '',
  };
}

function wrap(error: unknown, message: string): JournalError {
  return new JournalError(`${message}: ${describeError(error)}`, { cause: error });
}
