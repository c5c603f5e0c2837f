import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../functions/core/audit/record.js';
import { buildReport } from '../../scripts/report/aggregate.js';
import { parseLines } from '../../scripts/report/read.js';

/**
 * test/report/fixtures/audit.jsonl: 12 records written by hand (Nov 20-22, 2026), every figure below counted by hand
 * from them:
 *
 * | # | function | status | finding type | time to contain |
 * |---|---|---|---|---|
 * | 1-3 | quarantine-public-bucket | remediated | Policy:S3/BucketBlockPublicAccessDisabled | 120, 300, 200 s |
 * | 4 | quarantine-public-bucket | remediated | S3_BUCKET_PUBLIC_READ_PROHIBITED (Config) | 60 s |
 * | 5 | quarantine-public-bucket | limit-exceeded | Policy:S3/BucketAnonymousAccessGranted | |
 * | 6 | rotate-credentials | remediated, a key left active | UnauthorizedAccess:IAMUser/TorIPCaller | 45 s |
 * | 7 | rotate-credentials | notified (root user) | Policy:IAMUser/RootCredentialUsage | |
 * | 8 | rotate-credentials | failed, no step tried (blocked) | UnauthorizedAccess:IAMUser/TorIPCaller | |
 * | 9 | stop-compromised-training-job | remediated | ...InstanceCredentialExfiltration.OutsideAWS | 600 s |
 * | 10 | stop-compromised-training-job | partial | ...InstanceCredentialExfiltration.OutsideAWS | |
 * | 11 | notify | notified | ml-guard-endpoint-latency (alarm) | |
 * | 12 | quarantine-public-bucket, dry-run | planned | Policy:S3/BucketBlockPublicAccessDisabled | |
 */
const FIXTURE = join(import.meta.dirname, 'fixtures', 'audit.jsonl');
const records = parseLines(readFileSync(FIXTURE, 'utf8'), FIXTURE).records;
const NOW = new Date('2026-11-29T12:00:00Z');
const report = buildReport({ records, source: 'fixture', now: NOW });

describe('the audit report of the hand-written fixture', () => {
  it('reads all 12 records', () => {
    expect(records).toHaveLength(12);
    expect(report.summary).toMatchObject({
      records: 12,
      first_event: '2026-11-20T10:00:00Z',
      last_event: '2026-11-22T13:00:00Z',
      by_mode: { 'dry-run': 1, enforce: 11 },
      by_function: { notify: 1, 'quarantine-public-bucket': 6, 'rotate-credentials': 3, 'stop-compromised-training-job': 2 },
      duplicates: 0,
      unreadable: [],
    });
    expect(Object.entries(report.summary.by_status)).toEqual([
      ['failed', 1],
      ['partial', 1],
      ['limit-exceeded', 1],
      ['remediated', 6],
      ['planned', 1],
      ['notified', 2],
    ]);
  });

  it('gives the median and 95th percentile of time to contain by nearest rank, per function', () => {
    // quarantine: 60, 120, 200, 300. Median: rank ⌈0.5 × 4⌉ = 2 → 120 (not the mean of 120 and 200); p95: rank ⌈3.8⌉ = 4 → 300.
    expect(report.time_to_contain.by_function).toEqual([
      {
        function: 'quarantine-public-bucket',
        count: 4,
        median_seconds: 120,
        p95_seconds: 300,
        min_seconds: 60,
        max_seconds: 300,
        values: [60, 120, 200, 300],
      },
      { function: 'rotate-credentials', count: 1, median_seconds: 45, p95_seconds: 45, min_seconds: 45, max_seconds: 45, values: [45] },
      {
        function: 'stop-compromised-training-job',
        count: 1,
        median_seconds: 600,
        p95_seconds: 600,
        min_seconds: 600,
        max_seconds: 600,
        values: [600],
      },
    ]);
  });

  it('gives them per function and finding type too', () => {
    // 120, 200, 300: median rank ⌈1.5⌉ = 2 → 200; p95 rank ⌈2.85⌉ = 3 → 300.
    expect(report.time_to_contain.by_function_and_type.map((g) => [g.function, g.type, g.count, g.median_seconds, g.p95_seconds])).toEqual([
      ['quarantine-public-bucket', 'Policy:S3/BucketBlockPublicAccessDisabled', 3, 200, 300],
      ['quarantine-public-bucket', 'S3_BUCKET_PUBLIC_READ_PROHIBITED', 1, 60, 60],
      ['rotate-credentials', 'UnauthorizedAccess:IAMUser/TorIPCaller', 1, 45, 45],
      ['stop-compromised-training-job', 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS', 1, 600, 600],
    ]);
  });

  it('counts outcomes per function and day, the days without events included', () => {
    expect(report.outcomes.period).toBe('day');
    expect(report.outcomes.periods).toEqual(['2026-11-20', '2026-11-21', '2026-11-22']);
    expect(Object.fromEntries(report.outcomes.functions.map((f) => [f.function, f.counts]))).toEqual({
      notify: [{}, {}, { notified: 1 }],
      'quarantine-public-bucket': [{ remediated: 2 }, { 'limit-exceeded': 1, remediated: 2 }, { planned: 1 }],
      'rotate-credentials': [{}, { remediated: 1 }, { failed: 1, notified: 1 }],
      'stop-compromised-training-job': [{}, {}, { partial: 1, remediated: 1 }],
    });
  });

  it('lists the open items: failed, blocked, over the limit, and awaiting a person (a key left active, a root user)', () => {
    expect(report.open_items.map((o) => [o.category, o.event_id, o.target])).toEqual([
      ['limit-exceeded', 'evt-05', 'bucket-05'],
      ['awaiting a person', 'evt-06', 'ml-pipeline-bot'],
      ['awaiting a person', 'evt-07', '123456789012'],
      ['blocked', 'evt-08', 'data-loader'],
      ['failed', 'evt-10', 'train-llm-8'],
    ]);
    expect(report.open_items[1]).toMatchObject({
      reason: 'an access key is left active until it can be rotated',
      notes: [expect.stringMatching(/^AKIAIOSFODNN7OLDKEY1 is left active/)],
    });
    expect(report.open_items[2]).toMatchObject({
      severity: 'CRITICAL',
      notes: [expect.stringMatching(/^to do 1/), expect.stringMatching(/^to do 2/)],
    });
  });

  it('lists every change made in enforce mode in the order made, with its undo, and the dry-run ones apart', () => {
    // 4 quarantines × 2 steps, 1 revocation, 2 + 1 steps stopping training jobs.
    expect(report.changes).toHaveLength(12);
    expect(report.changes[0]).toMatchObject({
      at: '2026-11-20T09:59:59Z',
      function: 'quarantine-public-bucket',
      target: 'bucket-01',
      step: 'savePriorState',
      prior_state: 's3://ml-guard-forensics-123456789012/quarantine/bucket-01/prior-state.json',
    });
    expect(report.changes[1]).toMatchObject({ step: 'blockPublicAccess', undo: 'aws s3api delete-public-access-block --bucket bucket-01' });
    expect(report.changes.at(-1)).toMatchObject({ at: '2026-11-22T11:00:01Z', target: 'train-llm-8', step: 'stopTrainingJob' });
    expect(report.changes.every((c) => c.outcome === 'done' && c.mode === 'enforce')).toBe(true);
    expect(report.planned_changes).toEqual([
      expect.objectContaining({ target: 'bucket-12', step: 'blockPublicAccess', outcome: 'would-do' }),
    ]);
  });

  it('gives each control the events and actions that evidence it, in the catalogue order', () => {
    expect(report.controls.map((c) => `${c.label} ${c.id}: ${c.events.length}/${c.actions.length}`)).toEqual([
      'HIPAA 164.312(d): 3/0',
      'PCI DSS 1.4.4: 6/6',
      'NIST AC-3: 6/6',
      'NIST IA-5: 5/0',
      'NIST IR-4: 0/10',
      'NIST SC-7: 0/6',
      'NIST SI-4: 3/0',
    ]);
    const ac3 = report.controls.find((c) => c.id === 'AC-3');
    expect(ac3?.title).toBe('Access Enforcement');
    expect(ac3?.actions.map((a) => a.outcome)).toEqual(['done', 'done', 'done', 'done', 'not-run', 'would-do']);
    // A step cites no title: the catalogue gives it.
    expect(report.controls.find((c) => c.id === 'SC-7')?.title).toBe('Boundary Protection');
  });

  it('counts per framework the events citing it and the changes made or planned that serve it', () => {
    // The dry-run's one planned step (record 12) cites PCI DSS 1.4.4 and NIST AC-3 and SC-7: one step, counted once.
    expect(report.frameworks.map((f) => [f.label, f.controls, f.events, f.changes, f.planned])).toEqual([
      ['HIPAA', 1, 3, 0, 0],
      ['PCI DSS', 1, 6, 4, 1],
      ['NIST', 5, 12, 12, 1],
    ]);
  });
});

describe('the audit report, from any records', () => {
  const one = records[0] as AuditRecord;

  it('keeps only events at or after --since', () => {
    const r = buildReport({ records, source: 'fixture', now: NOW, since: new Date('2026-11-22T00:00:00Z') });

    expect(r.since).toBe('2026-11-22T00:00:00.000Z');
    expect(r.summary.records).toBe(6);
    expect(r.outcomes.periods).toEqual(['2026-11-22']);
  });

  it('counts a record read twice once', () => {
    const r = buildReport({ records: [one, structuredClone(one)], source: 'x', now: NOW });

    expect(r.summary).toMatchObject({ records: 1, duplicates: 1 });
  });

  it('counts per month over more than 62 days, and per year over more than 36 months', () => {
    const at = (time: string, id: string) => ({ ...one, event: { ...one.event, time, id } });
    const span = (first: string, last: string) => buildReport({ records: [at(first, 'a'), at(last, 'b')], source: 'x', now: NOW }).outcomes;
    const months = span('2026-01-15T23:00:00Z', '2026-04-02T00:00:00Z');
    const years = span('2016-09-27T00:00:00Z', '2026-11-01T00:00:00Z');

    expect(span('2026-01-01T00:00:00Z', '2026-03-03T23:59:59Z').period).toBe('day'); // 62 days
    expect(span('2026-01-01T00:00:00Z', '2026-03-04T00:00:00Z').period).toBe('month'); // 63 days
    expect(months.period).toBe('month');
    expect(months.periods).toEqual(['2026-01', '2026-02', '2026-03', '2026-04']);
    expect(years.period).toBe('year');
    expect(years.periods).toHaveLength(11);
    expect(span('2024-01-01T00:00:00Z', '2026-12-31T00:00:00Z').period).toBe('month'); // 36 months
  });

  it('leaves sample findings and notify events out of the open items', () => {
    const sample = { ...records[6], event: { ...records[6]?.event, sample: true } } as AuditRecord;

    expect(buildReport({ records: [sample, records[10] as AuditRecord], source: 'x', now: NOW }).open_items).toEqual([]);
  });

  it('gives an empty report for no records', () => {
    const r = buildReport({ records: [], source: 'x', now: NOW });

    expect(r.summary.records).toBe(0);
    expect(r.outcomes).toEqual({ period: 'day', periods: [], statuses: [], functions: [] });
    expect(r.time_to_contain.by_function).toEqual([]);
  });
});
