import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScript } from '../support/run-script.js';

const run = runScript;

const EVENT = 'events/config/s3-bucket-public-read-prohibited-noncompliant.json';
const EVENT_ID = 'a1b2c3d4-0001-4a5b-8c9d-0e1f2a3b4c5d';

describe('npm run undo', () => {
  it('reads what a local run journaled (npm run invoke --journal FILE) and says a dry-run left nothing to undo', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'journal-')), 'journal.json');
    expect(run('scripts/invoke.ts', 'quarantine-public-bucket', EVENT, '--dry-run', '--journal', file).code).toBe(0);

    const { code, stdout } = run('scripts/undo.ts', EVENT_ID, '--journal', file, '--json');

    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      key: `quarantine-public-bucket#${EVENT_ID}`,
      status: 'nothing-to-undo',
      execute: false,
      targets: [{ target: { id: 'ml-model-artifacts-123456789012' }, steps: [] }],
    });
  });

  it('finds the event of an audit record file (npm run invoke --audit FILE) in the journal', () => {
    const dir = mkdtempSync(join(tmpdir(), 'undo-'));
    const [journal, audit] = [join(dir, 'journal.json'), join(dir, 'audit.jsonl')];
    expect(run('scripts/invoke.ts', 'quarantine-public-bucket', EVENT, '--dry-run', '--journal', journal, '--audit', audit).code).toBe(0);

    const { code, stdout } = run('scripts/undo.ts', audit, '--journal', journal, '--json');

    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ key: `quarantine-public-bucket#${EVENT_ID}`, status: 'nothing-to-undo' });
  });

  it.each([
    [[], /^undo: usage: npm run undo -- <event id/],
    [['x'], /^undo: no journal: give --journal FILE/],
    [['x', '--journal', 'no-such-file.json'], /^undo: the journal file no-such-file.json does not exist/],
    [['x', '--force'], /^undo: unknown option --force/],
    [['x', '--step'], /^undo: --step needs a value/],
  ])('exits 2 with a one-line reason for %j', (args, reason) => {
    const { code, stdout, stderr } = run('scripts/undo.ts', ...args);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n').at(-1)).toMatch(reason);
  });
});
