import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../scripts/report/aggregate.js';
import { STATUS_COLOURS } from '../../scripts/report/charts.js';
import { parseLines } from '../../scripts/report/read.js';
import { renderHtml } from '../../scripts/report/render-html.js';
import { countColour, decodePng, type Image, inkRatio } from '../support/png.js';

/**
 * The HTML report in a real browser: Debian's `chromium`, headless, with name resolution turned off so that the page
 * can reach no network, as when it is opened offline. The screenshot's pixels must show the charts' colours; the DOM
 * Chromium built must hold the six charts.
 */
const run = promisify(execFile);
const CHROMIUM = findChromium();
const FIXTURE = join(import.meta.dirname, 'fixtures', 'audit.jsonl');

/** `CHROMIUM` (another build, or a path that does not exist to check the failure), else `chromium` on the PATH. */
function findChromium(): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const candidates = process.env.CHROMIUM
    ? [process.env.CHROMIUM]
    : dirs.flatMap((dir) => [join(dir, 'chromium'), join(dir, 'chromium-browser')]);
  return candidates.find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function chromium(page: string, ...action: string[]) {
  const profile = mkdtempSync(join(tmpdir(), 'chromium-'));
  return run(
    CHROMIUM as string,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      // No name resolves: the page renders offline or not at all.
      '--host-resolver-rules=MAP * ~NOTFOUND',
      `--user-data-dir=${profile}`,
      '--window-size=1280,2000',
      '--hide-scrollbars',
      ...action,
      pathToFileURL(page).href,
    ],
    { timeout: 20_000, maxBuffer: 16 * 1024 * 1024 },
  );
}

function needsChromium() {
  expect(
    CHROMIUM,
    'chromium is not installed: apt-get install -y --no-install-recommends chromium (Debian), as .ci/run does',
  ).toBeDefined();
}

describe('the HTML report in headless Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'report-html-'));
  const page = join(dir, 'report.html');
  const png = join(dir, 'report.png');
  let image: Image;
  let dom: string;

  beforeAll(async () => {
    // Without Chromium every test below fails, saying so (none is skipped).
    if (!CHROMIUM) return;
    const records = parseLines(readFileSync(FIXTURE, 'utf8'), FIXTURE).records;
    writeFileSync(
      page,
      renderHtml(buildReport({ records, source: 'test/report/fixtures/audit.jsonl', now: new Date('2026-11-29T12:00:00Z') })),
    );
    const [, dumped] = await Promise.all([chromium(page, `--screenshot=${png}`), chromium(page, '--dump-dom')]);
    dom = dumped.stdout;
    image = decodePng(readFileSync(png));
    // Kept for a person to look at: REPORT_SCREENSHOT=/some/file.png npx vitest run test/report/chromium.test.ts
    if (process.env.REPORT_SCREENSHOT) writeFileSync(process.env.REPORT_SCREENSHOT, readFileSync(png));
  }, 30_000);

  it('takes a screenshot of the whole window', () => {
    needsChromium();
    expect(existsSync(png)).toBe(true);
    expect([image.width, image.height]).toEqual([1280, 2000]);
  });

  it('paints the charts: the stacked bars of each outcome, the time-to-contain marks, the framework bars', () => {
    needsChromium();
    expect(inkRatio(image)).toBeGreaterThan(0.05);
    // Bars are filled rectangles: their inside is the exact colour. 4 remediated bars of 1-2 events, 1 over the limit...
    expect(countColour(image, STATUS_COLOURS.remediated as string)).toBeGreaterThan(2000);
    expect(countColour(image, STATUS_COLOURS['limit-exceeded'] as string)).toBeGreaterThan(500);
    expect(countColour(image, STATUS_COLOURS.failed as string)).toBeGreaterThan(500);
    expect(countColour(image, STATUS_COLOURS.partial as string)).toBeGreaterThan(500);
    expect(countColour(image, '#5c6bc0')).toBeGreaterThan(1000); // events per framework
  });

  it('builds the DOM with the six charts, their titles, and the content security policy', () => {
    needsChromium();
    expect(dom.match(/<svg class="chart"/g)).toHaveLength(6);
    expect(dom).toContain('<title>2026-11-21: 2 remediated</title>');
    expect(dom).toContain("default-src 'none'");
  });
});
