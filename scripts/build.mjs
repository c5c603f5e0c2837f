// Bundles each function separately with esbuild into dist/<function>/index.mjs (ESM, minified, tree-shaken,
// source maps), SDK included. template.yaml uses the same settings for `sam build` (Metadata: BuildMethod: esbuild).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { functionNames } from './functions.mjs';

/** Shared with the bench script; keep in step with the BuildProperties in template.yaml. */
export const buildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  minify: true,
  treeShaking: true,
  sourcemap: true,
  // Resolve the SDK's ES-module builds first: the default pulls every client's CommonJS build.
  mainFields: ['module', 'main'],
  legalComments: 'none',
  logLevel: 'warning',
};

const only = process.argv.slice(2);
const names = functionNames().filter((n) => only.length === 0 || only.includes(n));
rmSync(new URL('../dist/', import.meta.url), { recursive: true, force: true });
for (const name of names) {
  await build({ ...buildOptions, entryPoints: [`functions/${name}/handler.ts`], outfile: `dist/${name}/index.mjs` });
  console.log(`built dist/${name}/index.mjs`);
}
