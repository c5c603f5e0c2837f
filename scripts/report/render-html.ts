import type { Change, Report } from './aggregate.js';
import { containChart, esc, frameworksChart, legend, outcomesChart, statusColour } from './charts.js';
import { duration, when } from './format.js';

/**
 * The report as one self-contained HTML file: inline CSS and SVG, no script, and a Content-Security-Policy that lets
 * the page load nothing at all (no network at view time, whatever a record holds). Every value from a record is
 * escaped: records quote event fields an attacker may control.
 */
export const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

export function renderHtml(report: Report): string {
  const s = report.summary;
  const open = report.open_items.length;
  const remediated = s.by_status.remediated ?? 0;
  const max = Math.max(1, ...report.outcomes.functions.flatMap((f) => f.counts.map((c) => Object.values(c).reduce((a, b) => a + b, 0))));
  const ttc = report.time_to_contain;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(CSP)}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ml-guard audit report</title>
<style>${STYLE}</style>
</head>
<body>
<h1>ml-guard audit report</h1>
<p class="meta">Source <code>${esc(report.source)}</code> · generated ${esc(when(report.generated_at))} · events ${report.since ? `since ${esc(when(report.since))}` : 'all'}${s.first_event ? ` (first ${esc(when(s.first_event))}, last ${esc(when(s.last_event))})` : ''}</p>
<div class="cards">
${card(
  'events recorded',
  s.records,
  Object.entries(s.by_mode)
    .map(([m, n]) => `${n} ${m}`)
    .join(', '),
)}
${card('remediated', remediated, ttc.by_function.length ? `median time to contain ${ttc.by_function.map((g) => `${g.function} ${duration(g.median_seconds)}`).join(', ')}` : 'nothing contained')}
${card('changes made', report.changes.length, report.planned_changes.length ? `${report.planned_changes.length} more in dry-run` : 'each with its undo below')}
${card(
  'open items',
  open,
  Object.entries(countBy(report.open_items.map((o) => o.category)))
    .map(([c, n]) => `${n} ${c}`)
    .join(', ') || 'nothing left open',
  open ? 'warn' : 'ok',
)}
</div>
${s.duplicates ? `<p class="note">${s.duplicates} duplicate record(s) counted once.</p>` : ''}
${s.unreadable.length ? `<details class="note"><summary>${s.unreadable.length} line(s) of the source are not audit records and were left out</summary><ul>${s.unreadable.map((u) => `<li>${esc(u)}</li>`).join('')}</ul></details>` : ''}

<h2 id="outcomes">Outcomes per function, per ${esc(report.outcomes.period)}</h2>
${
  report.outcomes.functions.length
    ? `${legend(report.outcomes.statuses)}<div class="multiples">${report.outcomes.functions
        .map(
          (f) =>
            `<figure><figcaption>${esc(f.function)} <span class="muted">${Object.entries(f.totals)
              .map(([st, n]) => `${n} ${esc(st)}`)
              .join(', ')}</span></figcaption>${outcomesChart(report.outcomes, f, max)}</figure>`,
        )
        .join('')}</div>`
    : '<p>No events.</p>'
}

<h2 id="time-to-contain">Time to contain</h2>
<p class="muted">From the finding's first sight to the last change that contained it, for remediated events. Dots are events; the thick mark is the median, the thin one the 95th percentile (${esc(ttc.method)}).</p>
${
  ttc.by_function.length
    ? `${containChart(ttc.by_function)}
${table(
  ['function', 'finding type', 'events', 'median', '95th percentile', 'fastest', 'slowest'],
  [
    ...ttc.by_function.map((g) => [
      strong(g.function),
      strong('all'),
      g.count,
      duration(g.median_seconds),
      duration(g.p95_seconds),
      duration(g.min_seconds),
      duration(g.max_seconds),
    ]),
    ...ttc.by_function_and_type.map((g) => [
      g.function,
      g.type,
      g.count,
      duration(g.median_seconds),
      duration(g.p95_seconds),
      duration(g.min_seconds),
      duration(g.max_seconds),
    ]),
  ],
)}`
    : '<p>No event was contained in this period (a dry-run contains nothing).</p>'
}

<h2 id="controls">Controls and their evidence</h2>
${
  report.controls.length
    ? `${frameworksChart(report.frameworks)}
${table(
  ['framework', 'control', 'title', 'events', 'actions', 'done'],
  report.controls.map((c) => [
    c.label,
    c.id,
    c.title,
    c.events.length,
    c.actions.length,
    c.actions.filter((a) => a.outcome === 'done').length,
  ]),
)}
${report.controls
  .map(
    (
      c,
    ) => `<details><summary>${esc(c.label)} ${esc(c.id)}${c.title ? `: ${esc(c.title)}` : ''} <span class="muted">(${c.events.length} events, ${c.actions.length} actions)</span></summary>
${
  c.events.length
    ? table(
        ['time', 'function', 'mode', 'finding type', 'outcome', 'event id'],
        c.events.map((e) => [when(e.time), e.function, e.mode, e.type, badge(e.status), e.event_id]),
      )
    : ''
}
${
  c.actions.length
    ? table(
        ['when', 'function', 'mode', 'target', 'step', 'outcome'],
        c.actions.map((a) => [when(a.at ?? a.time), a.function, a.mode, a.target, a.step, a.outcome]),
      )
    : ''
}
</details>`,
  )
  .join('\n')}`
    : '<p>No record cites a control.</p>'
}

<h2 id="open-items">Open items (${open})</h2>
<p class="muted">Failed or partial changes, targets blocked because their state could not be read, events over the blast-radius limit, work deferred, and what only a person can do (a root user, a key left active until it can be rotated).</p>
${
  open
    ? table(
        ['what', 'time', 'function', 'severity', 'finding type', 'target', 'why', 'to do'],
        report.open_items.map((o) => [
          badge(o.category),
          when(o.time),
          `${o.function}${o.mode === 'enforce' ? '' : ` (${o.mode})`}`,
          o.severity,
          o.type,
          o.target ?? '',
          o.reason,
          o.notes.length ? html(`<ul>${o.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`) : '',
        ]),
      )
    : '<p>Nothing is left open.</p>'
}

<h2 id="changes">Changes made (${report.changes.length})</h2>
${changesTable(report.changes, 'No change was made in enforce mode.')}
${report.planned_changes.length ? `<h3>Changes a dry-run would have made (${report.planned_changes.length})</h3>${changesTable(report.planned_changes, '')}` : ''}

</body>
</html>
`;
}

function changesTable(changes: readonly Change[], none: string): string {
  if (!changes.length) return none ? `<p>${esc(none)}</p>` : '';
  return table(
    ['when', 'function', 'target', 'step', 'what', 'undo', 'prior state'],
    changes.map((c) => [
      when(c.at ?? c.time),
      c.function,
      c.target,
      c.step,
      c.summary,
      c.undo ? html(`<code class="cmd">${esc(c.undo)}</code>`) : html('<span class="muted">none recorded</span>'),
      c.prior_state ? html(`<code>${esc(c.prior_state)}</code>`) : '',
    ]),
  );
}

/** Markup made here (never from a record), not to be escaped again. */
interface Html {
  html: string;
}
const html = (markup: string): Html => ({ html: markup });
const strong = (text: string): Html => html(`<strong>${esc(text)}</strong>`);

function badge(status: string): Html {
  const colour = status === 'awaiting a person' ? '#00838f' : status === 'blocked' ? '#6d4c41' : statusColour(status);
  return html(`<span class="badge" style="background:${colour}">${esc(status)}</span>`);
}

function table(head: readonly string[], rows: readonly (readonly (string | number | Html)[])[]): string {
  const cell = (v: string | number | Html) => (typeof v === 'object' ? v.html : esc(v));
  return `<div class="scroll"><table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((v) => `<td>${cell(v)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table></div>`;
}

function card(label: string, value: number, detail: string, tone = ''): string {
  return `<div class="card ${tone}"><div class="value">${value}</div><div class="label">${esc(label)}</div><div class="muted">${esc(detail)}</div></div>`;
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1d2329;margin:24px auto;max-width:1200px;padding:0 16px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #dde3e8;padding-bottom:4px}h3{font-size:15px}
.meta,.muted{color:#5c6770}.muted{font-size:12px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}
.card{flex:1 1 200px;border:1px solid #dde3e8;border-radius:8px;padding:10px 14px;background:#f8fafb}
.card .value{font-size:28px;font-weight:600}.card .label{font-weight:600}
.card.warn{border-color:#ef6c00;background:#fff6ee}.card.ok{border-color:#2e7d32}
.legend{display:flex;gap:14px;flex-wrap:wrap;margin:6px 0;font-size:12px}.legend span{display:inline-flex;gap:4px;align-items:center}
.multiples{display:flex;flex-wrap:wrap;gap:8px 24px}figure{margin:0}figcaption{font-weight:600;font-size:13px}
svg.chart{display:block;max-width:100%;height:auto;font-size:11px;fill:#3a444c}
svg .grid{stroke:#e3e8ec;stroke-width:1}svg .label{font-size:12px;fill:#1d2329}
svg .range{stroke:#90a4ae;stroke-width:2}svg .dot{fill:#1565c0;fill-opacity:.55}svg .median{fill:#1d2329}svg .p95{fill:#c62828}
svg .events{fill:#5c6bc0}svg .changes{fill:#2e7d32}svg .planned{fill:#90caf9}
.scroll{overflow-x:auto}table{border-collapse:collapse;margin:8px 0;font-size:12.5px;width:100%}
th,td{border-bottom:1px solid #e3e8ec;padding:4px 8px;text-align:left;vertical-align:top;overflow-wrap:anywhere}td ul{min-width:240px}th{background:#f1f4f6;white-space:nowrap}
td ul{margin:0;padding-left:16px}code.cmd{display:inline-block;min-width:300px;word-break:normal;overflow-wrap:anywhere}code{font-size:12px;background:#f1f4f6;padding:1px 3px;border-radius:3px;word-break:break-all}
.badge{color:#fff;border-radius:10px;padding:1px 8px;font-size:12px;white-space:nowrap}
details{margin:4px 0}summary{cursor:pointer}.note{color:#8a4b00}
`;
