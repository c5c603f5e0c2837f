import type { ContainStats, FrameworkCount, Outcomes } from './aggregate.js';
import { duration } from './format.js';

/**
 * Inline SVG charts, drawn by hand so that the report needs nothing at view time. Every string from a record goes
 * through `esc`. Sizes are in CSS pixels; each chart says what it shows in its `<title>` (read by screen readers).
 */

/** HTML-escapes text for element content and double-quoted attributes alike. */
export function esc(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export const STATUS_COLOURS: Record<string, string> = {
  failed: '#c62828',
  partial: '#ef6c00',
  'awaiting-approval': '#d81b60',
  deferred: '#f9a825',
  'limit-exceeded': '#8e24aa',
  remediated: '#2e7d32',
  planned: '#1565c0',
  notified: '#00838f',
  suppressed: '#78909c',
  skipped: '#9e9e9e',
  'already-compliant': '#9ccc65',
};
const OTHER_COLOUR = '#bdbdbd';

export function statusColour(status: string): string {
  return STATUS_COLOURS[status] ?? OTHER_COLOUR;
}

export function legend(statuses: readonly string[]): string {
  return `<div class="legend">${statuses
    .map(
      (s) =>
        `<span><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill="${statusColour(s)}"/></svg>${esc(s)}</span>`,
    )
    .join('')}</div>`;
}

/** Stacked bars: one bar per period, one colour per outcome; a small chart per function on the same vertical scale. */
export function outcomesChart(outcomes: Outcomes, fn: Outcomes['functions'][number], max: number): string {
  const width = 560;
  const height = 150;
  const left = 34;
  const bottom = 22;
  const plotW = width - left - 8;
  const plotH = height - bottom - 10;
  const n = Math.max(1, outcomes.periods.length);
  const slot = plotW / n;
  const barW = Math.max(2, Math.min(40, slot * 0.7));
  const scale = plotH / Math.max(1, max);
  const bars = outcomes.periods.map((period, i) => {
    const counts = fn.counts[i] ?? {};
    let y = 10 + plotH;
    const x = left + i * slot + (slot - barW) / 2;
    return Object.entries(counts)
      .map(([status, count]) => {
        const h = count * scale;
        y -= h;
        return `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${statusColour(status)}"><title>${esc(`${period}: ${count} ${status}`)}</title></rect>`;
      })
      .join('');
  });
  const ticks = niceTicks(max);
  const grid = ticks
    .map((t) => {
      const y = 10 + plotH - t * scale;
      return `<line x1="${left}" x2="${width - 8}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" class="grid"/><text x="${left - 4}" y="${(y + 4).toFixed(1)}" text-anchor="end">${t}</text>`;
    })
    .join('');
  const every = Math.ceil(n / 8);
  const labels = outcomes.periods
    .map((p, i) =>
      i % every === 0
        ? `<text x="${(left + i * slot + slot / 2).toFixed(1)}" y="${height - 6}" text-anchor="middle">${esc(shortPeriod(p, outcomes.period))}</text>`
        : '',
    )
    .join('');
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img"><title>${esc(`${fn.function}: events per ${outcomes.period} by outcome`)}</title>${grid}${bars.join('')}${labels}</svg>`;
}

function shortPeriod(p: string, period: Outcomes['period']): string {
  return period === 'day' ? p.slice(5) : p;
}

/** Whole-number ticks from 0 to at least `max`, at most 5 of them. */
export function niceTicks(max: number): number[] {
  const top = Math.max(1, max);
  const step = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10_000].find((s) => top / s <= 4) ?? Math.ceil(top / 4);
  const ticks: number[] = [];
  for (let t = 0; t <= top; t += step) ticks.push(t);
  return ticks;
}

/**
 * Time to contain per function: each event a dot, the median a thick mark, the 95th percentile a thin one, on one
 * shared axis of seconds (or minutes) so that functions compare at a glance.
 */
export function containChart(groups: readonly ContainStats[]): string {
  const width = 760;
  const rowH = 34;
  const left = 220;
  const right = 20;
  const top = 12;
  const height = top + groups.length * rowH + 30;
  const max = Math.max(1, ...groups.map((g) => g.max_seconds));
  const unit = max >= 180 ? 60 : 1;
  const ticks = niceTicks(Math.ceil(max / unit));
  const axisMax = Math.max(...ticks, max / unit) * unit;
  const x = (seconds: number) => left + (seconds / axisMax) * (width - left - right);
  const grid = ticks
    .map(
      (t) =>
        `<line x1="${x(t * unit).toFixed(1)}" x2="${x(t * unit).toFixed(1)}" y1="${top}" y2="${top + groups.length * rowH}" class="grid"/><text x="${x(t * unit).toFixed(1)}" y="${top + groups.length * rowH + 14}" text-anchor="middle">${t}</text>`,
    )
    .join('');
  const rows = groups
    .map((g, i) => {
      const cy = top + i * rowH + rowH / 2;
      const dots = g.values
        .map(
          (v) =>
            `<circle cx="${x(v).toFixed(1)}" cy="${cy}" r="5" class="dot"><title>${esc(`${g.function}: ${duration(v)}`)}</title></circle>`,
        )
        .join('');
      return `<text x="${left - 10}" y="${cy + 4}" text-anchor="end" class="label">${esc(g.function)} (${g.count})</text>
<line x1="${x(g.min_seconds).toFixed(1)}" x2="${x(g.max_seconds).toFixed(1)}" y1="${cy}" y2="${cy}" class="range"/>${dots}
<rect x="${(x(g.median_seconds) - 2).toFixed(1)}" y="${cy - 12}" width="4" height="24" class="median"><title>${esc(`median ${duration(g.median_seconds)}`)}</title></rect>
<rect x="${(x(g.p95_seconds) - 1).toFixed(1)}" y="${cy - 12}" width="2" height="24" class="p95"><title>${esc(`95th percentile ${duration(g.p95_seconds)}`)}</title></rect>`;
    })
    .join('\n');
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img"><title>Time to contain per function: events, median and 95th percentile</title>${grid}${rows}<text x="${width - right}" y="${height - 2}" text-anchor="end">${unit === 60 ? 'minutes' : 'seconds'}</text></svg>`;
}

/** Per framework: how many events its controls are cited by, and how many changes made (or planned by a dry-run) serve them. */
export function frameworksChart(rows: readonly FrameworkCount[]): string {
  const bars: { key: 'events' | 'changes' | 'planned'; label: string }[] = [
    { key: 'events', label: 'events' },
    { key: 'changes', label: 'changes' },
    ...(rows.some((r) => r.planned > 0) ? [{ key: 'planned' as const, label: 'changes in dry-run' }] : []),
  ];
  const width = 760;
  const left = 130;
  const barH = 16;
  const rowH = bars.length * (barH + 2) + 10;
  const height = 14 + rows.length * rowH;
  const max = Math.max(1, ...rows.flatMap((r) => bars.map((b) => r[b.key])));
  const x = (n: number) => (n / max) * (width - left - 150);
  const body = rows
    .map((r, i) => {
      const y = 10 + i * rowH;
      const drawn = bars
        .map((b, k) => {
          const by = y + k * (barH + 2);
          const n = r[b.key];
          return `<rect x="${left}" y="${by}" width="${x(n).toFixed(1)}" height="${barH}" class="${b.key}"><title>${esc(`${r.label}: ${n} ${b.label}`)}</title></rect><text x="${(left + x(n) + 4).toFixed(1)}" y="${by + 12}">${n} ${b.label}</text>`;
        })
        .join('');
      return `<text x="${left - 10}" y="${y + (bars.length * (barH + 2)) / 2 + 4}" text-anchor="end" class="label">${esc(r.label)}</text>${drawn}`;
    })
    .join('\n');
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img"><title>Events and changes that evidence each framework's controls</title>${body}</svg>`;
}
