// Cold-start cost of each bundle in dist/ (run `npm run build` first; `npm run bench` does both):
// bytes per bundle (raw and gzip), and the wall time of a fresh `node` process that imports the bundle, as a ratio to
// a fresh `node` process that imports nothing, measured alternately in the same run. Target: at most 2.0x.
//   npm run bench [-- --runs 20]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { functionNames } from './functions.mjs';

const TARGET_RATIO = 2.0;
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 15;

// The environment a deployed function starts with (dry-run: loading the config must not fail).
const env = {
  PATH: process.env.PATH,
  AWS_REGION: 'us-east-1',
  REMEDIATION_MODE: 'dry-run',
  AWS_LAMBDA_FUNCTION_NAME: 'bench',
  POWERTOOLS_SERVICE_NAME: 'ml-guard',
};

function timeNode(script) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`node exited ${r.status}: ${r.stderr.trim().split('\n').pop()}`);
  return ms;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

const rows = [];
let worst = 0;
for (const name of functionNames()) {
  const bundle = new URL(`../dist/${name}/index.mjs`, import.meta.url);
  if (!existsSync(bundle)) throw new Error(`dist/${name}/index.mjs is missing: run npm run build`);
  const empty = [];
  const loaded = [];
  timeNode(`await import(${JSON.stringify(bundle.href)})`); // warm the file cache, not the process
  for (let i = 0; i < runs; i++) {
    empty.push(timeNode(''));
    loaded.push(timeNode(`const m = await import(${JSON.stringify(bundle.href)}); if (typeof m.handler !== 'function') process.exit(3);`));
  }
  const ratio = median(loaded) / median(empty);
  worst = Math.max(worst, ratio);
  rows.push({
    function: name,
    bytes: statSync(bundle).size,
    gzip: gzipSync(readFileSync(bundle)).length,
    'empty node ms': median(empty).toFixed(1),
    'import ms': median(loaded).toFixed(1),
    ratio: `${ratio.toFixed(2)}x`,
    target: ratio <= TARGET_RATIO ? 'ok' : `OVER ${TARGET_RATIO}x`,
  });
}
console.log(`node ${process.version}, ${runs} runs each, medians`);
console.table(rows);
process.exitCode = worst <= TARGET_RATIO ? 0 : 1;
