import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, NoSuchBucket, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { parseLines, partitionDay, readRecords, SourceError } from '../../scripts/report/read.js';
import { s3Error } from '../support/aws-errors.js';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'audit.jsonl');
const lines = readFileSync(FIXTURE, 'utf8').trimEnd().split('\n');
const s3 = mockClient(S3Client);
const client = () => new S3Client({ region: 'eu-west-2' });

beforeEach(() => s3.reset());
afterAll(() => s3.restore());

/** GetObject's Body as the report reads it (the SDK's stream mixin: `transformToString`). */
function body(text: string) {
  return { transformToString: async () => text } as never;
}

describe('reading audit records from local files', () => {
  it('reads a directory recursively, as the bucket lays it out, .json and .jsonl alike, and nothing else', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-'));
    mkdirSync(join(dir, 'audit', 'year=2026', 'month=11', 'day=20'), { recursive: true });
    writeFileSync(join(dir, 'audit', 'year=2026', 'month=11', 'day=20', 'quarantine-public-bucket_evt-01.json'), `${lines[0]}\n`);
    writeFileSync(join(dir, 'more.jsonl'), `${lines.slice(1, 3).join('\n')}\n`);
    writeFileSync(join(dir, 'notes.txt'), 'not a record');

    const { records, unreadable } = await readRecords(dir, { s3: client });

    expect(records.map((r) => r.event.id).sort()).toEqual(['evt-01', 'evt-02', 'evt-03']);
    expect(unreadable).toEqual([]);
  });

  it('names each line that is not an audit record, by file and line, and keeps the others', () => {
    const text = [
      lines[0],
      '',
      '{not json',
      '[1]',
      '{"record_version":2}',
      JSON.stringify({ ...JSON.parse(lines[1] as string), targets: [{}] }),
    ].join('\n');

    const { records, unreadable } = parseLines(text, 'a.jsonl');

    expect(records).toHaveLength(1);
    expect(unreadable).toEqual([
      'a.jsonl:3: not JSON',
      'a.jsonl:4: not a JSON object',
      'a.jsonl:5: record_version 2 (expected 1)',
      'a.jsonl:6: no targets with steps',
    ]);
  });

  it('refuses a path that does not exist, with a SourceError naming it', async () => {
    await expect(readRecords('/nonexistent/audit.jsonl', { s3: client })).rejects.toThrow(
      new SourceError('cannot read /nonexistent/audit.jsonl: ENOENT'),
    );
  });
});

describe('reading audit records from S3', () => {
  it('lists every page under the prefix and reads each object', async () => {
    const pages = [
      {
        Contents: [{ Key: 'audit/year=2026/month=11/day=20/a.json' }, { Key: 'audit/year=2026/month=11/day=20/' }],
        IsTruncated: true,
        NextContinuationToken: 't1',
      },
      { Contents: [{ Key: 'audit/year=2026/month=11/day=21/b.json' }], IsTruncated: false },
    ];
    // The paginator reuses its input object: note each request as it is sent.
    const lists: unknown[] = [];
    s3.on(ListObjectsV2Command).callsFake((input) => {
      lists.push([input.Bucket, input.Prefix, input.ContinuationToken]);
      return pages[lists.length - 1];
    });
    s3.on(GetObjectCommand, { Key: 'audit/year=2026/month=11/day=20/a.json' }).callsFake(() => ({ Body: body(`${lines[0]}\n`) }));
    s3.on(GetObjectCommand, { Key: 'audit/year=2026/month=11/day=21/b.json' }).callsFake(() => ({ Body: body(`${lines[2]}\n`) }));

    const { records } = await readRecords('s3://evidence/audit/', { s3: client });

    expect(records.map((r) => r.event.id)).toEqual(['evt-01', 'evt-03']);
    expect(lists).toEqual([
      ['evidence', 'audit/', undefined],
      ['evidence', 'audit/', 't1'],
    ]);
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: 'evidence', Key: 'audit/year=2026/month=11/day=20/a.json' },
      { Bucket: 'evidence', Key: 'audit/year=2026/month=11/day=21/b.json' },
    ]);
  });

  it('does not download the objects of days before --since', async () => {
    s3.on(ListObjectsV2Command).resolves({
      Contents: [
        { Key: 'audit/year=2026/month=11/day=20/a.json' },
        { Key: 'audit/year=2026/month=11/day=21/b.json' },
        { Key: 'loose.jsonl' },
      ],
    });
    s3.on(GetObjectCommand).callsFake(() => ({ Body: body(`${lines[2]}\n`) }));

    await readRecords('s3://evidence', { s3: client, since: new Date('2026-11-21T18:00:00Z') });

    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key)).toEqual([
      'audit/year=2026/month=11/day=21/b.json',
      'loose.jsonl',
    ]);
    expect(s3.commandCalls(ListObjectsV2Command)[0]?.args[0].input).toMatchObject({ Bucket: 'evidence', Prefix: '' });
  });

  it('fails with the bucket and S3 error when the list is refused (AccessDenied, 403)', async () => {
    s3.on(ListObjectsV2Command).rejects(s3Error('AccessDenied', 403, 'User: arn:aws:iam::123456789012:user/auditor is not authorized'));

    await expect(readRecords('s3://evidence/audit/', { s3: client })).rejects.toThrow(
      'cannot list s3://evidence/audit/: AccessDenied (HTTP 403): User: arn:aws:iam::123456789012:user/auditor is not authorized',
    );
  });

  it('fails with NoSuchBucket (404) as S3 raises it', async () => {
    s3.on(ListObjectsV2Command).rejects(
      new NoSuchBucket({ $metadata: { httpStatusCode: 404 }, message: 'The specified bucket does not exist' }),
    );

    await expect(readRecords('s3://gone/audit/', { s3: client })).rejects.toThrow(
      'cannot list s3://gone/audit/: NoSuchBucket (HTTP 404): The specified bucket does not exist',
    );
  });

  it('fails naming the object when one cannot be read', async () => {
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'audit/year=2026/month=11/day=20/a.json' }] });
    s3.on(GetObjectCommand).rejects(s3Error('AccessDenied', 403));

    await expect(readRecords('s3://evidence/audit/', { s3: client })).rejects.toThrow(
      'cannot read s3://evidence/audit/year=2026/month=11/day=20/a.json: AccessDenied (HTTP 403)',
    );
  });

  it('finds the day of a Hive partition in a key', () => {
    expect(partitionDay('audit/year=2026/month=11/day=29/notify_e.json')).toBe('2026-11-29');
    expect(partitionDay('year=2026/month=11/day=29/x.json')).toBe('2026-11-29');
    expect(partitionDay('audit/notify_e.json')).toBeUndefined();
  });
});
