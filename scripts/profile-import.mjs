// Where a function's cold import goes: the time before evaluation (resolve, read, compile, link) and each module's
// top-level evaluation, measured in a build made like the deployed one with a timestamp at the start of every module.
//   node scripts/profile-import.mjs <function> [--runs 21] [--by package|file] [--top 25] [--entry <file>]
// --entry times another entry (a bench floor: dist/bench/src/<function>.mjs, written by npm run bench) with the
// function's environment. Medians over fresh `node` processes; a module's time is from its stamp to the next one, so
// what a function it calls costs (a schema built, a client constructed) counts where it is called.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { buildOptions, mergeStaticChunks } from './build.mjs';
import { functionEnvironment, loadTemplate, logicalIdOf } from './template.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};
const name = args[0];
if (!name || name.startsWith('--')) {
  console.error('usage: node scripts/profile-import.mjs <function> [--runs 21] [--by package|file] [--top 25] [--entry <file>]');
  process.exit(2);
}
const runs = Number(option('runs', 21));
const by = option('by', 'package');
const top = Number(option('top', 25));
const entry = resolve(ROOT, option('entry', `functions/${name}/handler.ts`));
const outdir = join(ROOT, 'dist', 'profile', name);

/** Every module starts by noting the time; esbuild keeps the modules' order of evaluation. */
const stamp = {
  name: 'stamp',
  setup(b) {
    b.onLoad({ filter: /\.(m?js|ts)$/ }, (a) => {
      const where = a.path.includes('node_modules/') ? a.path.replace(/^.*node_modules\//, '') : a.path.replace(`${ROOT}/`, '');
      const note = `globalThis.__mlGuardStamps?.push([${JSON.stringify(where)}, performance.now()]);\n`;
      return { contents: note + readFileSync(a.path, 'utf8'), loader: a.path.endsWith('.ts') ? 'ts' : 'js' };
    });
  },
};
await build({ ...buildOptions, entryPoints: { handler: entry }, outdir, plugins: [stamp], nodePaths: [join(ROOT, 'node_modules')] });
await mergeStaticChunks(outdir);

const template = loadTemplate();
const env = {
  ...functionEnvironment(template, logicalIdOf(template, name)),
  PATH: process.env.PATH,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'ASIAPROFILEPROFILE00',
  AWS_SECRET_ACCESS_KEY: 'profile',
  AWS_SESSION_TOKEN: 'profile',
  AWS_LAMBDA_FUNCTION_NAME: `ml-guard-${name}`,
};
const script = `globalThis.__mlGuardStamps = []; const start = performance.now();
await import(${JSON.stringify(pathToFileURL(join(outdir, 'handler.mjs')).href)});
process.stdout.write(JSON.stringify({ start, end: performance.now(), stamps: globalThis.__mlGuardStamps }));`;

const groupOf = (where) => {
  if (by === 'file') return where;
  if (where.startsWith('functions/')) return where.replace(/\/[^/]+$/, '/');
  return /^((?:@[^/]+\/)?[^/]+)/.exec(where)?.[1] ?? where;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const before = [];
const evaluation = [];
const groups = new Map();
for (let run = 0; run < runs; run++) {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`node exited ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const { start, end, stamps } = JSON.parse(r.stdout);
  before.push(stamps[0][1] - start);
  evaluation.push(end - stamps[0][1]);
  const times = new Map();
  stamps.forEach(([where, at], i) => {
    const key = groupOf(where);
    times.set(key, (times.get(key) ?? 0) + ((stamps[i + 1]?.[1] ?? end) - at));
  });
  for (const [key, ms] of times) groups.set(key, [...(groups.get(key) ?? []), ms]);
}
console.log(
  `${name}: import ${(median(before) + median(evaluation)).toFixed(1)} ms = ${median(before).toFixed(1)} ms before evaluation ` +
    `(resolve, read, compile, link) + ${median(evaluation).toFixed(1)} ms evaluating; medians of ${runs} fresh processes`,
);
for (const [key, times] of [...groups].sort((a, b) => median(b[1]) - median(a[1])).slice(0, top)) {
  console.log(`${median(times).toFixed(2).padStart(8)} ms  ${key}`);
}
