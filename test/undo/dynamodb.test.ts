import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import * as s3 from '../../functions/core/aws/s3.js';
import { loadConfig } from '../../functions/core/config.js';
import { DynamoJournal } from '../../functions/core/journal/dynamodb.js';
import { remediate } from '../../functions/core/remediation/remediate.js';
import { quarantinePublicBucket } from '../../functions/quarantine-public-bucket/handler.js';
import { undoEvent, undoJournalKey } from '../../scripts/undo/undo.js';
import { dynaliteServer } from '../support/dynalite.js';
import { accountAbout, loadEvent } from '../support/events.js';
import { fakeS3, GD_BUCKET, publicBucket } from '../support/fake-bucket.js';
import { undoHarness } from '../support/undo-harness.js';

/** The undo with the journal in DynamoDB (dynalite), as a deployment keeps it. */
const { db, table } = dynaliteServer();
const NOW = new Date('2026-11-26T03:00:00.000Z');
const ROOT = join(import.meta.dirname, '..', '..');
undoHarness({ restore: [S3Client] });

describe('npm run undo with the journal in DynamoDB', { timeout: 60_000 }, () => {
  it('reads the steps and their data back from the table, undoes them, and journals the undo there', async () => {
    // Prepare
    const { buckets } = fakeS3({ [GD_BUCKET]: publicBucket() });
    const before = structuredClone(buckets[GD_BUCKET]);
    const journal = new DynamoJournal(await table(), 90, db);
    const event = loadEvent('guardduty/policy-s3-bucketblockpublicaccessdisabled.json');
    const result = await remediate(event, quarantinePublicBucket, {
      functionName: 'quarantine-public-bucket',
      ownAccount: accountAbout(event),
      config: loadConfig(process.env),
      aws: s3,
      now: () => NOW,
      journal,
    });
    const key = result.journal?.key as string;

    // Act
    const report = await undoEvent({ journal, key, execute: true, now: () => NOW });

    // Assess
    expect(report.status).toBe('undone');
    expect(buckets[GD_BUCKET]).toStrictEqual(before);
    const undone = await journal.read(undoJournalKey(key));
    expect(undone.targets[0]?.steps.every((s) => s.state === 'done')).toBe(true);
    const original = await journal.read(key);
    expect(original.targets[0]?.steps[0]?.data).toMatchObject({
      kind: 'savePriorState',
      forensicsBucket: 'ml-guard-forensics-123456789012',
    });
    expect(original.targets[0]?.steps[0]?.data).not.toHaveProperty('document');
  });

  it('runs as a command against an AWS-compatible endpoint (AWS_ENDPOINT_URL_DYNAMODB), reading what npm run invoke journaled there', async () => {
    const name = await table();
    const endpoint = await db().config.endpoint?.();
    const env = {
      PATH: process.env.PATH,
      HOME: mkdtempSync(join(tmpdir(), 'home-')),
      POWERTOOLS_METRICS_DISABLED: 'true',
      // DynamoDB at the emulator; every other service at a closed port, so nothing can reach AWS.
      AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
      AWS_ENDPOINT_URL_DYNAMODB: `${endpoint?.protocol}//${endpoint?.hostname}:${endpoint?.port}`,
      AWS_REGION: 'eu-west-2',
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'test-secret-not-real',
    };
    // Asynchronous: dynalite answers from this process, which a synchronous spawn would block.
    const run = (extra: Record<string, string>, ...args: string[]) =>
      promisify(execFile)(join(ROOT, 'node_modules', '.bin', 'tsx'), args, {
        cwd: ROOT,
        env: { ...env, ...extra },
        encoding: 'utf8',
        timeout: 60_000,
      });
    const eventFile = 'events/config/s3-bucket-public-read-prohibited-noncompliant.json';
    const invoked = await run({ JOURNAL_TABLE: name }, 'scripts/invoke.ts', 'quarantine-public-bucket', eventFile, '--dry-run');
    expect(invoked.stderr.split('\n').filter((l) => l.startsWith('invoke:'))).toEqual([]);
    expect(JSON.parse(invoked.stdout).journal).toMatchObject({ location: `dynamodb:${name}` });

    const undo = await run({}, 'scripts/undo.ts', 'a1b2c3d4-0001-4a5b-8c9d-0e1f2a3b4c5d', '--table', name);

    expect(undo.stdout).toMatch(/^ml-guard undo of quarantine-public-bucket#a1b2c3d4-0001-4a5b-8c9d-0e1f2a3b4c5d: NOTHING-TO-UNDO\n/);
  });
});
