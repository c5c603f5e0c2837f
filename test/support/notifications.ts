import type { PublishCommandInput } from '@aws-sdk/client-sns';
import { JSON_MARKER } from '../../functions/core/notify/format.js';

/** A published notification, taken apart: what a person reads, the machine-readable result, and the attributes. */
export interface ReadNotification {
  topicArn: string | undefined;
  subject: string;
  /** The text for people (e-mail). */
  text: string;
  /** The machine-readable JSON after the marker line. */
  json: any;
  /** Message attributes as plain strings. */
  attributes: Record<string, string | undefined>;
}

/** Reads an SNS Publish input the way a subscriber would. Tests read notifications only through this. */
export function readNotification(input: PublishCommandInput): ReadNotification {
  const message = input.Message ?? '';
  const [text = '', json = 'null'] = message.split(`\n${JSON_MARKER}\n`);
  return {
    topicArn: input.TopicArn,
    subject: input.Subject ?? '',
    text,
    json: JSON.parse(json),
    attributes: Object.fromEntries(Object.entries(input.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue])),
  };
}
