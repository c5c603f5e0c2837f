// Cold-start and warm cost of each function as deployed, against its floor, built in this same run.
//   npm run bench [-- --runs 21] [--seed 7] [--node /path/to/node22] [--warm 3000] [--source-maps] [--only <function>]
//                 [--breakdown]
//
// - Builds each function as `npm run build` does (dist/<function>/), and its floor (dist/bench/floor/<function>/):
//   an empty middy handler that imports the same SDK clients with the same build options, loads on demand what the
//   function loads on demand, and constructs its clients on first use. Floor to function is the project's own cost.
// - Cold: a fresh `node` importing the entry (with the environment and NODE_OPTIONS template.yaml gives the function,
//   parameters at their defaults; --source-maps sets the SourceMaps parameter to 'true'), timed against a fresh
//   `node` importing nothing with the same environment, each pair in random order, pairs in random order each round.
//   Reported: the median of the pairs' ratios, with min-max.
//   The CPU-time ratio (user + system of each process) is printed too: steadier on a shared machine.
// - Bytes: the entry, and everything a cold start reads (the entry and the chunks it imports statically).
// - Warm: µs per event over --warm invocations of a sample event, after 200 unmeasured ones, with every SDK `send`
//   answering `{}` at once and the logs going to /dev/null; and the first event's time after import (it loads what the
//   function imports on demand, as on a cold start in Lambda), median of 7 fresh processes, next to the first call of
//   the floor's handler (which constructs its clients and loads all the function may load on demand).
// - --breakdown: where the time over the floor goes. Two more builds per function are timed in the same rounds: the
//   floor with the SDK command classes the function's cold start reads (its calls), and the function with Powertools
//   replaced by objects that do nothing. Floor -> floor with calls -> without Powertools -> deployed splits the time
//   over the floor into the SDK's commands, ml-guard's own code with its validation, and Powertools.
// Targets (issue 14): within 10% of the floor; at most 2.4x an empty node (quarantine 2.7x); entry at most 550,000
// bytes; warm under 1 ms. It exits 1 when one is missed, so that a regression is visible.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { buildFunction, buildOptions, coldStartFiles, mergeStaticChunks } from './build.mjs';
import { functionNames } from './functions.mjs';
import { functionEnvironment, loadTemplate, logicalIdOf } from './template.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * What each function imports at cold start and on demand (the floor mirrors it), its sample event and targets. Every
 * function loads S3 on demand for its audit records (quarantine-public-bucket has it at cold start already).
 */
const PROFILES = {
  'quarantine-public-bucket': {
    clients: ['s3:S3Client', 'sns:SNSClient'],
    onDemand: ['dynamodb:DynamoDBClient'],
    // A bucket of the account the function runs in: the recorded GuardDuty finding is about another account, which a
    // single-account deployment refuses before any AWS call (that would time the refusal, not the work).
    event: 'events/config/s3-bucket-public-read-prohibited-noncompliant.json',
    maxRatio: 2.7,
  },
  'stop-compromised-training-job': {
    clients: ['sagemaker:SageMakerClient', 'sns:SNSClient'],
    onDemand: ['dynamodb:DynamoDBClient', 's3:S3Client'],
    event: 'events/guardduty/stop-training-job-instancecredentialexfiltration-outsideaws.json',
    maxRatio: 2.4,
  },
  'rotate-credentials': {
    clients: ['iam:IAMClient', 'secrets-manager:SecretsManagerClient', 'sns:SNSClient'],
    onDemand: ['dynamodb:DynamoDBClient', 's3:S3Client'],
    event: 'events/guardduty/unauthorizedaccess-iamuser-toripcaller.json',
    maxRatio: 2.4,
  },
  notify: {
    clients: ['sns:SNSClient'],
    onDemand: ['dynamodb:DynamoDBClient', 'cloudtrail:CloudTrailClient', 's3:S3Client'],
    event: 'events/cloudwatch/alarm-state-change-sagemaker-model-latency.json',
    maxRatio: 2.4,
  },
};
const MAX_OVER_FLOOR = 0.1;
const MAX_ENTRY_BYTES = 550_000;
const MAX_WARM_US = 1000;

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
}
const runs = Number(option('runs', 21));
const seed = Number(option('seed', Date.now() % 100000));
const nodeBin = option('node', process.execPath);
const warmRuns = Number(option('warm', 3000));
const sourceMaps = process.argv.includes('--source-maps');
const only = option('only', undefined);
const breakdown = process.argv.includes('--breakdown');
const names = functionNames().filter((n) => !only || n === only);
const missing = names.filter((n) => !PROFILES[n]);
if (missing.length) throw new Error(`bench: no profile for ${missing.join(', ')}: add it to PROFILES in scripts/bench.mjs`);

/** mulberry32: the same seed gives the same order. */
function random(s) {
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = random(seed);
const shuffle = (xs) => {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
};
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// ---------------------------------------------------------------- build
const BENCH = join(ROOT, 'dist', 'bench');
rmSync(BENCH, { recursive: true, force: true });

/** Bytes of the entry, and of the entry and every chunk it imports statically (what a cold start reads). */
async function bytesOf(entryPath) {
  const files = await coldStartFiles(entryPath);
  return { entry: statSync(entryPath).size, loaded: files.reduce((n, f) => n + statSync(f).size, 0), files: files.length };
}

/** The floor's source; with `calls` ({pkg, cls} of SDK commands), the floor also imports and exports those classes. */
function floorSource(name, calls = []) {
  const { clients, onDemand } = PROFILES[name];
  const parse = (c) => {
    const [pkg, cls] = c.split(':');
    return { pkg: `@aws-sdk/client-${pkg}`, cls };
  };
  const options = pathToFileURL(join(ROOT, 'functions/core/aws/client-options.ts')).pathname;
  return [
    `// The floor of ${name}: its SDK clients and options, constructed on first use, in an empty middy handler.`,
    `import middy from '@middy/core';`,
    `import { clientOptions } from ${JSON.stringify(options)};`,
    ...clients.map(parse).map(({ pkg, cls }) => `import { ${cls} } from ${JSON.stringify(pkg)};`),
    ...calls.map(({ pkg, cls }) => `import { ${cls} } from ${JSON.stringify(pkg)};`),
    ...(calls.length ? [`export const calls = [${calls.map(({ cls }) => cls).join(', ')}];`] : []),
    `let clients;`,
    `export const handler = middy().handler(async () => {`,
    `  clients ??= [${clients
      .map(parse)
      .map(({ cls }) => `new ${cls}(clientOptions)`)
      .join(', ')}];`,
    ...onDemand.map(parse).map(({ pkg, cls }) => `  clients.push(new (await import(${JSON.stringify(pkg)})).${cls}(clientOptions));`),
    `  return { status: 'ok' };`,
    `});`,
  ].join('\n');
}

/** Every SDK client's send answers at once, with what globalThis.__mlGuardBenchSend returns (the warm bench). */
const stubSend = {
  name: 'stub-send',
  setup(b) {
    b.onLoad({ filter: /smithy-client[\\/]client\.js$/ }, (args) => ({
      contents: `${readFileSync(args.path, 'utf8')}\nClient.prototype.send = function (command) { return globalThis.__mlGuardBenchSend(command); };\n`,
      loader: 'js',
    }));
  },
};

/** The SDK command classes in what a cold start of a build reads, from its first pass's metafile. */
function coldStartCommands(metafile) {
  const { outputs } = metafile;
  const seen = new Set();
  const todo = Object.keys(outputs).filter((k) => k.endsWith('handler.mjs'));
  while (todo.length) {
    const k = todo.pop();
    if (seen.has(k)) continue;
    seen.add(k);
    for (const i of outputs[k].imports) if (i.kind === 'import-statement' && outputs[i.path]) todo.push(i.path);
  }
  const calls = new Map();
  for (const k of seen) {
    for (const input of Object.keys(outputs[k].inputs)) {
      const m = /@aws-sdk\/client-([a-z0-9-]+)\/dist-es\/commands\/(\w+Command)\.js$/.exec(input);
      if (m) calls.set(`${m[1]}:${m[2]}`, { pkg: `@aws-sdk/client-${m[1]}`, cls: m[2] });
    }
  }
  return [...calls.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, call]) => call);
}

/** Powertools replaced by objects that do nothing: the breakdown's build without it. */
const NO_POWERTOOLS = `const nothing = new Proxy(function () {}, {
  get: (_, key) => (key === 'then' ? undefined : nothing), apply: () => nothing, construct: () => nothing });
export const Logger = nothing, Metrics = nothing, MetricUnit = nothing;
export const injectLambdaContext = () => ({ before() {} }), logMetrics = () => ({ before() {} });`;
const withoutPowertools = {
  name: 'without-powertools',
  setup(b) {
    b.onResolve({ filter: /^@aws-lambda-powertools\// }, (a) => ({ path: a.path, namespace: 'without-powertools' }));
    b.onLoad({ filter: /.*/, namespace: 'without-powertools' }, () => ({ contents: NO_POWERTOOLS, loader: 'js' }));
  },
};

const template = loadTemplate();
const targets = [];
for (const name of names) {
  const dir = join(ROOT, 'dist', name);
  rmSync(dir, { recursive: true, force: true });
  const built = await buildFunction(name, dir);
  const floorDir = join(BENCH, 'floor', name);
  mkdirSync(join(BENCH, 'src'), { recursive: true });
  const floorEntry = join(BENCH, 'src', `${name}.mjs`);
  writeFileSync(floorEntry, floorSource(name));
  const nodePaths = [join(ROOT, 'node_modules')];
  await build({ ...buildOptions, entryPoints: { handler: floorEntry }, outdir: floorDir, nodePaths });
  await mergeStaticChunks(floorDir);
  const warmDir = join(BENCH, 'warm', name);
  await buildFunction(name, warmDir, { plugins: [stubSend] });
  const env = {
    ...functionEnvironment(template, logicalIdOf(template, name), sourceMaps ? { SourceMaps: 'true' } : {}),
    // What Lambda adds (credentials come from the environment there).
    PATH: process.env.PATH,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'ASIABENCHBENCHBENCH0',
    AWS_SECRET_ACCESS_KEY: 'bench/bench/bench/bench/bench/bench/benc',
    AWS_SESSION_TOKEN: 'bench',
    AWS_LAMBDA_FUNCTION_NAME: `ml-guard-${name}`,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    LAMBDA_TASK_ROOT: dir,
    _HANDLER: 'handler.handler',
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
  };
  const fnEntry = join(dir, 'handler.mjs');
  const floorFile = join(floorDir, 'handler.mjs');
  targets.push({
    name,
    env,
    fn: { entry: fnEntry, bytes: await bytesOf(fnEntry), ratios: [] },
    floor: { entry: floorFile, bytes: await bytesOf(floorFile), ratios: [] },
    warmEntry: join(warmDir, 'handler.mjs'),
  });
  if (breakdown) {
    const calls = coldStartCommands(built.metafile);
    const callsEntry = join(BENCH, 'src', `${name}-calls.mjs`);
    writeFileSync(callsEntry, floorSource(name, calls));
    const callsDir = join(BENCH, 'floor-calls', name);
    await build({ ...buildOptions, entryPoints: { handler: callsEntry }, outdir: callsDir, nodePaths });
    await mergeStaticChunks(callsDir);
    const noPowertoolsDir = join(BENCH, 'no-powertools', name);
    await buildFunction(name, noPowertoolsDir, { plugins: [withoutPowertools] });
    const variant = async (file) => ({ entry: file, bytes: await bytesOf(file), ratios: [], cpuRatios: [] });
    targets.at(-1).breakdown = {
      calls,
      floorWithCalls: await variant(join(callsDir, 'handler.mjs')),
      withoutPowertools: await variant(join(noPowertoolsDir, 'handler.mjs')),
    };
  }
}

// ---------------------------------------------------------------- cold
// Each process ends by writing its own CPU time (user + system, threads included) to stdout: on a shared machine a
// process waiting for a core loses wall time but not CPU time, so the CPU ratio is the steadier of the two.
const CPU = `;(await import('node:fs')).writeSync(1, String(process.cpuUsage().user + process.cpuUsage().system));`;
function timeNode(env, script) {
  const start = process.hrtime.bigint();
  const r = spawnSync(nodeBin, ['--input-type=module', '-e', script + CPU], { env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`node exited ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return { ms, cpuMs: Number(r.stdout) / 1000 };
}
const importScript = (file) =>
  `const m = await import(${JSON.stringify(pathToFileURL(file).href)}); if (typeof m.handler !== 'function') process.exit(3);`;

for (const t of targets) {
  t.fn.cpuRatios = [];
  t.floor.cpuRatios = [];
}
const pairOf = (t, timed) => ({ env: t.env, script: importScript(timed.entry), ratios: timed.ratios, cpuRatios: timed.cpuRatios });
const pairs = targets.flatMap((t) => [
  pairOf(t, t.fn),
  pairOf(t, t.floor),
  ...(t.breakdown ? [pairOf(t, t.breakdown.floorWithCalls), pairOf(t, t.breakdown.withoutPowertools)] : []),
]);
for (const p of pairs) timeNode(p.env, p.script); // fills the file cache, and fails early on a bundle that does not start
const nodeVersion = spawnSync(nodeBin, ['--version'], { encoding: 'utf8' }).stdout.trim();
process.stderr.write(`bench: node ${nodeVersion}, ${runs} rounds of ${pairs.length} pairs, seed ${seed}\n`);
const emptyMs = [];
const emptyCpuMs = [];
for (let round = 0; round < runs; round++) {
  for (const p of shuffle(pairs)) {
    let empty;
    let loaded;
    if (rand() < 0.5) {
      empty = timeNode(p.env, '');
      loaded = timeNode(p.env, p.script);
    } else {
      loaded = timeNode(p.env, p.script);
      empty = timeNode(p.env, '');
    }
    p.ratios.push(loaded.ms / empty.ms);
    emptyMs.push(empty.ms);
    emptyCpuMs.push(empty.cpuMs);
    p.cpuRatios.push(loaded.cpuMs / empty.cpuMs);
  }
  process.stderr.write(`\rbench: round ${round + 1}/${runs}`);
}
process.stderr.write('\n');

// ---------------------------------------------------------------- warm
const WARM = `
import { readFileSync, writeSync } from 'node:fs';
const [entry, eventFile, n, functionName] = JSON.parse(process.env.ML_GUARD_BENCH);
globalThis.__mlGuardBenchSend = async () => ({ $metadata: {} });
const text = readFileSync(eventFile, 'utf8');
// The function runs in the account that delivered the event (each sample is about that account).
const account = JSON.parse(text).account;
const context = (i) => ({ awsRequestId: 'bench-' + i, functionName, functionVersion: '$LATEST', memoryLimitInMB: '256',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:' + account + ':function:' + functionName, getRemainingTimeInMillis: () => 60000 });
// With n = 0, only the first event is timed (no warm-up).
const warmups = n ? 200 : 0;
const events = Array.from({ length: n + warmups + 1 }, () => JSON.parse(text));
let t = performance.now();
const { handler } = await import(entry);
const importMs = performance.now() - t;
t = performance.now();
const first = await handler(events[0], context(0));
const firstMs = performance.now() - t;
for (let i = 1; i <= warmups; i++) await handler(events[i], context(i));
t = performance.now();
for (let i = warmups + 1; i < n + warmups + 1; i++) await handler(events[i], context(i));
const warmUs = n ? ((performance.now() - t) * 1000) / n : 0;
writeSync(3, JSON.stringify({ importMs, firstMs, warmUs, status: first.status }));
`;
/** Imports `entry` in a fresh node and times its first event, then `n` more (µs each, after 200 unmeasured; none when n = 0). */
function runEvents(t, entry, n) {
  const r = spawnSync(nodeBin, ['--input-type=module', '-e', WARM], {
    env: {
      ...t.env,
      ML_GUARD_BENCH: JSON.stringify([pathToFileURL(entry).href, join(ROOT, PROFILES[t.name].event), n, t.env.AWS_LAMBDA_FUNCTION_NAME]),
    },
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    // Its logs (one line or more per event) go to stderr: room for thousands of events.
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`warm bench of ${t.name} exited ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return JSON.parse(r.output[3]);
}
// The first event after import, the function's and its floor's (the floor's handler constructs its clients and loads
// what it loads on demand): medians of FIRST_RUNS fresh processes each, in turn.
const FIRST_RUNS = 7;
for (const t of targets) {
  t.warm = runEvents(t, t.warmEntry, warmRuns);
  const firsts = { fn: [], floor: [] };
  for (let k = 0; k < FIRST_RUNS; k++) {
    firsts.fn.push(runEvents(t, t.warmEntry, 0).firstMs);
    firsts.floor.push(runEvents(t, t.floor.entry, 0).firstMs);
  }
  t.first = { fn: median(firsts.fn), floor: median(firsts.floor) };
}

// ---------------------------------------------------------------- report
const x = (ratios) => `${median(ratios).toFixed(2)}x (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`;
const kb = (n) => `${(n / 1000).toFixed(1)} kB`;
const rows = {};
const missed = [];
for (const t of targets) {
  const { maxRatio } = PROFILES[t.name];
  const ratio = median(t.fn.ratios);
  const over = ratio / median(t.floor.ratios) - 1;
  const checks = [
    [ratio <= maxRatio, `ratio > ${maxRatio}x`],
    [over <= MAX_OVER_FLOOR, `> floor +${MAX_OVER_FLOOR * 100}%`],
    [t.fn.bytes.entry <= MAX_ENTRY_BYTES, `entry > ${MAX_ENTRY_BYTES} B`],
    [t.warm.warmUs < MAX_WARM_US, `warm >= ${MAX_WARM_US} µs`],
  ];
  const failed = checks.filter(([ok]) => !ok).map(([, what]) => what);
  missed.push(...failed.map((f) => `${t.name}: ${f}`));
  rows[t.name] = {
    'entry B': t.fn.bytes.entry,
    'cold-start read': kb(t.fn.bytes.loaded),
    'deployed ratio (min-max)': x(t.fn.ratios),
    'floor ratio (min-max)': x(t.floor.ratios),
    'over floor': `${over >= 0 ? '+' : ''}${(over * 100).toFixed(1)}%`,
    'floor read': kb(t.floor.bytes.loaded),
    'CPU-time ratio: deployed / floor': `${median(t.fn.cpuRatios).toFixed(2)}x / ${median(t.floor.cpuRatios).toFixed(2)}x`,
    '1st event ms (floor)': `${t.first.fn.toFixed(1)} (${t.first.floor.toFixed(1)})`,
    'warm µs/event': t.warm.warmUs.toFixed(0),
    targets: failed.length ? failed.join('; ') : 'ok',
  };
}
console.log(
  `node ${nodeVersion}, ${runs} rounds, seed ${seed}, source maps at run time: ${sourceMaps ? 'on' : 'off (template default)'}; ` +
    `ratios are medians of (bundle / empty node) pairs, wall time (the targets) and CPU time; an empty node took ` +
    `${median(emptyMs).toFixed(1)} ms (${median(emptyCpuMs).toFixed(1)} ms CPU); warm over ${warmRuns} events`,
);
console.table(rows);
if (breakdown) {
  // Each step's share of the time over the floor, in % of the floor's own time: the steps add up to the total.
  const steps = {};
  for (const t of targets) {
    const { floorWithCalls, withoutPowertools, calls } = t.breakdown;
    const chain = [t.floor, floorWithCalls, withoutPowertools, t.fn];
    const share = (from, to) => {
      const pct = (key) => ((median(chain[to][key]) - median(chain[from][key])) / median(t.floor[key])) * 100;
      const kB = (chain[to].bytes.loaded - chain[from].bytes.loaded) / 1000;
      const sign = (n) => `${n >= 0 ? '+' : ''}${n.toFixed(1)}`;
      return `${sign(pct('ratios'))} % / ${sign(pct('cpuRatios'))} % (${sign(kB)} kB)`;
    };
    steps[t.name] = {
      'SDK commands it sends': `${share(0, 1)}, ${calls.length} commands`,
      'ml-guard and validation': share(1, 2),
      Powertools: share(2, 3),
      'over floor, total': share(0, 3),
    };
  }
  console.log('where the time over the floor goes, in % of the floor: wall / CPU (kB more read at cold start)');
  console.table(steps);
}
if (missed.length) console.log(`targets missed: ${missed.join(', ')}`);
process.exitCode = missed.length ? 1 : 0;
