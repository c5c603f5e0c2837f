import {
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS } from '../../functions/core/aws/client-options.js';
import { decide, dynamoClient, STATE_TTL_SECONDS } from '../../functions/notify/flood.js';
import { dynaliteServer } from '../support/dynalite.js';
import { alarm, finding, minutes, NOW } from './flood-subjects.js';

/**
 * Flood control against DynamoDB's own semantics (dynalite: condition expressions, ADD, ReturnValues, atomic
 * conditional writes), with the key schema template.yaml gives NotificationStateTable. The hand-made table of
 * flood.test.ts checks the exact calls; this file checks that those calls mean what flood.ts says they mean.
 */
const { db, table } = dynaliteServer();
const MS = NOW.getTime();

const stateTable = () => table({ hashOnly: true });
const options = (name: string, now: Date, eventId: string) => ({ table: name, windowMinutes: 15, now, eventId });
const item = async (name: string, key: string) =>
  (await db().send(new GetItemCommand({ TableName: name, Key: { pk: { S: key } }, ConsistentRead: true }))).Item;

describe('flood control on DynamoDB semantics', () => {
  it('notifies the first occurrence and keeps the item a week (TTL)', async () => {
    // Prepare
    const name = await stateTable();

    // Act
    const decision = await decide(db(), alarm, options(name, NOW, 'event-1'));

    // Assess
    expect(decision).toEqual({ send: true });
    expect(STATE_TTL_SECONDS).toBe(604_800);
    expect(await item(name, alarm.key)).toMatchObject({
      notifiedAt: { N: String(MS) },
      eventId: { S: 'event-1' },
      suppressed: { N: '0' },
      state: { S: 'ALARM' },
      expiresAt: { N: String(MS / 1000 + 604_800) },
    });
  });

  it('holds back repeats inside the window, counting each, and reports them with the first notification after it', async () => {
    // Prepare
    const name = await stateTable();
    await decide(db(), alarm, options(name, NOW, 'event-1'));

    // Act
    const second = await decide(db(), alarm, options(name, minutes(5), 'event-2'));
    const third = await decide(db(), { ...alarm, state: 'OK' }, options(name, minutes(10), 'event-3'));
    const atEdge = await decide(db(), alarm, options(name, minutes(15), 'event-4'));
    const after = await item(name, alarm.key);

    // Assess
    expect(second).toEqual({ send: false, count: 1, lastNotifiedAt: NOW.toISOString() });
    expect(third).toEqual({ send: false, count: 2, lastNotifiedAt: NOW.toISOString() });
    // The window is 15 minutes: a notification exactly 15 minutes after the last one is allowed.
    expect(atEdge).toEqual({
      send: true,
      heldBack: { count: 2, lastNotifiedAt: NOW.toISOString(), latestState: 'OK', latestAt: minutes(10).toISOString() },
    });
    expect(after).toMatchObject({ notifiedAt: { N: String(minutes(15).getTime()) }, suppressed: { N: '0' }, eventId: { S: 'event-4' } });
  });

  it('notifies again for a retry of the same event, so that a failed publish loses nothing', async () => {
    const name = await stateTable();
    await decide(db(), alarm, options(name, NOW, 'event-1'));

    expect(await decide(db(), alarm, options(name, minutes(1), 'event-1'))).toEqual({ send: true });
  });

  it("notifies at once when a finding's severity rises, not when it stays or falls", async () => {
    const name = await stateTable();
    await decide(db(), finding(5), options(name, NOW, 'event-1'));

    const same = await decide(db(), finding(5), options(name, minutes(1), 'event-2'));
    const lower = await decide(db(), finding(2), options(name, minutes(2), 'event-3'));
    const higher = await decide(db(), finding(8), options(name, minutes(3), 'event-4'));

    expect([same.send, lower.send, higher.send]).toEqual([false, false, true]);
    expect(higher).toMatchObject({ heldBack: { count: 2, latestState: 'severity 2' } });
    expect(await item(name, finding(8).key)).toMatchObject({ severity: { N: '8' } });
  });

  it('lets exactly one of several concurrent invocations notify', async () => {
    const name = await stateTable();

    const decisions = await Promise.all([1, 2, 3, 4].map((n) => decide(db(), alarm, options(name, NOW, `event-${n}`))));

    expect(decisions.filter((d) => d.send)).toHaveLength(1);
    expect(
      decisions
        .filter((d) => !d.send)
        .map((d) => (d.send ? 0 : d.count))
        .sort(),
    ).toEqual([1, 2, 3]);
  });

  it('reports what an older item holds, without the times it lacks', async () => {
    // Prepare: an item with repeats but without lastSeenAt or lastState (written by hand, or by an older version).
    const name = await stateTable();
    await db().send(
      new PutItemCommand({
        TableName: name,
        Item: { pk: { S: alarm.key }, notifiedAt: { N: String(MS) }, eventId: { S: 'e0' }, suppressed: { N: '3' } },
      }),
    );

    // Act
    const decision = await decide(db(), alarm, options(name, minutes(20), 'event-1'));

    // Assess
    expect(decision).toEqual({ send: true, heldBack: { count: 3, lastNotifiedAt: NOW.toISOString() } });
  });

  it('claims again when the item expired between the claim and the repeat', async () => {
    // Prepare: the item is deleted (TTL) right after the claim is refused.
    const name = await stateTable();
    await decide(db(), alarm, options(name, NOW, 'event-1'));
    const client = interceptingUpdates(db(), async (input) => {
      if (input.ConditionExpression?.startsWith('attribute_exists'))
        await db().send(new DeleteItemCommand({ TableName: name, Key: { pk: { S: alarm.key } } }));
    });

    // Act
    const decision = await decide(client.db, alarm, options(name, minutes(1), 'event-2'));

    // Assess: claim refused, repeat refused (no item), claim granted.
    expect(decision).toEqual({ send: true });
    expect(client.conditions()).toEqual(['claim', 'repeat', 'claim']);
  });

  it('notifies, to be safe, when the item changes under it in both rounds, and tries no third', async () => {
    // Prepare: before each claim the item is fresh (someone notified); before each repeat it is gone.
    const name = await stateTable();
    const client = interceptingUpdates(db(), async (input) => {
      if (input.ConditionExpression?.startsWith('attribute_exists')) {
        await db().send(new DeleteItemCommand({ TableName: name, Key: { pk: { S: alarm.key } } }));
      } else {
        await db().send(
          new PutItemCommand({
            TableName: name,
            Item: { pk: { S: alarm.key }, notifiedAt: { N: String(MS) }, eventId: { S: 'other' }, suppressed: { N: '0' } },
          }),
        );
      }
    });

    // Act
    const decision = await decide(client.db, alarm, options(name, minutes(1), 'event-2'));

    // Assess
    expect(decision).toEqual({ send: true, unavailable: 'the state item changed twice while being read: notified to be safe' });
    expect(client.conditions()).toEqual(['claim', 'repeat', 'claim', 'repeat']);
  });

  it('takes a ConditionalCheckFailedException known only by its name (another copy of the SDK) as a refused condition', async () => {
    // Prepare: every conditional write is refused by an error that is not an instance of this SDK's class.
    const refused = {
      send: async () =>
        Promise.reject(Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' })),
    };

    // Act
    const decision = await decide(refused as unknown as DynamoDBClient, alarm, options('any', NOW, 'event-1'));

    // Assess
    expect(decision).toEqual({ send: true, unavailable: 'the state item changed twice while being read: notified to be safe' });
  });

  it.each([
    ['claim', 'claim'],
    ['repeat', 'repeat'],
  ])('notifies and says why when the %s fails for another reason than its condition', async (_, failing) => {
    // Prepare: an item notified a minute ago, so that the claim is refused and the repeat runs.
    const name = await stateTable();
    await decide(db(), alarm, options(name, NOW, 'event-1'));
    const client = interceptingUpdates(db(), async (input) => {
      const isRepeat = input.ConditionExpression?.startsWith('attribute_exists') ?? false;
      if (isRepeat === (failing === 'repeat')) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    });

    // Act
    const decision = await decide(client.db, alarm, options(name, minutes(1), 'event-2'));

    // Assess: no second round after an error that is not a refused condition.
    expect(decision).toEqual({ send: true, unavailable: 'ThrottlingException: Rate exceeded' });
    expect(client.conditions()).toEqual(failing === 'claim' ? ['claim'] : ['claim', 'repeat']);
  });

  it('notifies and says why when the table does not exist', async () => {
    const decision = await decide(db(), alarm, options('no-such-table', NOW, 'event-1'));

    expect(decision).toMatchObject({ send: true, unavailable: expect.stringMatching(/^ResourceNotFoundException: /) });
  });

  it('builds its DynamoDB client once per container, with the shared client options', async () => {
    expect(dynamoClient()).toBeInstanceOf(DynamoDBClient);
    expect(dynamoClient()).toBe(dynamoClient());
    expect(await dynamoClient().config.maxAttempts()).toBe(MAX_ATTEMPTS);
  });
});

/** A client that runs `before` ahead of each UpdateItem it passes on, and records whether each was a claim or a repeat. */
function interceptingUpdates(client: DynamoDBClient, before: (input: UpdateItemCommandInput) => Promise<void>) {
  const seen: string[] = [];
  const db = {
    send: async (command: UpdateItemCommand) => {
      seen.push(command.input.ConditionExpression?.startsWith('attribute_exists') ? 'repeat' : 'claim');
      await before(command.input);
      return client.send(command);
    },
  } as unknown as DynamoDBClient;
  return { db, conditions: () => seen };
}
