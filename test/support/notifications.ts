import type { PublishCommandInput } from '@aws-sdk/client-sns';
import type { ChatNotification } from '../../functions/core/notify/chat.js';
import { JSON_MARKER } from '../../functions/core/notify/format.js';

/** A published notification, taken apart: what a person reads, the machine-readable result, the chat payload, the attributes. */
export interface ReadNotification {
  topicArn: string | undefined;
  subject: string;
  /** The text for people (what e-mail subscribers read). */
  text: string;
  /** The machine-readable JSON after the marker line. */
  json: any;
  /** What AWS Chatbot gets (the `https` message), in its custom-notification schema; undefined if none was sent. */
  chat: ChatNotification | undefined;
  /** The whole `Message` parameter as sent, for size checks. */
  raw: string;
  /** Message attributes as plain strings. */
  attributes: Record<string, string | undefined>;
}

/**
 * Reads an SNS Publish input the way a subscriber would. Tests read notifications only through this. With
 * `MessageStructure: json` the e-mail (default) message and the chat (https) message are taken from their keys.
 */
export function readNotification(input: PublishCommandInput): ReadNotification {
  const raw = input.Message ?? '';
  let message = raw;
  let chat: ChatNotification | undefined;
  if (input.MessageStructure === 'json') {
    const perProtocol = JSON.parse(raw) as Record<string, unknown>;
    if (typeof perProtocol.default !== 'string') throw new Error('MessageStructure json without a "default" string');
    message = perProtocol.default;
    chat = typeof perProtocol.https === 'string' ? (JSON.parse(perProtocol.https) as ChatNotification) : undefined;
  }
  const [text = '', json = 'null'] = message.split(`\n${JSON_MARKER}\n`);
  return {
    topicArn: input.TopicArn,
    subject: input.Subject ?? '',
    text,
    json: JSON.parse(json),
    chat,
    raw,
    attributes: Object.fromEntries(Object.entries(input.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue])),
  };
}
