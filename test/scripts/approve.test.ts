import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScript } from '../support/run-script.js';

const run = runScript;

const EVENT = 'events/config/s3-bucket-public-read-prohibited-noncompliant.json';
const EVENT_ID = 'a1b2c3d4-0001-4a5b-8c9d-0e1f2a3b4c5d';
const FORGED = `quarantine-public-bucket#${EVENT_ID}#${'0'.repeat(32)}`;

describe('npm run approve and npm run deny', () => {
  it('answers against a local run journal in this process; a key no approval has changes nothing and exits 1', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'journal-')), 'journal.json');
    expect(run('scripts/invoke.ts', 'quarantine-public-bucket', EVENT, '--dry-run', '--journal', file).code).toBe(0);
    const before = readFileSync(file, 'utf8');

    const { code, stdout, stderr } = run('scripts/approve.ts', 'approve', FORGED, '--journal', file);

    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ status: 'ignored', function: 'quarantine-public-bucket' });
    expect(stderr.trim().split('\n').at(-1)).toBe(
      'approve: approval answer refused: no approval has this key (mistyped, forged, or replaced by a newer approval): nothing changed',
    );
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it.each([
    [['approve'], /^approve: usage: npm run approve -- <key> \(--function-name NAME/],
    [['approve', FORGED], /^approve: give either --function-name \(deployed\) or --journal FILE/],
    [['approve', FORGED, '--journal', 'j.json', '--function-name', 'f'], /^approve: give either --function-name/],
    [['deny', FORGED, '--journal', 'j.json'], /^deny: a denial needs --reason TEXT/],
    [['approve', FORGED, '--force'], /^approve: unknown option --force/],
    [['approve', FORGED, '--journal'], /^approve: --journal needs a value/],
    [['approve', 'nothing#x#y', '--journal', 'j.json'], /^approve: the key names no function of this project \("nothing"\)/],
  ])('exits 2 with a one-line reason for %j', (args, reason) => {
    const { code, stdout, stderr } = run('scripts/approve.ts', ...args);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n').at(-1)).toMatch(reason);
  });
});
