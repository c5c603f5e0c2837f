import { type AttributeValue, type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { TargetRecord } from '../../functions/core/journal/journal.js';

/** A new journal table, ACTIVE (test/support/dynalite.ts waits for it). */
export async function activeTable(_db: () => DynamoDBClient, table: () => Promise<string>): Promise<string> {
  return table();
}

export interface JournalItems {
  /** The event item as stored (attribute values), or undefined. */
  event: Record<string, AttributeValue> | undefined;
  /** Each target item's `record`, parsed, with the item's `attempt` attribute. */
  targets: (TargetRecord & { itemAttempt: number })[];
}

/** Every item of one event in the journal table, read as an operator would with a Query on `pk`. */
export async function journalItems(db: () => DynamoDBClient, table: string, key: string): Promise<JournalItems> {
  const out = await db().send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: key } },
      ConsistentRead: true,
    }),
  );
  const items = out.Items ?? [];
  return {
    event: items.find((i) => i.sk?.S === 'event'),
    targets: items
      .filter((i) => i.sk?.S?.startsWith('target#'))
      .map((i) => ({ ...(JSON.parse(i.record?.S ?? '{}') as TargetRecord), itemAttempt: Number(i.attempt?.N) })),
  };
}

/** Waits until `check` returns a value (polling every few ms), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 5_000): Promise<T> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (performance.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
