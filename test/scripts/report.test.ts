import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScript } from '../support/run-script.js';

const FIXTURE = 'test/report/fixtures/audit.jsonl';
const run = runScript;

describe('npm run report', () => {
  it('writes HTML, Markdown or JSON, as --format or the file name says', () => {
    const dir = mkdtempSync(join(tmpdir(), 'report-'));

    const html = run('scripts/report.ts', FIXTURE, '--out', join(dir, 'r.html'));
    const md = run('scripts/report.ts', FIXTURE, '--format', 'md', '--out', join(dir, 'r.txt'));
    const json = run('scripts/report.ts', FIXTURE, '--format', 'json');

    expect(html).toMatchObject({ code: 0, stdout: '' });
    expect(html.stderr).toContain(`report: 12 records, 12 changes, 5 open items: html written to ${join(dir, 'r.html')}`);
    expect(readFileSync(join(dir, 'r.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/);
    expect(md.code).toBe(0);
    expect(readFileSync(join(dir, 'r.txt'), 'utf8')).toMatch(/^# ml-guard audit report/);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).time_to_contain.by_function[0]).toMatchObject({ median_seconds: 120, p95_seconds: 300 });
  });

  it('keeps the events since --since', () => {
    const { code, stdout } = run('scripts/report.ts', FIXTURE, '--since', '2026-11-22', '--format', 'json');

    expect(code).toBe(0);
    expect(JSON.parse(stdout).summary.records).toBe(6);
  });

  it.each([
    [['--format', 'pdf', FIXTURE], 2, '--format pdf: expected html, md or json'],
    [[FIXTURE, '--since', 'last week'], 2, '--since "last week": expected a duration'],
    [[FIXTURE, '--verbose'], 2, 'unknown option --verbose'],
    [[FIXTURE, '--out'], 2, '--out needs a value'],
    [[], 2, 'usage: npm run report -- <audit source'],
    [['no/such/audit.jsonl'], 1, 'report: cannot read'],
    [['s3:///prefix'], 1, 'report: s3:///prefix: expected s3://bucket/prefix'],
  ])('refuses %j with exit code %d and a one-line reason', (args, status, message) => {
    const { code, stderr } = run('scripts/report.ts', ...args);

    expect(code).toBe(status);
    expect(stderr).toContain(message);
  });

  it('builds the report of records npm run invoke --audit appended: the whole loop with no AWS account', () => {
    const audit = join(mkdtempSync(join(tmpdir(), 'loop-')), 'audit.jsonl');
    run(
      'scripts/invoke.ts',
      'quarantine-public-bucket',
      'events/config/s3-bucket-public-read-prohibited-noncompliant.json',
      '--dry-run',
      '--audit',
      audit,
    );
    run(
      'scripts/invoke.ts',
      'rotate-credentials',
      'events/guardduty/policy-iamuser-rootcredentialusage.json',
      '--dry-run',
      '--audit',
      audit,
    );

    const { code, stdout } = run('scripts/report.ts', audit, '--format', 'json');

    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.summary).toMatchObject({ records: 2, by_mode: { 'dry-run': 2 }, unreadable: [] });
    expect(report.open_items).toEqual([
      expect.objectContaining({ category: 'awaiting a person', type: 'Policy:IAMUser/RootCredentialUsage' }),
    ]);
    expect(report.planned_changes.map((c: { step: string }) => c.step)).toContain('blockPublicAccess');
  });
});
