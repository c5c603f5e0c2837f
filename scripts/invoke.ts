// Runs a function's handler in this process on a sample event, as Lambda would, and prints its JSON result.
//   npm run invoke -- <function-name> <event.json> [--dry-run] [--audit FILE] [--journal FILE]
// Uses the standard AWS environment (AWS_REGION, AWS_PROFILE, credentials, AWS_ENDPOINT_URL[_<SERVICE>]).
// Logs and metrics go to stderr; stdout carries only the result, so it can be piped to jq.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { functionNames } from './functions.mjs';
import { type Handler, invokeLocally, journalInFile, loadHandler, stdoutForResultOnly } from './local-lambda.js';

const usage = 'usage: npm run invoke -- <function-name> <event.json> [--dry-run] [--audit FILE] [--journal FILE]';

function fail(message: string, code = 2): never {
  process.stderr.write(`invoke: ${message}\n`);
  process.exit(code);
}

const args = process.argv.slice(2);
const dryRun = args.includes('--dry-run');
/** The file an option names (`--audit FILE`), and its position. */
function fileOption(option: string): { at: number; path?: string } {
  const at = args.indexOf(option);
  const path = at >= 0 ? args[at + 1] : undefined;
  if (at >= 0 && (!path || path.startsWith('--'))) fail(`${option} needs a file; ${usage}`);
  return { at, ...(path ? { path } : {}) };
}
const audit = fileOption('--audit');
const journalFile = fileOption('--journal');
const auditPath = audit.path;
const valueAt = [audit, journalFile].filter((o) => o.at >= 0).map((o) => o.at + 1);
const positional = args.filter((a, i) => !a.startsWith('--') && !valueAt.includes(i));
const unknownFlag = args.find((a) => a.startsWith('--') && !['--dry-run', '--audit', '--journal'].includes(a));
if (unknownFlag) fail(`unknown option ${unknownFlag}; ${usage}`);
const [name, eventPath] = positional;
if (!name || !eventPath) fail(usage);
const known = functionNames();
if (!known.includes(name)) fail(`unknown function "${name}" (known: ${known.join(', ')})`);

let text: string;
try {
  // npm runs scripts from the project root; a relative path is relative to where the user typed the command.
  text = readFileSync(resolve(process.env.INIT_CWD ?? process.cwd(), eventPath), 'utf8');
} catch (error) {
  fail(`cannot read ${eventPath}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
}
let event: unknown;
try {
  event = JSON.parse(text);
} catch (error) {
  fail(`${eventPath} is not JSON: ${(error as Error).message}`);
}

// The command line wins over the environment, per-account modes included.
if (dryRun) {
  process.env.REMEDIATION_MODE = 'dry-run';
  delete process.env.ACCOUNT_MODES;
}
// Never wait on the EC2 instance metadata service for credentials on a workstation.
process.env.AWS_EC2_METADATA_DISABLED ??= 'true';
const eventRegion = (event as { region?: unknown } | null)?.region;
if (!process.env.AWS_REGION && !process.env.AWS_DEFAULT_REGION && typeof eventRegion === 'string') {
  process.env.AWS_REGION = eventRegion;
  process.stderr.write(`invoke: AWS_REGION not set; using the event's region ${eventRegion}\n`);
}

// Everything the handler writes (Powertools logs and metrics) goes to stderr; the result alone to stdout.
const writeResult = stdoutForResultOnly();

let handler: Handler;
try {
  handler = await loadHandler(name);
} catch (error) {
  fail(`${name} did not start: ${(error as Error).message}`);
}

// --audit FILE: the audit record goes to FILE, one JSON line appended, instead of the evidence bucket. As the bucket's
// conditional write does, a record whose key (function, event id, event day) the file holds already is not added again.
if (auditPath) {
  const { useAuditSink } = await import('../functions/core/audit/sink.js');
  const { fileAuditSink } = await import('./audit-file.js');
  useAuditSink(fileAuditSink(resolve(process.env.INIT_CWD ?? process.cwd(), auditPath)));
}

// --journal FILE: the action journal is kept in FILE (JSON) instead of this invocation's memory, so that a repeated
// run resumes or replays the event and `npm run undo -- <event id> --journal FILE` reads what was done.
if (journalFile.path) await journalInFile(resolve(process.env.INIT_CWD ?? process.cwd(), journalFile.path));

// The function runs as if deployed in the account the event was delivered in: an event about another account is refused
// (single-account mode) unless MEMBER_ROLE_PREFIX is set.
const delivered = (event as { account?: unknown } | null)?.account;
const account = typeof delivered === 'string' && /^\d{12}$/.test(delivered) ? delivered : undefined;

try {
  const result = await invokeLocally(handler, name, event, account);
  writeResult(`${JSON.stringify(result, null, 2)}\n`, () => process.exit(0));
} catch (error) {
  fail(`${name} failed: ${(error as Error).message}`, 1);
}
