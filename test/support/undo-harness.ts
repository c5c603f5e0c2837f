import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, vi } from 'vitest';

type ClientClass = Parameters<typeof mockClient>[0];

/**
 * What every undo test needs, set up once per file: SNS answered (`messageId`), the SDK clients the file's fakes mock
 * restored after each test, and, when `now` is given, the clock fixed there (only `Date`). Unlike `handlerHarness`, it
 * checks no declared IAM action: the undo runs with a person's credentials, not a function's role.
 */
export function undoHarness({ restore, now, messageId = 'msg-1' }: { restore: ClientClass[]; now?: Date; messageId?: string }) {
  const sns = mockClient(SNSClient);
  beforeEach(() => {
    if (now) vi.useFakeTimers({ toFake: ['Date'], now });
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: messageId });
  });
  afterEach(() => {
    if (now) vi.useRealTimers();
    for (const client of restore) mockClient(client).restore();
  });
  return { sns };
}
