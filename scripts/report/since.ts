/**
 * `--since`: a duration back from now (`30d`, `12h`, `45m`, `2w`) or a date or time in ISO 8601 (`2026-11-01`,
 * `2026-11-01T08:00:00Z`; a date alone is midnight UTC, a time without a zone is UTC). Throws with what was expected when it is neither.
 */
export function parseSince(text: string, now: Date): Date {
  const duration = /^(\d+)([mhdw])$/.exec(text);
  if (duration) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 }[duration[2] as 'm' | 'h' | 'd' | 'w'];
    return new Date(now.getTime() - Number(duration[1]) * unit);
  }
  if (/^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?)?$/.test(text)) {
    // Without a zone, UTC (as the records' times are), never the machine's local time.
    const zoned = /(Z|[+-]\d\d:?\d\d)$/.test(text) ? text : /^\d{4}-\d\d-\d\d$/.test(text) ? `${text}T00:00:00Z` : `${text}Z`;
    const at = Date.parse(zoned.replace(' ', 'T'));
    if (!Number.isNaN(at)) return new Date(at);
  }
  throw new Error(`--since ${JSON.stringify(text)}: expected a duration such as 30d, 12h, 45m or 2w, or an ISO date such as 2026-11-01`);
}
