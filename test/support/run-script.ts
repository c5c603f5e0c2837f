import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

/** Runs a script as a user would, with no AWS credentials or settings at all (so nothing can reach AWS). */
export function runScript(script: string, ...args: string[]) {
  const env = { PATH: process.env.PATH, HOME: mkdtempSync(join(tmpdir(), 'home-')), POWERTOOLS_METRICS_DISABLED: 'true' };
  const r = spawnSync(TSX, [script, ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
