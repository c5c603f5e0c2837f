// The one build of ml-guard, for `npm run build` and for `sam build` (template.yaml: BuildMethod: makefile, and the
// Makefile's build-<LogicalId> targets call this script with --outdir "$(ARTIFACTS_DIR)").
// Each function is bundled separately with esbuild into dist/<function>/: the entry handler.mjs (template Handler
// `handler.handler`), the chunks it imports under chunks/, and a source map per file (without the sources' text).
//   node scripts/build.mjs [<function>...]            -> dist/<function>/
//   node scripts/build.mjs <function> --outdir <dir>   -> <dir>/ (what `sam build` runs)

import { cpSync, rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { functionNames } from './functions.mjs';

/** Shared with the bench script, which builds each function's floor with the same options. */
export const buildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  minify: true,
  treeShaking: true,
  // Code that is only reached through import() (the SDK's credential chain beyond the environment, notify's
  // DynamoDB and CloudTrail clients, the journal's table) goes to chunks that a cold start does not read.
  splitting: true,
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  // Maps for offline symbolication (scripts/symbolicate.mjs), not read at run time unless NODE_OPTIONS has
  // --enable-source-maps (template parameter SourceMaps). Linked, so that the flag finds them when it is set.
  sourcemap: 'linked',
  sourcesContent: false,
  // Resolve the SDK's ES-module builds first: the default pulls every client's CommonJS build.
  mainFields: ['module', 'main'],
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
};

/** Bundles one function into `outdir` (entry `handler.mjs`); returns esbuild's metafile. */
export async function buildFunction(name, outdir = `dist/${name}`, options = {}) {
  const result = await build({ ...buildOptions, ...options, entryPoints: { handler: `functions/${name}/handler.ts` }, outdir });
  return result.metafile;
}

async function main(argv) {
  const at = argv.indexOf('--outdir');
  const outdir = at >= 0 ? argv[at + 1] : undefined;
  const only = argv.filter((a, i) => !a.startsWith('--') && !(at >= 0 && i === at + 1));
  const unknown = only.filter((n) => !functionNames().includes(n));
  if (unknown.length) throw new Error(`unknown function(s): ${unknown.join(', ')} (known: ${functionNames().join(', ')})`);
  if (outdir !== undefined && only.length !== 1) throw new Error('--outdir takes exactly one function');
  const names = only.length ? only : functionNames();
  for (const name of names) {
    const dir = `dist/${name}`;
    rmSync(dir, { recursive: true, force: true });
    await buildFunction(name, dir);
    console.log(`built ${dir}/handler.mjs`);
    // Copied, not built there: the chunks' names hash their maps, whose paths depend on the directory, and sam build
    // must deploy the very files npm run build makes.
    if (outdir !== undefined) {
      cpSync(dir, outdir, { recursive: true });
      console.log(`copied ${dir}/ to ${outdir}/`);
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main(process.argv.slice(2)).catch((error) => {
    console.error(`build: ${error.message}`);
    process.exit(1);
  });
}
