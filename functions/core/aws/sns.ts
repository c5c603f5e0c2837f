import { type MessageAttributeValue, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { clientOptions, onFirstUse } from './client-options.js';

export const snsClient = onFirstUse(() => new SNSClient({ ...clientOptions }));

export interface SnsMessage {
  topicArn: string;
  subject: string;
  message: string;
  attributes: Record<string, string>;
  /** SNS `MessageStructure: json`: `message` is then a JSON object of per-protocol messages. */
  perProtocol?: boolean;
}

export async function publish(m: SnsMessage): Promise<string | undefined> {
  const attributes: Record<string, MessageAttributeValue> = Object.fromEntries(
    Object.entries(m.attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
  );
  const out = await snsClient().send(
    new PublishCommand({
      TopicArn: m.topicArn,
      Subject: m.subject,
      Message: m.message,
      MessageAttributes: attributes,
      ...(m.perProtocol ? { MessageStructure: 'json' } : {}),
    }),
  );
  return out.MessageId;
}
