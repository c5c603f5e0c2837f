/**
 * The tables of docs/compliance.md, made from functions/core/compliance: `npx tsx scripts/compliance-table.ts` rewrites
 * what lies between the markers there; test/core/compliance-doc.test.ts fails when the file and the module differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FRAMEWORK_ORDER, FRAMEWORKS } from '../functions/core/compliance/controls.js';
import { type ControlMapping, EVENT_MAPPINGS, STEP_MAPPINGS } from '../functions/core/compliance/mapping.js';

export const DOC = join(import.meta.dirname, '..', 'docs', 'compliance.md');
export const START = '<!-- compliance-table:start (made by scripts/compliance-table.ts: do not edit by hand) -->';
export const END = '<!-- compliance-table:end -->';

const cell = (text: string) => text.replace(/\|/g, '\\|');

function mappingRows(title: string, mappings: Readonly<Record<string, ControlMapping>>): string[] {
  const head = `| ${title} | CIA | ${FRAMEWORK_ORDER.map((f) => FRAMEWORKS[f].label).join(' | ')} | reason |`;
  const rule = `|${' --- |'.repeat(FRAMEWORK_ORDER.length + 3)}`;
  const rows = Object.entries(mappings).map(
    ([kind, m]) =>
      `| \`${cell(kind)}\` | ${m.cia.join(', ')} | ${FRAMEWORK_ORDER.map((f) => m[f].join(', ') || '-').join(' | ')} | ${cell(m.reason)} |`,
  );
  return [head, rule, ...rows];
}

function catalogueRows(): string[] {
  return [
    '| framework | id | title |',
    '| --- | --- | --- |',
    ...FRAMEWORK_ORDER.flatMap((f) =>
      Object.entries(FRAMEWORKS[f].controls).map(([id, title]) => `| ${FRAMEWORKS[f].text} | ${id} | ${cell(title)} |`),
    ),
  ];
}

/** The generated part of docs/compliance.md, markers included. */
export function complianceTables(): string {
  return [
    START,
    '',
    '### Controls cited',
    '',
    ...catalogueRows(),
    '',
    '### Event kinds',
    '',
    'Wildcards (`*`) are tried in this order after an exact kind.',
    '',
    ...mappingRows('event kind', EVENT_MAPPINGS),
    '',
    '### Step kinds',
    '',
    ...mappingRows('step kind', STEP_MAPPINGS),
    '',
    END,
  ].join('\n');
}

/** The document with its generated part replaced by `tables`. */
export function withTables(doc: string, tables: string, start = START, end = END): string {
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) throw new Error(`the document has no ${start} ... ${end} section`);
  return doc.slice(0, from) + tables + doc.slice(to + end.length);
}

export const README = join(import.meta.dirname, '..', 'README.md');
export const README_START = '<!-- compliance-steps:start (made by scripts/compliance-table.ts: do not edit by hand) -->';
export const README_END = '<!-- compliance-steps:end -->';

/** README's table: what each response step serves (the event kinds are in docs/compliance.md). */
export function readmeTable(): string {
  return [README_START, '', ...mappingRows('step', STEP_MAPPINGS), '', README_END].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(DOC, withTables(readFileSync(DOC, 'utf8'), complianceTables()));
  writeFileSync(README, withTables(readFileSync(README, 'utf8'), readmeTable(), README_START, README_END));
}
