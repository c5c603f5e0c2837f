import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DETAIL_SCHEMAS } from '../../functions/core/events/details.js';
import { functionEnvironment, loadTemplate as loadTemplateForBench } from '../../scripts/template.mjs';
import { FUNCTIONS } from '../support/functions.js';
import { loadTemplate } from '../support/template.js';

const ROOT = join(import.meta.dirname, '..', '..');
const template = loadTemplate();

/** The SDK command classes ml-guard's functions name (`new XCommand(...)`, imports, types). */
const namedCommands = new Set(
  readdirSync(join(ROOT, 'functions'), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .flatMap((name) => [...readFileSync(join(ROOT, 'functions', name), 'utf8').matchAll(/\b([A-Z]\w+Command)\b/g)].map((m) => m[1]!)),
);
/** Commands a client sends by itself: S3 Express One Zone sessions, DynamoDB endpoint discovery. */
const clientsOwnCommands = new Set(['CreateSessionCommand', 'DescribeEndpointsCommand']);

/** The Makefile's rules: target -> recipe lines (tabs stripped). */
function makefileRules(): Map<string, string[]> {
  const rules = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of readFileSync(join(ROOT, 'Makefile'), 'utf8').split('\n')) {
    if (line.startsWith('\t')) current?.push(line.slice(1));
    else if (/^[^#\s][^:]*:/.test(line)) {
      current = [];
      rules.set(line.slice(0, line.indexOf(':')), current);
    } else if (line.trim() && !line.startsWith('#')) current = undefined;
  }
  return rules;
}

const files = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name).slice(dir.length + 1))
    .sort();

describe('sam build (BuildMethod: makefile) and npm run build', () => {
  it('has one Makefile target per function, which is exactly the build script for that function', () => {
    const rules = makefileRules();

    const targets = [...rules.keys()].filter((t) => t !== '.PHONY').sort();

    expect(targets).toEqual(FUNCTIONS.map((f) => `build-${f.functionLogicalId}`).sort());
    for (const f of FUNCTIONS) {
      expect(rules.get(`build-${f.functionLogicalId}`)).toEqual([`node scripts/build.mjs ${f.name} --outdir "$(ARTIFACTS_DIR)"`]);
    }
  });

  // What `make build-<LogicalId> ARTIFACTS_DIR=<dir>` runs, without needing make: the test runs the recipe itself.
  it.each(FUNCTIONS)('puts what the Handler of $functionLogicalId names in the artifacts, the same files as npm run build', (f) => {
    const artifacts = mkdtempSync(join(tmpdir(), `sam-${f.functionLogicalId}-`));
    const handler = template.Resources[f.functionLogicalId]?.Properties.Handler;
    if (typeof handler !== 'string') throw new Error(`${f.functionLogicalId} has no Handler`);
    const [file, exported] = handler.split('.');

    const built = spawnSync(process.execPath, ['scripts/build.mjs', f.name, '--outdir', artifacts], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });

    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);
    expect(files(artifacts)).toContain(`${file}.mjs`);
    expect(files(artifacts)).toEqual(files(join(ROOT, 'dist', f.name)));
    for (const name of files(artifacts)) {
      expect(readFileSync(join(artifacts, name)).equals(readFileSync(join(ROOT, 'dist', f.name, name)))).toBe(true);
    }
    // Started as Lambda starts it: a fresh node importing the entry, with the template's environment.
    const env = { PATH: process.env.PATH, AWS_REGION: 'us-east-1', ...functionEnvironment(loadTemplateForBench(), f.functionLogicalId) };
    const entry = pathToFileURL(join(artifacts, `${file}.mjs`)).href;
    const started = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(entry)}); console.log(typeof m[${JSON.stringify(exported)}]);`,
      ],
      {
        env,
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(started.stderr).toBe('');
    expect(started.stdout.trim()).toBe('function');

    // A cold start reads the detail schemas of the kinds of event the function acts on (notify: all), not the others'.
    const kindOf: Record<string, string> = {
      guardduty: 'guardduty',
      'config-compliance': 'config',
      'cloudwatch-alarm': 'alarm',
      'cloudtrail-api-call': 'cloudtrail',
    };
    const map = JSON.parse(readFileSync(join(artifacts, `${file}.mjs.map`), 'utf8')) as { sources: string[] };
    const read = map.sources.flatMap((s) => {
      const module = /functions\/core\/events\/([a-z-]+)\.ts$/.exec(s)?.[1];
      return module && kindOf[module] ? [kindOf[module]] : [];
    });
    expect(read.sort()).toEqual(Object.keys(f.remediation?.details ?? DETAIL_SCHEMAS).sort());

    // The SDK commands in the build, cold start and chunks alike, are those ml-guard's code names: a client package
    // imported whole (`import('@aws-sdk/client-x')`) would bring every command of its service.
    const bundled = files(artifacts)
      .filter((name) => name.endsWith('.mjs.map'))
      .flatMap((name) => (JSON.parse(readFileSync(join(artifacts, name), 'utf8')) as { sources: string[] }).sources)
      .flatMap((s) => /@aws-sdk\/client-[a-z0-9-]+\/dist-es\/commands\/(\w+Command)\.js$/.exec(s)?.[1] ?? []);
    expect(bundled.length).toBeGreaterThan(0);
    expect(new Set(bundled.filter((command) => !namedCommands.has(command) && !clientsOwnCommands.has(command)))).toEqual(new Set());
  });

  it('keeps source maps next to the code, without the sources, and does not link them to a run-time flag', () => {
    const dir = join(ROOT, 'dist', FUNCTIONS[0]!.name);
    const map = JSON.parse(readFileSync(join(dir, 'handler.mjs.map'), 'utf8'));

    expect(map.sourcesContent).toBeUndefined();
    expect(map.sources.some((s: string) => s.endsWith(`functions/${FUNCTIONS[0]!.name}/handler.ts`))).toBe(true);
    expect(readFileSync(join(dir, 'handler.mjs'), 'utf8')).toMatch(/\/\/# sourceMappingURL=handler\.mjs\.map\n?$/);
  });
});

describe('scripts/symbolicate.mjs', () => {
  it('maps a deployed stack trace back to the TypeScript source with the kept maps', () => {
    const dir = join(ROOT, 'dist', 'notify');
    const crashed = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(join(dir, 'handler.mjs')).href)})`],
      {
        env: { PATH: process.env.PATH, STATE_TABLE: 'x' },
        encoding: 'utf8',
      },
    );

    const mapped = spawnSync(process.execPath, ['scripts/symbolicate.mjs', dir], { cwd: ROOT, input: crashed.stderr, encoding: 'utf8' });

    expect(crashed.stderr).toContain('STATE_TABLE: expected a DynamoDB table name');
    expect(mapped.status).toBe(0);
    expect(mapped.stdout).toMatch(/handler\.mjs:\d+:\d+\)? +-> functions\/notify\/settings\.ts:\d+:\d+/);
    expect(mapped.stdout).toMatch(/-> functions\/notify\/handler\.ts:7:\d+/);
  });
});

describe('the environment the bench gives each function (scripts/template.mjs)', () => {
  it("is the template's, with NODE_OPTIONS only when the SourceMaps parameter is true", () => {
    const t = loadTemplateForBench();

    const byDefault = functionEnvironment(t, 'QuarantinePublicBucketFunction');
    const debugging = functionEnvironment(t, 'QuarantinePublicBucketFunction', { SourceMaps: 'true' });

    expect(byDefault).toMatchObject({ REMEDIATION_MODE: 'dry-run', JOURNAL_TABLE: 'JournalTable', MAX_BUCKETS_PER_EVENT: '25' });
    expect(byDefault.NODE_OPTIONS).toBeUndefined();
    expect(debugging.NODE_OPTIONS).toBe('--enable-source-maps');
  });
});
