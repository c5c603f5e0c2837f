// The one build of ml-guard, for `npm run build` and for `sam build` (template.yaml: BuildMethod: makefile, and the
// Makefile's build-<LogicalId> targets call this script with --outdir "$(ARTIFACTS_DIR)").
// Each function is bundled separately with esbuild into dist/<function>/: the entry handler.mjs (template Handler
// `handler.handler`), the chunks it imports under chunks/, and a source map per file (without the sources' text).
//   node scripts/build.mjs [<function>...]            -> dist/<function>/
//   node scripts/build.mjs <function> --outdir <dir>   -> <dir>/ (what `sam build` runs)

import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { init as initLexer, parse as parseModule } from 'es-module-lexer';
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

/**
 * Bundles one function into `outdir` (entry `handler.mjs`, chunks it loads on demand under `chunks/`). Returns the
 * first pass's result: its metafile says which sources went into which output.
 */
export async function buildFunction(name, outdir = `dist/${name}`, options = {}) {
  const result = await build({ ...buildOptions, ...options, entryPoints: { handler: `functions/${name}/handler.ts` }, outdir });
  await mergeStaticChunks(outdir);
  return result;
}

/** The module's relative imports: static (`import ... from`) and dynamic (`import(...)`), with where they are in the code. */
async function importsOf(file) {
  await initLexer;
  const code = readFileSync(file, 'utf8');
  const [imports] = parseModule(code);
  const relative = imports.filter((i) => i.n?.startsWith('.'));
  return { code, imports: relative.map((i) => ({ ...i, path: resolve(dirname(file), i.n), dynamic: i.d !== -1 })) };
}

/** The entry and every file it imports statically, transitively: what a cold start reads. */
export async function coldStartFiles(entry) {
  const seen = new Set();
  const visit = async (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const i of (await importsOf(file)).imports) if (!i.dynamic) await visit(i.path);
  };
  await visit(resolve(entry));
  return [...seen];
}

/**
 * Code splitting leaves the entry importing a dozen shared chunks, each read, compiled and linked as a module of its own
 * at every cold start (about 0.25 ms of CPU each on Node 20). They are always loaded together, so this puts them into
 * the entry (a second esbuild pass, which follows the first pass's source maps), and the chunks loaded on demand
 * import what they share with it from the entry instead (`import{x as y}from"../handler.mjs"`).
 */
export async function mergeStaticChunks(outdir) {
  const entry = resolve(outdir, 'handler.mjs');
  const staticFiles = await coldStartFiles(entry);
  const merged = staticFiles.filter((f) => f !== entry);
  if (merged.length === 0) return;
  const chunkDir = resolve(outdir, 'chunks');
  const lazy = readdirSync(chunkDir)
    .filter((f) => f.endsWith('.mjs'))
    .map((f) => join(chunkDir, f))
    .filter((f) => !staticFiles.includes(f));
  // Each merged chunk's exports, re-exported by the entry under a name of their own.
  await initLexer;
  const exported = new Map(
    merged.map((f, k) => [f, { prefix: `__c${k}_`, names: parseModule(readFileSync(f, 'utf8'))[1].map((e) => e.n) }]),
  );
  const contents = [
    `export * from ${JSON.stringify(entry)};`,
    ...[...exported]
      .filter(([, e]) => e.names.length)
      .map(([f, e]) => `export { ${e.names.map((n) => `${n} as ${e.prefix}${n}`).join(', ')} } from ${JSON.stringify(f)};`),
  ].join('\n');
  const lazySet = new Set(lazy);
  const result = await build({
    ...buildOptions,
    splitting: false,
    entryPoints: undefined,
    stdin: { contents, resolveDir: outdir, sourcefile: 'merged-entry.mjs', loader: 'js' },
    outfile: entry,
    write: false,
    plugins: [
      {
        name: 'chunks-loaded-on-demand-stay',
        setup(b) {
          b.onResolve({ filter: /^\./ }, (args) => {
            const path = resolve(args.resolveDir, args.path);
            return lazySet.has(path) ? { path: `./chunks/${basename(path)}`, external: true } : undefined;
          });
        },
      },
    ],
  });
  for (const f of merged) {
    rmSync(f);
    rmSync(`${f}.map`, { force: true });
  }
  for (const out of result.outputFiles) writeFileSync(out.path, out.contents);
  for (const file of lazy) {
    const { code, imports } = await importsOf(file);
    let rewritten = '';
    let at = 0;
    for (const i of imports) {
      const target = exported.get(i.path);
      if (i.dynamic || !target) continue;
      const statement = code.slice(i.ss, i.se);
      const m = /^import\s*(?:\{([^}]*)\}\s*from\s*)?["'][^"']+["']$/.exec(statement);
      if (!m) throw new Error(`${file}: cannot point this import at the entry: ${statement}`);
      const names = (m[1] ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map((s) => {
          const [name, local = name] = s.split(/\s+as\s+/);
          return `${target.prefix}${name} as ${local}`;
        });
      rewritten += `${code.slice(at, i.ss)}import${names.length ? `{${names.join(',')}}from` : ''}"../handler.mjs"`;
      at = i.se;
    }
    if (at > 0) writeFileSync(file, rewritten + code.slice(at));
  }
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
