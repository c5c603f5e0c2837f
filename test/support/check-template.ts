import { spawnSync } from 'node:child_process';
import type { Resource } from './template.js';

export interface Checked {
  status: number | null;
  lint: string[];
  resources: Record<string, Resource>;
}

const checked = new Map<string, Checked>();

/**
 * `python3 scripts/check-template.py [parameters] --template <template>`: cfn-lint, then the SAM translator (once per
 * template and parameter file).
 */
export function checkTemplate(parametersFile = '', template = 'template.yaml'): Checked {
  const key = `${template}\n${parametersFile}`;
  const earlier = checked.get(key);
  if (earlier) return earlier;
  const run = spawnSync('python3', ['scripts/check-template.py', ...(parametersFile ? [parametersFile] : []), '--template', template], {
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error || run.status === 2 || !run.stdout) {
    throw new Error(
      `scripts/check-template.py could not run (${run.error?.message ?? run.stderr.trim()}): the template checks need python3 ` +
        'with cfn-lint 1.x and aws-sam-translator (pip install cfn-lint)',
    );
  }
  const result = { status: run.status, ...JSON.parse(run.stdout) } as Checked;
  checked.set(key, result);
  return result;
}
