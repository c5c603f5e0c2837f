// Runs every sample event of events/ through every function's handler in dry-run, in one process, and prints one JSON
// line per pair, times replaced by <T>: a change that must not alter behaviour leaves the output identical.
//   npx tsx scripts/invoke-samples.ts [tree] > after.jsonl      (tree: a checkout, by default this one)
//   diff before.jsonl after.jsonl
// No AWS credentials are used (every read fails the same way), so the output does not depend on the machine.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(process.argv[2] ?? fileURLToPath(new URL('..', import.meta.url)));
Object.assign(process.env, {
  REMEDIATION_MODE: 'dry-run',
  AWS_REGION: 'eu-west-2',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
  AWS_CONFIG_FILE: '/nonexistent',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
});
for (const name of [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'JOURNAL_TABLE',
  'STATE_TABLE',
  'TOPIC_ARN',
]) {
  delete process.env[name];
}

function jsonFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return jsonFiles(path);
      return name.endsWith('.json') ? [path] : [];
    });
}

const events = jsonFiles(join(root, 'events'));
const functions = readdirSync(join(root, 'functions'))
  .filter((name) => name !== 'core' && statSync(join(root, 'functions', name)).isDirectory())
  .sort();
const withoutTimes = (text: string) => text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<T>');

for (const fn of functions) {
  const { handler } = (await import(join(root, 'functions', fn, 'handler.ts'))) as {
    handler: (event: unknown, context: unknown) => Promise<unknown>;
  };
  for (const path of events) {
    const context = {
      functionName: fn,
      awsRequestId: 'req-1',
      invokedFunctionArn: `arn:aws:lambda:eu-west-2:123456789012:function:${fn}`,
      memoryLimitInMB: '256',
      getRemainingTimeInMillis: () => 60_000,
    };
    let result: unknown;
    try {
      result = await handler(JSON.parse(readFileSync(path, 'utf8')), context);
    } catch (error) {
      result = { thrown: String(error) };
    }
    process.stdout.write(`${withoutTimes(JSON.stringify({ function: fn, event: path.slice(root.length + 1), result }))}\n`);
  }
}
