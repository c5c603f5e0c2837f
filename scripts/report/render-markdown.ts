import { oneLine } from '../../functions/core/text.js';
import type { Change, Report } from './aggregate.js';
import { duration, when } from './format.js';

/** The report as Markdown (GitHub's tables): every value from a record is escaped, so none can add markup. */
export function renderMarkdown(report: Report): string {
  const s = report.summary;
  const out: string[] = [
    '# ml-guard audit report',
    '',
    `- Source: ${text(report.source)}`,
    `- Generated: ${when(report.generated_at)}`,
    `- Events: ${report.since ? `since ${when(report.since)}` : 'all'}${s.first_event ? `; first ${when(s.first_event)}, last ${when(s.last_event)}` : ''}`,
    `- Records: ${s.records} (${list(s.by_mode)}); by outcome: ${list(s.by_status) || 'none'}`,
    `- By function: ${list(s.by_function) || 'none'}`,
  ];
  if (s.duplicates) out.push(`- Duplicate records counted once: ${s.duplicates}`);
  if (s.unreadable.length) out.push(`- Lines that are not audit records (${s.unreadable.length}): ${s.unreadable.map(text).join('; ')}`);

  out.push('', `## Outcomes per function, per ${report.outcomes.period}`, '');
  if (!report.outcomes.functions.length) out.push('No events.');
  for (const f of report.outcomes.functions) {
    const statuses = Object.keys(f.totals);
    const rows = report.outcomes.periods.flatMap((p, i) => {
      const counts = f.counts[i] ?? {};
      return Object.keys(counts).length ? [[p, ...statuses.map((st) => String(counts[st] ?? 0))]] : [];
    });
    out.push(
      `### ${text(f.function)}`,
      '',
      ...table([report.outcomes.period, ...statuses], [...rows, ['total', ...statuses.map((st) => String(f.totals[st]))]]),
      '',
    );
  }
  if (report.outcomes.functions.length) out.push(`(${report.outcomes.period}s with no event are left out)`);

  const ttc = report.time_to_contain;
  out.push(
    '',
    '## Time to contain',
    '',
    `From the finding's first sight to the last change that contained it (remediated events). Percentiles by ${ttc.method}.`,
    '',
  );
  if (!ttc.by_function.length) out.push('No event was contained in this period (a dry-run contains nothing).');
  else {
    out.push(
      ...table(
        ['function', 'events', 'median', '95th percentile', 'fastest', 'slowest'],
        ttc.by_function.map((g) => [
          g.function,
          String(g.count),
          duration(g.median_seconds),
          duration(g.p95_seconds),
          duration(g.min_seconds),
          duration(g.max_seconds),
        ]),
      ),
      '',
      ...table(
        ['function', 'finding type', 'events', 'median', '95th percentile'],
        ttc.by_function_and_type.map((g) => [g.function, g.type, String(g.count), duration(g.median_seconds), duration(g.p95_seconds)]),
      ),
    );
  }

  out.push('', '## Controls and their evidence', '');
  if (!report.controls.length) out.push('No record cites a control.');
  else {
    out.push(
      ...table(
        ['framework', 'control', 'title', 'events', 'actions (done)'],
        report.controls.map((c) => [
          c.label,
          c.id,
          c.title,
          String(c.events.length),
          `${c.actions.length} (${c.actions.filter((a) => a.outcome === 'done').length})`,
        ]),
      ),
    );
    for (const c of report.controls) {
      out.push('', `### ${text(c.label)} ${text(c.id)}${c.title ? `: ${text(c.title)}` : ''}`, '');
      if (c.events.length) {
        out.push(
          `Events whose detection serves it (${c.events.length}):`,
          '',
          ...table(
            ['time', 'function', 'mode', 'finding type', 'outcome', 'event id'],
            c.events.map((e) => [when(e.time), e.function, e.mode, e.type, e.status, e.event_id]),
          ),
          '',
        );
      }
      if (c.actions.length) {
        out.push(
          `Actions that serve it (${c.actions.length}):`,
          '',
          ...table(
            ['when', 'function', 'mode', 'target', 'step', 'outcome'],
            c.actions.map((a) => [when(a.at ?? a.time), a.function, a.mode, a.target, a.step, a.outcome]),
          ),
        );
      }
    }
  }

  out.push('', `## Open items (${report.open_items.length})`, '');
  if (!report.open_items.length) out.push('Nothing is left open.');
  else {
    out.push(
      ...table(
        ['what', 'time', 'function', 'mode', 'severity', 'finding type', 'target', 'why', 'to do'],
        report.open_items.map((o) => [
          o.category,
          when(o.time),
          o.function,
          o.mode,
          o.severity,
          o.type,
          o.target ?? '',
          o.reason,
          o.notes.join(' / '),
        ]),
      ),
    );
  }

  out.push('', `## Changes made (${report.changes.length})`, '');
  out.push(...changesTable(report.changes, 'No change was made in enforce mode.'));
  if (report.planned_changes.length) {
    out.push('', `## Changes a dry-run would have made (${report.planned_changes.length})`, '');
    out.push(...changesTable(report.planned_changes, ''));
  }
  return `${out.join('\n')}\n`;
}

function changesTable(changes: readonly Change[], none: string): string[] {
  if (!changes.length) return [none];
  return table(
    ['when', 'function', 'target', 'step', 'what', 'undo', 'prior state'],
    changes.map((c) => [
      when(c.at ?? c.time),
      c.function,
      c.target,
      c.step,
      c.summary,
      c.undo ? code(c.undo) : raw('(none recorded)'),
      c.prior_state ?? '',
    ]),
  );
}

/** A cell already in Markdown (a code span), not to be escaped again. */
interface Raw {
  markdown: string;
}
const raw = (markdown: string): Raw => ({ markdown });

function table(head: readonly string[], rows: readonly (readonly (string | Raw)[])[]): string[] {
  const cell = (v: string | Raw) => (typeof v === 'string' ? text(v) : v.markdown);
  return [
    `| ${head.map(cell).join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ];
}

/**
 * Record text as inert Markdown: HTML and Markdown's own characters escaped, line breaks as spaces, `|` so that a
 * value stays in its table cell.
 */
export function text(value: string): string {
  return oneLine(value)
    .replace(/[\\`*_[\]|~]/g, '\\$&')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;');
}

/** A command as a code span, fenced with more backticks than it holds; `|` escaped for the table. */
function code(value: string): Raw {
  const flat = oneLine(value);
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return raw(`${fence} ${flat.replace(/\|/g, '\\|')} ${fence}`);
}

function list(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([k, n]) => `${text(k)} ${n}`)
    .join(', ');
}
