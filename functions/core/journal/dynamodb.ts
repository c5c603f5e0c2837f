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
  type ApprovalRecord,
  type Claim,
  type ClaimRequest,
  type CloseRequest,
  type DecideRequest,
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
    // An approval asked for is kept apart from its state, nonce and answer, which `decide` checks and sets atomically.
    const approval = r.approval ? approvalAttributes(r.approval) : undefined;
    const sets = [
      '#closed = :closed',
      '#status = :status',
      '#reason = :reason',
      '#leaseUntil = :zero',
      '#updatedAt = :nowIso',
      '#expiresAt = :expiresAt',
      ...(r.notification ? ['#notification = :notification'] : []),
      ...(approval ? ['#approval = :approval', '#approvalNonce = :approvalNonce', '#approvalState = :approvalState'] : []),
    ];
    try {
      await this.db().send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { pk: S(key), sk: S(EVENT_SK) },
          UpdateExpression: `SET ${sets.join(', ')}${approval ? ' REMOVE #approvalDecision' : ''}`,
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
            ...(approval
              ? {
                  '#approval': 'approval',
                  '#approvalNonce': 'approvalNonce',
                  '#approvalState': 'approvalState',
                  '#approvalDecision': 'approvalDecision',
                }
              : {}),
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
            ...(approval ? { ':approval': approval.approval, ':approvalNonce': approval.nonce, ':approvalState': approval.state } : {}),
          },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new JournalConflictError(`${key} was claimed by a later attempt than ${attempt}`);
      throw wrap(error, `could not close ${key}`);
    }
  }

  async decide(key: string, r: DecideRequest): Promise<boolean> {
    try {
      await this.db().send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { pk: S(key), sk: S(EVENT_SK) },
          UpdateExpression:
            'SET #approvalState = :state, #approvalDecision = :decision, #closed = :false, #leaseUntil = :zero, #updatedAt = :nowIso',
          ConditionExpression: '#closed = :true AND #approvalNonce = :nonce AND #approvalState = :awaiting',
          ExpressionAttributeNames: {
            '#approvalState': 'approvalState',
            '#approvalDecision': 'approvalDecision',
            '#approvalNonce': 'approvalNonce',
            '#closed': 'closed',
            '#leaseUntil': 'leaseUntil',
            '#updatedAt': 'updatedAt',
          },
          ExpressionAttributeValues: {
            ':state': S(r.decision.state),
            ':decision': S(JSON.stringify(r.decision)),
            ':false': B(false),
            ':true': B(true),
            ':zero': N(0),
            ':nowIso': S(r.now.toISOString()),
            ':nonce': S(r.nonce),
            ':awaiting': S('awaiting'),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw wrap(error, `could not answer the approval of ${key}`);
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
    ...approvalOf(item),
    startedAt: str('startedAt') ?? '',
    updatedAt: str('updatedAt') ?? '',
  };
}

/** The approval as the event item keeps it: the record in JSON, and apart from it the nonce and state that `decide` checks. */
function approvalAttributes(approval: ApprovalRecord): { approval: AttributeValue; nonce: AttributeValue; state: AttributeValue } {
  const { state, nonce, decision: _decision, ...rest } = approval;
  return { approval: S(JSON.stringify(rest)), nonce: S(nonce), state: S(state) };
}

function approvalOf(item: Record<string, AttributeValue> | undefined): { approval?: ApprovalRecord } {
  const rest = item?.approval?.S;
  const nonce = item?.approvalNonce?.S;
  const state = item?.approvalState?.S;
  if (!rest || !nonce || !state) return {};
  const decision = item?.approvalDecision?.S;
  return {
    approval: {
      ...(JSON.parse(rest) as Omit<ApprovalRecord, 'nonce' | 'state' | 'decision'>),
      nonce,
      state: state as ApprovalRecord['state'],
      ...(decision ? { decision: JSON.parse(decision) as ApprovalRecord['decision'] } : {}),
    },
  };
}

function wrap(error: unknown, message: string): JournalError {
  return new JournalError(`${message}: ${describeError(error)}`, { cause: error });
}
