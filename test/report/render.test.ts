import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../functions/core/audit/record.js';
import { buildReport } from '../../scripts/report/aggregate.js';
import { duration } from '../../scripts/report/format.js';
import { parseLines } from '../../scripts/report/read.js';
import { CSP, renderHtml } from '../../scripts/report/render-html.js';
import { renderMarkdown } from '../../scripts/report/render-markdown.js';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'audit.jsonl');
const records = parseLines(readFileSync(FIXTURE, 'utf8'), FIXTURE).records;
const NOW = new Date('2026-11-29T12:00:00Z');
const report = buildReport({ records, source: 'test/report/fixtures/audit.jsonl', now: NOW });

/** What an attacker may put in an event field that a record quotes (a bucket name, a finding type, a description). */
const HOSTILE = `evil"><script>alert(1)</script><img src=x onerror=alert(2)>|x\`y\n## injected`;

function hostileRecords(): AuditRecord[] {
  const [first, , , , overLimit] = structuredClone(records) as AuditRecord[];
  const a = first as AuditRecord;
  a.event.type = HOSTILE;
  a.event.id = `id-${HOSTILE}`;
  a.reason = HOSTILE;
  const t = a.targets[0] as AuditRecord['targets'][number];
  t.id = HOSTILE;
  t.prior_state = `s3://b/${HOSTILE}`;
  for (const s of t.steps) {
    s.summary = HOSTILE;
    s.undo = `aws s3api delete-public-access-block --bucket '${HOSTILE}'`;
    s.controls = [{ framework: HOSTILE, id: HOSTILE }];
  }
  a.controls = [{ framework: 'NIST SP 800-53 Rev. 5', id: 'AC-3', title: HOSTILE }];
  const b = overLimit as AuditRecord;
  b.function = HOSTILE;
  (b.targets[0] as AuditRecord['targets'][number]).reason = HOSTILE;
  (b.targets[0] as AuditRecord['targets'][number]).notes = [HOSTILE];
  return [a, b];
}

describe('the HTML report', () => {
  const html = renderHtml(report);

  it('is one self-contained page that may load nothing: a CSP of default-src none, no script, no URL', () => {
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${CSP.replace(/'/g, '&#39;')}">`);
    expect(CSP).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(html).not.toMatch(/(src|href)=/i);
  });

  it('draws the charts: outcomes per function per day, time to contain, controls per framework', () => {
    expect(html.match(/<svg class="chart"/g)).toHaveLength(4 + 1 + 1);
    // quarantine-public-bucket, Nov 21: 2 remediated and 1 over the limit.
    expect(html).toContain('<title>2026-11-21: 2 remediated</title>');
    expect(html).toContain('<title>2026-11-21: 1 limit-exceeded</title>');
    expect(html).toContain('<title>median 2 min</title>');
    expect(html).toContain('<title>95th percentile 5 min</title>');
    expect(html).toContain('<title>NIST: 12 events</title>');
    expect(html).toContain('<title>PCI DSS: 4 changes</title>');
    expect(html).toContain('<title>PCI DSS: 1 changes in dry-run</title>');
  });

  it('shows the figures: cards, time to contain per function and type, open items, changes with their undo', () => {
    expect(html).toContain('<div class="value">12</div><div class="label">events recorded</div>');
    expect(html).toContain('<div class="value">5</div><div class="label">open items</div>');
    expect(html).toContain(
      '<tr><td><strong>quarantine-public-bucket</strong></td><td><strong>all</strong></td><td>4</td><td>2 min</td><td>5 min</td><td>1 min</td><td>5 min</td></tr>',
    );
    expect(html).toContain(
      '<tr><td>quarantine-public-bucket</td><td>Policy:S3/BucketBlockPublicAccessDisabled</td><td>3</td><td>3 min 20 s</td><td>5 min</td>',
    );
    expect(html).toContain('<span class="badge" style="background:#6d4c41">blocked</span>');
    expect(html).toContain('<code class="cmd">aws s3api delete-public-access-block --bucket bucket-01</code>');
    expect(html).toContain('Changes made (12)');
  });

  it('escapes every value from a record: a hostile one stays text', () => {
    const page = renderHtml(buildReport({ records: hostileRecords(), source: HOSTILE, now: NOW }));

    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<img');
    expect(page).not.toMatch(/<[^>]*\sonerror=/);
    expect(page).toContain('evil&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;');
    // In the table of changes, the chart titles, the control list and the open items alike.
    expect(page.split('&lt;script&gt;').length - 1).toBeGreaterThan(8);
  });
});

describe('the Markdown report', () => {
  const md = renderMarkdown(report);

  it('has the same figures', () => {
    expect(md).toContain('| quarantine-public-bucket | 4 | 2 min | 5 min | 1 min | 5 min |');
    expect(md).toContain(
      '| stop-compromised-training-job | UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS | 1 | 10 min | 10 min |',
    );
    expect(md).toContain('## Open items (5)');
    expect(md).toContain('## Changes made (12)');
    expect(md).toContain('| ` aws s3api delete-public-access-block --bucket bucket-01 ` |');
    expect(md).toContain('| 2026-11-21 | 1 | 2 |');
    expect(md).toContain('| NIST | AC-3 | Access Enforcement | 6 | 6 (4) |');
  });

  it('keeps a hostile value inert and in its cell', () => {
    const page = renderMarkdown(buildReport({ records: hostileRecords(), source: HOSTILE, now: NOW }));

    // An undo command is a code span (literal in Markdown, so that it can be copied as it is); elsewhere HTML is escaped.
    const outsideCode = page.replace(/(`+) .*? \1/g, '');
    expect(outsideCode).not.toContain('<script');
    expect(outsideCode).toContain('&lt;script>');
    expect(page).toContain(
      "`` aws s3api delete-public-access-block --bucket 'evil\"><script>alert(1)</script><img src=x onerror=alert(2)>\\|x`y ## injected' ``",
    );
    expect(page).not.toMatch(/^## injected/m);
    const from = page.indexOf('## Changes made');
    const changes = page.slice(from, page.indexOf('\n## ', from + 1));
    const header = changes.split('\n').find((l) => l.startsWith('| when'));
    const cells = (line: string) => line.replace(/\\\|/g, '').split('|').length;
    const rows = changes.split('\n').filter((l) => l.startsWith('| 20'));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(cells(row)).toBe(cells(header as string));
  });
});

describe('durations', () => {
  it.each([
    [45, '45 s'],
    [60, '1 min'],
    [200, '3 min 20 s'],
    [3600, '1 h'],
    [3900, '1 h 5 min'],
    [90_000, '1 d 1 h'],
    [172_800, '2 d'],
  ])('%d s reads %s', (seconds, text) => {
    expect(duration(seconds)).toBe(text);
  });
});
