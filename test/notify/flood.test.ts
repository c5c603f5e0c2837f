import { DynamoDBClient, DynamoDBServiceException, ResourceNotFoundException, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { decide, STATE_TTL_SECONDS } from '../../functions/notify/flood.js';
import { conditionFailed, fakeStateTable } from './fake-state-table.js';
import { alarm, finding, minutes, NOW } from './flood-subjects.js';

const MS = NOW.getTime();
const TABLE = 'ml-guard-NotificationStateTable-ABC123';
const options = (now: Date, eventId: string) => ({ table: TABLE, windowMinutes: 15, now, eventId });
const db = () => new DynamoDBClient({ region: 'eu-west-2' });

afterEach(() => {
  mockClient(DynamoDBClient).restore();
});

describe('flood control', () => {
  it('claims the first occurrence with a conditional UpdateItem and notifies', async () => {
    // Prepare
    const { mock } = fakeStateTable();

    // Act
    const decision = await decide(db(), alarm, options(NOW, 'event-1'));

    // Assess
    expect(decision).toEqual({ send: true });
    expect(mock.commandCalls(UpdateItemCommand).map((c) => c.args[0].input)).toEqual([
      {
        TableName: TABLE,
        Key: { pk: { S: alarm.key } },
        UpdateExpression: 'SET #notifiedAt = :now, #eventId = :eventId, #suppressed = :zero, #state = :state, #expiresAt = :expiresAt',
        ConditionExpression: 'attribute_not_exists(#notifiedAt) OR #notifiedAt <= :windowStart OR #eventId = :eventId',
        ExpressionAttributeNames: {
          '#notifiedAt': 'notifiedAt',
          '#eventId': 'eventId',
          '#suppressed': 'suppressed',
          '#state': 'state',
          '#expiresAt': 'expiresAt',
        },
        ExpressionAttributeValues: {
          ':now': { N: String(MS) },
          ':eventId': { S: 'event-1' },
          ':zero': { N: '0' },
          ':state': { S: 'ALARM' },
          ':expiresAt': { N: String(MS / 1000 + STATE_TTL_SECONDS) },
          ':windowStart': { N: String(MS - 15 * 60_000) },
        },
        ReturnValues: 'ALL_OLD',
      },
    ]);
  });

  it('holds back a repeat inside the window and counts it with ADD', async () => {
    // Prepare
    const { mock, items } = fakeStateTable();
    await decide(db(), alarm, options(NOW, 'event-1'));

    // Act
    const decision = await decide(db(), { ...alarm, state: 'OK' }, options(minutes(5), 'event-2'));

    // Assess
    expect(decision).toEqual({ send: false, count: 1, lastNotifiedAt: NOW.toISOString() });
    expect(mock.commandCalls(UpdateItemCommand).map((c) => c.args[0].input)[2]).toEqual({
      TableName: TABLE,
      Key: { pk: { S: alarm.key } },
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
        ':now': { N: String(MS + 5 * 60_000) },
        ':state': { S: 'OK' },
        ':expiresAt': { N: String((MS + 5 * 60_000) / 1000 + STATE_TTL_SECONDS) },
        ':one': { N: '1' },
      },
      ReturnValues: 'ALL_NEW',
    });
    expect(items.get(alarm.key)?.suppressed).toEqual({ N: '1' });
  });

  it('notifies again once the window has passed, with the repeats held back meanwhile', async () => {
    // Prepare
    fakeStateTable();
    await decide(db(), alarm, options(NOW, 'event-1'));
    await decide(db(), { ...alarm, state: 'OK' }, options(minutes(2), 'event-2'));
    await decide(db(), alarm, options(minutes(4), 'event-3'));

    // Act
    const inside = await decide(db(), { ...alarm, state: 'OK' }, options(minutes(14), 'event-4'));
    const after = await decide(db(), alarm, options(minutes(15), 'event-5'));
    const next = await decide(db(), alarm, options(minutes(16), 'event-6'));

    // Assess
    expect(inside).toEqual({ send: false, count: 3, lastNotifiedAt: NOW.toISOString() });
    expect(after).toEqual({
      send: true,
      heldBack: { count: 3, lastNotifiedAt: NOW.toISOString(), latestState: 'OK', latestAt: minutes(14).toISOString() },
    });
    expect(next).toEqual({ send: false, count: 1, lastNotifiedAt: minutes(15).toISOString() });
  });

  it('notifies a GuardDuty finding again at once when its severity rises, and not when it stays', async () => {
    // Prepare
    const { mock } = fakeStateTable();
    await decide(db(), finding(5), options(NOW, 'event-1'));

    // Act
    const same = await decide(db(), finding(5), options(minutes(1), 'event-2'));
    const rose = await decide(db(), finding(8), options(minutes(2), 'event-3'));
    const fell = await decide(db(), finding(5), options(minutes(3), 'event-4'));

    // Assess
    expect(same.send).toBe(false);
    expect(rose).toEqual({
      send: true,
      heldBack: { count: 1, lastNotifiedAt: NOW.toISOString(), latestState: 'severity 5', latestAt: minutes(1).toISOString() },
    });
    expect(fell.send).toBe(false);
    const claim = mock.commandCalls(UpdateItemCommand)[0]?.args[0].input;
    expect(claim?.ConditionExpression).toBe(
      'attribute_not_exists(#notifiedAt) OR #notifiedAt <= :windowStart OR #eventId = :eventId OR #severity < :severity',
    );
    expect(claim?.UpdateExpression).toBe(
      'SET #notifiedAt = :now, #eventId = :eventId, #suppressed = :zero, #state = :state, #expiresAt = :expiresAt, #severity = :severity',
    );
    expect(claim?.ExpressionAttributeNames?.['#severity']).toBe('severity');
    expect(claim?.ExpressionAttributeValues?.[':severity']).toEqual({ N: '5' });
  });

  it('lets only one of two concurrent invocations about the same alarm notify', async () => {
    // Prepare
    fakeStateTable();

    // Act
    const decisions = await Promise.all([decide(db(), alarm, options(NOW, 'event-1')), decide(db(), alarm, options(NOW, 'event-2'))]);

    // Assess
    expect(decisions.filter((d) => d.send)).toHaveLength(1);
    expect(decisions.filter((d) => !d.send)).toEqual([{ send: false, count: 1, lastNotifiedAt: NOW.toISOString() }]);
  });

  it('notifies again when Lambda retries the same event after a failed publish, so no notification is lost', async () => {
    // Prepare
    fakeStateTable();
    await decide(db(), alarm, options(NOW, 'event-1'));

    // Act
    const retry = await decide(db(), alarm, options(minutes(1), 'event-1'));

    // Assess
    expect(retry).toEqual({ send: true });
  });

  it('takes a ConditionalCheckFailedException on the claim as someone else having notified', async () => {
    // Prepare
    const mock = mockClient(DynamoDBClient);
    mock
      .on(UpdateItemCommand)
      .rejectsOnce(conditionFailed())
      .resolvesOnce({ Attributes: { pk: { S: alarm.key }, notifiedAt: { N: String(MS - 60_000) }, suppressed: { N: '4' } } });

    // Act
    const decision = await decide(db(), alarm, options(NOW, 'event-9'));

    // Assess
    expect(decision).toEqual({ send: false, count: 4, lastNotifiedAt: new Date(MS - 60_000).toISOString() });
    expect(mock.commandCalls(UpdateItemCommand).map((c) => c.args[0].input.ConditionExpression)).toEqual([
      'attribute_not_exists(#notifiedAt) OR #notifiedAt <= :windowStart OR #eventId = :eventId',
      'attribute_exists(#notifiedAt)',
    ]);
  });

  it('claims again when the item expired between the claim and the repeat', async () => {
    // Prepare
    const mock = mockClient(DynamoDBClient);
    mock.on(UpdateItemCommand).rejectsOnce(conditionFailed()).rejectsOnce(conditionFailed()).resolvesOnce({});

    // Act
    const decision = await decide(db(), alarm, options(NOW, 'event-1'));

    // Assess
    expect(decision).toEqual({ send: true });
    expect(mock.commandCalls(UpdateItemCommand)).toHaveLength(3);
  });

  it.each([
    [
      'a missing table',
      new ResourceNotFoundException({ $metadata: { httpStatusCode: 400 }, message: 'Requested resource not found' }),
      'ResourceNotFoundException: Requested resource not found',
    ],
    [
      'a denied write',
      new DynamoDBServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'not authorized to perform: dynamodb:UpdateItem',
      }),
      'AccessDeniedException: not authorized to perform: dynamodb:UpdateItem',
    ],
  ])('notifies anyway, and says flood control was unavailable, on %s', async (_case, error, said) => {
    // Prepare
    mockClient(DynamoDBClient).on(UpdateItemCommand).rejects(error);

    // Act
    const decision = await decide(db(), alarm, options(NOW, 'event-1'));

    // Assess
    expect(decision).toEqual({ send: true, unavailable: said });
  });
});
