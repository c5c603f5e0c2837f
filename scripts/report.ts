// Builds the audit report a person hands to an auditor, from ml-guard's audit records.
//   npm run report -- <audit source> [--since 30d] [--format html|md|json] [--out FILE]
// The source: a JSON Lines file (`npm run invoke -- ... --audit FILE`), a directory of them (read recursively, as a
// copy of the evidence bucket's audit/ prefix), or s3://bucket/prefix (read with your own AWS credentials and region).
// Writes to FILE, or to stdout; the format follows FILE's extension unless --format says (Markdown by default).
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { buildReport } from './report/aggregate.js';
import { readRecords, SourceError } from './report/read.js';
import { parseSince } from './report/since.js';

const usage =
  'usage: npm run report -- <audit source: FILE, DIR or s3://bucket/prefix> [--since 30d|12h|2026-11-01] [--format html|md|json] [--out FILE]';
const FORMATS = ['html', 'md', 'json'] as const;
type Format = (typeof FORMATS)[number];

function fail(message: string, code = 2): never {
  process.stderr.write(`report: ${message}\n`);
  process.exit(code);
}

const args = process.argv.slice(2);
const options: Record<string, string> = {};
const positional: string[] = [];
for (let i = 0; i < args.length; i++) {
  const arg = args[i] as string;
  if (!arg.startsWith('--')) positional.push(arg);
  else if (['--since', '--format', '--out'].includes(arg)) {
    const value = args[++i];
    if (!value || value.startsWith('--')) fail(`${arg} needs a value; ${usage}`);
    options[arg.slice(2)] = value;
  } else fail(`unknown option ${arg}; ${usage}`);
}
const [source, extra] = positional;
if (!source || extra) fail(usage);

const now = new Date();
let since: Date | undefined;
try {
  since = options.since ? parseSince(options.since, now) : undefined;
} catch (error) {
  fail((error as Error).message);
}
// npm runs scripts from the project root; relative paths are relative to where the user typed the command.
const here = (path: string) => resolve(process.env.INIT_CWD ?? process.cwd(), path);
const out = options.out ? here(options.out) : undefined;
const format = (options.format ??
  { '.html': 'html', '.htm': 'html', '.json': 'json' }[out?.match(/\.[a-z]+$/i)?.[0].toLowerCase() ?? ''] ??
  'md') as Format;
if (!FORMATS.includes(format)) fail(`--format ${format}: expected html, md or json`);

// Never wait on the EC2 instance metadata service for credentials on a workstation (as npm run invoke).
process.env.AWS_EC2_METADATA_DISABLED ??= 'true';
let read: Awaited<ReturnType<typeof readRecords>>;
try {
  read = await readRecords(source.startsWith('s3://') ? source : here(source), {
    ...(since ? { since } : {}),
    s3: () => new S3Client({ followRegionRedirects: true }),
  });
} catch (error) {
  if (error instanceof SourceError) fail(error.message, 1);
  throw error;
}

const report = buildReport({ records: read.records, source, now, ...(since ? { since } : {}), unreadable: read.unreadable });
const render = {
  json: async () => `${JSON.stringify(report, null, 2)}\n`,
  md: async () => (await import('./report/render-markdown.js')).renderMarkdown(report),
  html: async () => (await import('./report/render-html.js')).renderHtml(report),
}[format];
const text = await render();
if (out) {
  writeFileSync(out, text);
  process.stderr.write(
    `report: ${report.summary.records} records, ${report.changes.length} changes, ${report.open_items.length} open items: ${format} written to ${out}\n`,
  );
} else process.stdout.write(text);
if (read.unreadable.length)
  process.stderr.write(`report: ${read.unreadable.length} line(s) were not audit records (listed in the report)\n`);
