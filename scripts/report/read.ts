import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import type { AuditRecord } from '../../functions/core/audit/record.js';
import { errorMessage, errorName } from '../../functions/core/errors.js';

export interface ReadResult {
  records: AuditRecord[];
  /** Lines that are not audit records, as `<file or s3 URL>:<line>: why`. */
  unreadable: string[];
}

/** A source that cannot be read at all (missing, denied): the report is not built. */
export class SourceError extends Error {
  override name = 'SourceError';
}

/** Files a local source is read from: audit objects are `.json` (one line each); `--audit FILE` may be any name. */
const RECORD_FILE = /\.(json|jsonl|ndjson)$/;
/** GetObject calls in flight at once. */
const PARALLEL_GETS = 8;

/**
 * The audit records of a source: a local file of JSON Lines, a directory of them (read recursively, in name order),
 * or `s3://bucket/prefix` (every object under the prefix, with the caller's own credentials). With `since`, S3
 * objects in a Hive partition (`year=YYYY/month=MM/day=DD/`) of a day wholly before it are not downloaded.
 */
export async function readRecords(source: string, options: { since?: Date; s3: () => S3Client }): Promise<ReadResult> {
  if (source.startsWith('s3://')) return readS3(source, options.s3(), options.since);
  const files = await localFiles(source);
  const results = await Promise.all(files.map(async (f) => parseLines(await readFile(f, 'utf8'), f)));
  return merge(results);
}

/** Parses JSON Lines; a line that is not an audit record is named, not fatal. */
export function parseLines(text: string, name: string): ReadResult {
  const records: AuditRecord[] = [];
  const unreadable: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      unreadable.push(`${name}:${i + 1}: not JSON`);
      return;
    }
    const problem = notARecord(value);
    if (problem) unreadable.push(`${name}:${i + 1}: ${problem}`);
    else records.push(value as AuditRecord);
  });
  return { records, unreadable };
}

/** Why a value is not an audit record this report can read (the fields it relies on), or undefined. */
function notARecord(value: unknown): string | undefined {
  if (!isObject(value)) return 'not a JSON object';
  if (value.record_version !== 1) return `record_version ${JSON.stringify(value.record_version)} (expected 1)`;
  for (const field of ['function', 'mode', 'status', 'reason'] as const) {
    if (typeof value[field] !== 'string') return `no ${field}`;
  }
  const event = value.event;
  if (!isObject(event) || !['id', 'type', 'time', 'finding_id'].every((f) => typeof event[f] === 'string'))
    return 'no event id, type, time or finding_id';
  if (!Array.isArray(value.controls)) return 'no controls';
  const targets = value.targets;
  if (!Array.isArray(targets) || !targets.every((t) => isObject(t) && typeof t.id === 'string' && Array.isArray(t.steps))) {
    return 'no targets with steps';
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function merge(results: readonly ReadResult[]): ReadResult {
  return { records: results.flatMap((r) => r.records), unreadable: results.flatMap((r) => r.unreadable) };
}

async function localFiles(path: string): Promise<string[]> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    throw new SourceError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}`, { cause: error });
  }
  if (!info.isDirectory()) return [path];
  const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? localFiles(join(path, e.name)) : RECORD_FILE.test(e.name) ? [join(path, e.name)] : [])),
  );
  return nested.flat();
}

// ------------------------------------------------------------------------------------------------ S3

export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!m) throw new SourceError(`${url}: expected s3://bucket/prefix`);
  return { bucket: m[1] as string, prefix: m[2] as string };
}

/** The day of a key's Hive partition (`.../year=2026/month=11/day=29/...`), as YYYY-MM-DD; undefined outside one. */
export function partitionDay(key: string): string | undefined {
  const m = /(?:^|\/)year=(\d{4})\/month=(\d\d)\/day=(\d\d)\//.exec(key);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
}

async function readS3(url: string, s3: S3Client, since: Date | undefined): Promise<ReadResult> {
  const { bucket, prefix } = parseS3Url(url);
  const firstDay = since?.toISOString().slice(0, 10);
  const keys: string[] = [];
  try {
    for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix })) {
      for (const o of page.Contents ?? []) {
        const key = o.Key;
        if (!key || key.endsWith('/')) continue;
        const day = partitionDay(key);
        if (firstDay && day && day < firstDay) continue;
        keys.push(key);
      }
    }
  } catch (error) {
    throw new SourceError(`cannot list ${url}: ${describeS3Error(error)}`, { cause: error });
  }
  const results: ReadResult[] = new Array(keys.length);
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const i = next++;
      const key = keys[i] as string;
      const name = `s3://${bucket}/${key}`;
      try {
        const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        results[i] = parseLines((await object.Body?.transformToString('utf-8')) ?? '', name);
      } catch (error) {
        throw new SourceError(`cannot read ${name}: ${describeS3Error(error)}`, { cause: error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_GETS, keys.length) }, worker));
  return merge(results);
}

function describeS3Error(error: unknown): string {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const message = errorMessage(error);
  const name = errorName(error);
  const hint = /Region is missing/.test(message) ? ' (set AWS_REGION, or a region in your AWS profile)' : '';
  return `${name}${status ? ` (HTTP ${status})` : ''}${message && message !== name ? `: ${message}` : ''}${hint}`;
}
