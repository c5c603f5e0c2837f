// Undoes what ml-guard did for an event, with YOUR credentials (never ml-guard's roles): plans the inverse of each step
// from the action journal and the live state, prints it, and changes something only with --execute.
//   npm run undo -- <event id | journal key | audit record file> [--step KIND ...] [--execute] [--json]
//                   [--journal FILE | --table NAME] [--audit FILE]
// The journal: --journal FILE (a local run's `npm run invoke -- ... --journal FILE`), else --table NAME or
// JOURNAL_TABLE (DynamoDB; AWS_ENDPOINT_URL for an emulator). With --execute: TOPIC_ARN to notify, and the audit
// record to --audit FILE or the evidence bucket AUDIT_BUCKET.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AuditSink } from '../functions/core/audit/sink.js';
import type { JournalStore } from '../functions/core/journal/journal.js';
import { fileAuditSink } from './audit-file.js';
import { functionNames } from './functions.mjs';
import { formatUndo, UndoError, type UndoReport, undoEvent } from './undo/undo.js';

const usage =
  'usage: npm run undo -- <event id | journal key | audit record file> [--step KIND ...] [--execute] [--json] [--journal FILE | --table NAME] [--audit FILE]';

function fail(message: string, code = 2): never {
  process.stderr.write(`undo: ${message}\n`);
  process.exit(code);
}

const args = process.argv.slice(2);
const flags = new Set(['--execute', '--json']);
const valued = new Set(['--step', '--journal', '--table', '--audit']);
const values: Record<string, string[]> = {};
const positional: string[] = [];
for (let i = 0; i < args.length; i += 1) {
  const a = args[i] as string;
  if (flags.has(a)) values[a] = ['true'];
  else if (valued.has(a)) {
    const v = args[i + 1];
    if (!v || v.startsWith('--')) fail(`${a} needs a value; ${usage}`);
    values[a] = [...(values[a] ?? []), v];
    i += 1;
  } else if (a.startsWith('--')) fail(`unknown option ${a}; ${usage}`);
  else positional.push(a);
}
const [source] = positional;
if (!source || positional.length > 1) fail(usage);
const here = (path: string) => resolve(process.env.INIT_CWD ?? process.cwd(), path);

// Never wait on the EC2 instance metadata service when no credentials are set on a workstation.
process.env.AWS_EC2_METADATA_DISABLED ??= 'true';

let journal: JournalStore;
const journalFile = values['--journal']?.[0];
const table = values['--table']?.[0] ?? process.env.JOURNAL_TABLE;
if (journalFile) {
  if (!existsSync(here(journalFile))) fail(`the journal file ${journalFile} does not exist`);
  const { FileJournal } = await import('../functions/core/journal/file.js');
  journal = new FileJournal(here(journalFile));
} else if (table) {
  const { DynamoJournal } = await import('../functions/core/journal/dynamodb.js');
  journal = new DynamoJournal(table, Number(process.env.JOURNAL_RETENTION_DAYS ?? 90));
} else fail(`no journal: give --journal FILE (a local run's) or --table NAME (or set JOURNAL_TABLE); ${usage}`);

/** The journal keys the source names: a key as it is, an audit record file's events, or an event id under each function. */
async function keysOf(text: string): Promise<string[]> {
  if (text.includes('#')) return [text];
  if (existsSync(here(text))) {
    const records = readFileSync(here(text), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => {
        try {
          return JSON.parse(l) as { function?: string; event?: { id?: string } };
        } catch {
          return fail(`${text} is not an audit record file (JSON Lines)`);
        }
      });
    const keys = [...new Set(records.flatMap((r) => (r.function && r.event?.id ? [`${r.function}#${r.event.id}`] : [])))];
    if (keys.length === 0) fail(`${text} holds no audit record`);
    return keys;
  }
  const found: string[] = [];
  for (const fn of functionNames()) if ((await journal.read(`${fn}#${text}`)).event) found.push(`${fn}#${text}`);
  if (found.length === 0) fail(`${journal.location} has no record of the event ${text} (looked under ${functionNames().join(', ')})`);
  return found;
}

let audit: AuditSink | undefined;
const auditFile = values['--audit']?.[0];
if (auditFile) audit = fileAuditSink(here(auditFile));
else if (process.env.AUDIT_BUCKET) audit = (await import('../functions/core/audit/s3-sink.js')).s3AuditSink(process.env.AUDIT_BUCKET);

/** The account of your credentials, asked of STS once, and only when a target has something to undo. */
let account: Promise<string> | undefined;
const callerAccount = () => {
  account ??= import('@aws-sdk/client-sts').then(async ({ STSClient, GetCallerIdentityCommand }) => {
    const identity = await new STSClient({}).send(new GetCallerIdentityCommand({}));
    if (!identity.Account) throw new UndoError('sts:GetCallerIdentity named no account for your credentials');
    return identity.Account;
  });
  return account;
};

const reports: UndoReport[] = [];
try {
  for (const key of await keysOf(source)) {
    reports.push(
      await undoEvent({
        journal,
        key,
        execute: values['--execute'] !== undefined,
        kinds: values['--step'] ?? [],
        owner: `undo-${process.env.USER ?? 'person'}-${process.pid}`,
        callerAccount,
        ...(process.env.TOPIC_ARN ? { topicArn: process.env.TOPIC_ARN } : {}),
        ...(audit ? { audit } : {}),
      }),
    );
  }
} catch (error) {
  if (error instanceof UndoError) fail(error.message);
  fail(`${(error as Error).name}: ${(error as Error).message}`, 1);
}
process.stdout.write(
  values['--json'] ? `${JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2)}\n` : reports.map(formatUndo).join('\n'),
);
process.exit(reports.some((r) => ['failed', 'partial', 'refused'].includes(r.status)) ? 1 : 0);
