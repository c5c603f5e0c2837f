import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, vi } from 'vitest';
import { expectDeclaredCalls } from './declared-calls.js';
import { readNotification } from './notifications.js';

type ClientClass = Parameters<typeof mockClient>[0];

export interface HarnessOptions {
  functionName: string;
  /** The clock during each test (only `Date` is faked: the SDK's timers run as usual). */
  now: Date;
  region?: string;
  account?: string;
  /** SDK clients the test file mocks itself, restored after each test. */
  restore?: ClientClass[];
  /** Other functions the file runs besides `functionName`: the commands each test sends may be any of theirs. */
  alsoRuns?: string[];
}

/**
 * What every handler test needs, set up once per file: a Lambda context, the clock fixed at `now`, and SNS answered
 * (`MessageId: msg-1`) and recorded, each published notification read as a subscriber would. After each test, every
 * command sent through the mocked clients must be an IAM action the function declares (test/support/functions.ts).
 */
export function handlerHarness({
  functionName,
  now,
  region = 'eu-west-2',
  account = '123456789012',
  restore = [],
  alsoRuns = [],
}: HarnessOptions) {
  const sns = mockClient(SNSClient);
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], now });
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
  });
  afterEach(() => {
    vi.useRealTimers();
    try {
      expectDeclaredCalls([functionName, ...alsoRuns], [SNSClient, ConfigServiceClient, ...restore]);
    } finally {
      for (const client of restore) mockClient(client).restore();
    }
  });
  const context = {
    functionName,
    awsRequestId: 'req-1',
    invokedFunctionArn: `arn:aws:lambda:${region}:${account}:function:${functionName}`,
    memoryLimitInMB: '256',
  } as Context;
  return { sns, context, published: () => sns.commandCalls(PublishCommand).map((c) => readNotification(c.args[0].input)) };
}
