// Runs a function's handler in this process as Lambda would: the shared part of `npm run invoke` and `npm run approve`.
import { createRequire } from 'node:module';

export type Handler = (event: unknown, context: unknown) => Promise<unknown>;

/** The function's handler, loaded from its source (functions/<name>/handler.ts). */
export async function loadHandler(name: string): Promise<Handler> {
  return ((await import(`../functions/${name}/handler.ts`)) as { handler: Handler }).handler;
}

/** Keeps the action journal in FILE (JSON) instead of this invocation's memory, for every event this process runs. */
export async function journalInFile(path: string): Promise<void> {
  const { FileJournal } = await import('../functions/core/journal/file.js');
  const { useJournal } = await import('../functions/core/remediation/remediate.js');
  useJournal(new FileJournal(path));
}

/**
 * Invokes the handler with a Lambda context (aws-lambda-mock-context) of a function deployed in `account`, or without
 * one, in no particular account; resolves with what the handler returned.
 */
export async function invokeLocally(handler: Handler, name: string, event: unknown, account?: string): Promise<unknown> {
  const require = createRequire(import.meta.url);
  const mockContext = require('aws-lambda-mock-context') as (options: object) => {
    succeed(result: unknown): void;
    Promise: Promise<unknown>;
  };
  const context = mockContext({
    functionName: name,
    timeout: 60,
    region: process.env.AWS_REGION ?? 'us-east-1',
    ...(account ? { account } : {}),
  });
  context.Promise.catch(() => undefined);
  const result = await handler(event, context);
  context.succeed(result);
  return result;
}

/** Sends what the handler writes (Powertools logs and metrics) to stderr; returns the writer of stdout, for the result. */
export function stdoutForResultOnly(): (text: string, done: () => void) => void {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  return (text, done) => write(text, done);
}
