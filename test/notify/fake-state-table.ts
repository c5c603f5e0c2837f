import { type AttributeValue, ConditionalCheckFailedException, DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';

type Item = Record<string, AttributeValue>;

/**
 * The flood-control table answered by aws-sdk-client-mock as DynamoDB would for the two UpdateItem calls notify makes
 * (the claim and the repeat): each call is applied atomically, a failed condition raises the SDK's
 * ConditionalCheckFailedException and changes nothing. Any other expression is refused, so a change to the calls
 * fails here rather than passing by accident.
 */
export function fakeStateTable(items: Map<string, Item> = new Map()) {
  const mock = mockClient(DynamoDBClient);
  mock.on(UpdateItemCommand).callsFake((input) => {
    const key = input.Key?.pk?.S;
    if (!key) throw new Error('no pk in the key');
    const values = input.ExpressionAttributeValues ?? {};
    const n = (name: string) => Number(values[name]?.N);
    const old = items.get(key);
    const num = (v: AttributeValue | undefined) => (v?.N === undefined ? undefined : Number(v.N));
    if (input.ConditionExpression?.startsWith('attribute_not_exists(#notifiedAt)')) {
      const notifiedAt = num(old?.notifiedAt);
      const severity = num(old?.severity);
      const passes =
        notifiedAt === undefined ||
        notifiedAt <= n(':windowStart') ||
        old?.eventId?.S === values[':eventId']?.S ||
        (values[':severity'] !== undefined && severity !== undefined && severity < n(':severity'));
      if (!passes) throw conditionFailed();
      const next: Item = {
        ...(old ?? {}),
        pk: { S: key },
        notifiedAt: values[':now'] as AttributeValue,
        eventId: values[':eventId'] as AttributeValue,
        suppressed: { N: '0' },
        state: values[':state'] as AttributeValue,
        expiresAt: values[':expiresAt'] as AttributeValue,
        ...(values[':severity'] ? { severity: values[':severity'] } : {}),
      };
      items.set(key, next);
      return { Attributes: old };
    }
    if (input.ConditionExpression === 'attribute_exists(#notifiedAt)') {
      if (!old?.notifiedAt) throw conditionFailed();
      const next: Item = {
        ...old,
        lastSeenAt: values[':now'] as AttributeValue,
        lastState: values[':state'] as AttributeValue,
        expiresAt: values[':expiresAt'] as AttributeValue,
        suppressed: { N: String((num(old.suppressed) ?? 0) + n(':one')) },
      };
      items.set(key, next);
      return { Attributes: next };
    }
    throw new Error(`unexpected UpdateItem: ${input.ConditionExpression}`);
  });
  return { mock, items };
}

export function conditionFailed(): ConditionalCheckFailedException {
  return new ConditionalCheckFailedException({ $metadata: { httpStatusCode: 400 }, message: 'The conditional request failed' });
}
