// The Lambda functions of ml-guard: folder under functions/, and the logical id in template.yaml.
import { existsSync, readdirSync } from 'node:fs';

export function functionNames() {
  return readdirSync(new URL('../functions/', import.meta.url), { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'core' && existsSync(new URL(`../functions/${d.name}/handler.ts`, import.meta.url)))
    .map((d) => d.name)
    .sort();
}
