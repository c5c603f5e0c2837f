// Cold import of each function's bundle in two builds side by side (for example before and after a change), each
// alternating with an empty node in random order, as the median ratio to the empty node and the growth between them.
//   node scripts/compare-cold-import.mjs <before checkout> <after checkout> [rounds=31]
// Build both first with the same build script (node scripts/build.mjs in each): this times dist/<function>/handler.mjs.
import { spawnSync } from 'node:child_process';
import { functionNames } from './functions.mjs';

const [before, after, roundsArg] = process.argv.slice(2);
if (!before || !after) {
  console.error('usage: node scripts/compare-cold-import.mjs <before checkout> <after checkout> [rounds]');
  process.exit(2);
}
const rounds = Number(roundsArg ?? 31);
const env = {
  PATH: process.env.PATH,
  AWS_REGION: 'eu-west-2',
  REMEDIATION_MODE: 'dry-run',
  JOURNAL_TABLE: 'ml-guard-journal',
  STATE_TABLE: 'ml-guard-state',
};
const timed = (code) => {
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', code], { env });
  if (run.status !== 0) throw new Error(String(run.stderr));
  return Number(process.hrtime.bigint() - start) / 1e6;
};
const importOf = (checkout, fn) => `await import(${JSON.stringify(`file://${checkout}/dist/${fn}/handler.mjs`)})`;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const fns = functionNames();
const empty = [];
const times = Object.fromEntries(fns.map((fn) => [fn, { before: [], after: [] }]));
for (let round = 0; round < rounds; round += 1) {
  const jobs = [
    { which: 'empty', code: '' },
    ...fns.flatMap((fn) => ['before', 'after'].map((which) => ({ fn, which, code: importOf(which === 'before' ? before : after, fn) }))),
  ];
  jobs.sort(() => Math.random() - 0.5);
  for (const job of jobs) {
    const ms = timed(job.code);
    if (job.which === 'empty') empty.push(ms);
    else times[job.fn][job.which].push(ms);
  }
}
const base = median(empty);
console.log(`empty node: median ${base.toFixed(1)} ms over ${rounds} rounds`);
for (const fn of fns) {
  const b = median(times[fn].before);
  const a = median(times[fn].after);
  console.log(
    `${fn.padEnd(31)} before ${(b / base).toFixed(2)}x  after ${(a / base).toFixed(2)}x  growth ${((a / b - 1) * 100).toFixed(1)} %`,
  );
}
