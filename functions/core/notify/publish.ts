import { publish } from '../aws/sns.js';
import { describeError, MlGuardError } from '../errors.js';
import type { NotificationReport } from '../remediation/result.js';
import { JSON_MARKER, type Notification, snsMessage } from './format.js';

/** Raised when a notification could not be sent: the invocation fails so Lambda retries it and, at last, dead-letters it. */
export class NotificationError extends MlGuardError {
  override readonly name = 'NotificationError';
}

/**
 * Publishes to the topic with per-protocol messages (`MessageStructure: json`, see `snsMessage`); with no topic
 * configured (a local dry-run) returns what it would send instead: the whole message, its text line by line, and the
 * chat payload.
 */
export async function deliver(notification: Notification, topicArn: string | undefined): Promise<NotificationReport> {
  if (!topicArn) {
    return {
      subject: notification.subject,
      published: false,
      note: 'TOPIC_ARN is not set: not sent',
      text: notification.message.split(`\n${JSON_MARKER}\n`)[0]?.split('\n') ?? [],
      chat: notification.chat,
      message: notification.message,
    };
  }
  try {
    const messageId = await publish({
      topicArn,
      subject: notification.subject,
      message: snsMessage(notification),
      attributes: notification.attributes,
      perProtocol: true,
    });
    return { subject: notification.subject, published: true, ...(messageId ? { messageId } : {}) };
  } catch (error) {
    throw new NotificationError(`could not publish to ${topicArn}: ${describeError(error)}`, { cause: error });
  }
}
