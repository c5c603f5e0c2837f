import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

/** Runs the invoke script as a user would, with no AWS credentials or settings at all (so nothing can reach AWS). */
function invoke(...args: string[]) {
  const env = { PATH: process.env.PATH, HOME: mkdtempSync(join(tmpdir(), 'home-')), POWERTOOLS_METRICS_DISABLED: 'true' };
  const r = spawnSync(TSX, ['scripts/invoke.ts', ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run invoke', () => {
  it('prints the dry-run plan as JSON on stdout, planned from the event alone when no state can be read', () => {
    const { code, stdout, stderr } = invoke(
      'quarantine-public-bucket',
      'events/config/s3-bucket-public-read-prohibited-noncompliant.json',
      '--dry-run',
    );

    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ status: 'planned', mode: 'dry-run', source: 'config' });
    expect(result.targets[0].notes[0]).toMatch(
      /^could not read the tags, public access block, bucket policy, ACL, ownership controls: CredentialsProviderError/,
    );
    expect(result.notification).toMatchObject({ published: false, note: 'TOPIC_ARN is not set: not sent' });
    expect(stderr).toContain("AWS_REGION not set; using the event's region us-east-2");
  });

  it('runs as deployed in the account the event was delivered in: a finding about another account is refused, with what to deploy', () => {
    const { code, stdout } = invoke(
      'quarantine-public-bucket',
      'events/guardduty/policy-s3-bucketblockpublicaccessdisabled.json',
      '--dry-run',
    );

    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      status: 'notified',
      findingId: 'a6bfa2f07893be4f3c3174d5af7e2f80',
      reason: expect.stringMatching(/^the event is about account 987654321098, but it reached ml-guard in account 123456789012/),
    });
  });

  it('answers an event it does not handle with ignored and a reason', () => {
    const { code, stdout } = invoke(
      'quarantine-public-bucket',
      'events/cloudwatch/alarm-state-change-single-metric-ec2-cpu.json',
      '--dry-run',
    );

    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      status: 'ignored',
      reason: 'CloudWatch alarms are not handled by quarantine-public-bucket',
    });
  });

  it.each([
    [
      ['no-such-function', 'events/guardduty/policy-s3-bucketblockpublicaccessdisabled.json'],
      /^invoke: unknown function "no-such-function" \(known: .*quarantine-public-bucket/,
    ],
    [['quarantine-public-bucket', 'events/missing.json'], /^invoke: cannot read events\/missing.json: ENOENT/],
    [['quarantine-public-bucket'], /^invoke: usage: npm run invoke -- <function-name> <event.json> \[--dry-run\]/],
    [['quarantine-public-bucket', 'events/README.md'], /^invoke: events\/README.md is not JSON: /],
    [['quarantine-public-bucket', 'events/x.json', '--force'], /^invoke: unknown option --force/],
    [['quarantine-public-bucket', 'events/x.json', '--audit'], /^invoke: --audit needs a file/],
    [['quarantine-public-bucket', 'events/x.json', '--journal', '--dry-run'], /^invoke: --journal needs a file/],
  ])('exits 2 with a one-line reason for %j', (args, reason) => {
    const { code, stdout, stderr } = invoke(...args);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(reason);
  });

  it('appends the audit record of the run to the --audit file, once per event however often it runs', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'audit-')), 'audit.jsonl');
    const args = ['rotate-credentials', 'events/guardduty/unauthorizedaccess-iamuser-toripcaller.json', '--audit', file, '--dry-run'];

    const first = invoke(...args);
    const second = invoke(...args);

    expect(first.code).toBe(0);
    const key = 'audit/year=2017/month=12/day=08/rotate-credentials_6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a41.json';
    expect(JSON.parse(first.stdout).audit).toEqual({ location: `file:${file}#${key}`, outcome: 'written' });
    expect(JSON.parse(second.stdout).audit).toEqual({ location: `file:${file}#${key}`, outcome: 'already-written' });
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ function: 'rotate-credentials', mode: 'dry-run', status: 'planned' });
  });

  it('keeps the journal in the --journal file: a second run of the event finds it closed and replays it', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'journal-')), 'journal.json');
    const args = ['rotate-credentials', 'events/guardduty/unauthorizedaccess-iamuser-toripcaller.json', '--journal', file, '--dry-run'];

    const first = invoke(...args);
    const second = invoke(...args);

    expect(first.code).toBe(0);
    const key = 'rotate-credentials#6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a41';
    expect(JSON.parse(first.stdout).journal).toEqual({ location: `file:${file}`, key, attempt: 1 });
    expect(JSON.parse(second.stdout).reason).toContain('a repeated delivery: the event was handled by attempt 1; nothing was done again');
    expect(JSON.parse(readFileSync(file, 'utf8')).events[key]).toMatchObject({ closed: true, attempts: 1, status: 'planned' });
  });

  it('exits 2 when the function cannot start because its environment is wrong', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ev-'));
    writeFileSync(join(dir, 'e.json'), '{}');
    const env = { PATH: process.env.PATH, HOME: dir, REMEDIATION_MODE: 'enforce' };

    const r = spawnSync(TSX, ['scripts/invoke.ts', 'quarantine-public-bucket', join(dir, 'e.json')], { cwd: ROOT, env, encoding: 'utf8' });

    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /quarantine-public-bucket did not start: invalid environment: TOPIC_ARN, FORENSICS_BUCKET must be set when REMEDIATION_MODE is enforce/,
    );
  });
});
