import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { describeError } from './errors.js';
import { logger, metrics } from './observability.js';
import type { EventResult } from './remediation/result.js';

/** What the flow needs of the Lambda context: its time left (the time budget), request id (the journal's claim), and account. */
export interface Invocation {
  remainingMs?: () => number;
  requestId?: string;
  /** The account the function runs in, from its ARN: an event about another account is acted on only in organization mode. */
  ownAccount?: string;
  /** The function's ARN and name as invoked: an approval's expiry is scheduled to it, and its commands name it. */
  functionArn?: string;
  deployedName?: string;
}

function invocationOf(context: Partial<Context> | undefined): Invocation {
  const remaining = context?.getRemainingTimeInMillis;
  // arn:aws:lambda:<region>:<account>:function:<name>
  const own = context?.invokedFunctionArn?.split(':')[4];
  return {
    ...(typeof remaining === 'function' ? { remainingMs: () => remaining.call(context) } : {}),
    ...(context?.awsRequestId ? { requestId: context.awsRequestId } : {}),
    ...(own ? { ownAccount: own } : {}),
    ...(context?.invokedFunctionArn ? { functionArn: context.invokedFunctionArn } : {}),
    ...(context?.functionName ? { deployedName: context.functionName } : {}),
  };
}

/**
 * Wraps a function's flow with structured logging (request id, cold start) and metrics (flushed once per invocation).
 * Bad input never reaches here as an exception (the flow returns `ignored`); anything that does escape is logged
 * as one structured line and re-raised with a clear message, so Lambda retries it and finally dead-letters the event.
 */
export function createHandler(functionName: string, run: (event: unknown, invocation: Invocation) => Promise<EventResult>) {
  metrics.setDefaultDimensions({ function: functionName });
  logger.appendPersistentKeys({ function: functionName });
  return middy()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .handler(async (event: unknown, context: Context): Promise<EventResult> => {
      try {
        return await run(event, invocationOf(context));
      } catch (error) {
        logger.error('invocation failed', { error: describeError(error) });
        metrics.addMetric('invocation-failed', 'Count', 1);
        throw new Error(`${functionName} failed: ${describeError(error)}`, { cause: error });
      }
    });
}
