import { describe, expect, it } from 'vitest';
import { nearestRank } from '../../scripts/report/percentile.js';
import { parseSince } from '../../scripts/report/since.js';

const NOW = new Date('2026-11-29T12:00:00Z');

describe('--since', () => {
  it.each([
    ['30d', '2026-10-30T12:00:00.000Z'],
    ['12h', '2026-11-29T00:00:00.000Z'],
    ['45m', '2026-11-29T11:15:00.000Z'],
    ['2w', '2026-11-15T12:00:00.000Z'],
    ['2026-11-01', '2026-11-01T00:00:00.000Z'],
    ['2026-11-01T08:30', '2026-11-01T08:30:00.000Z'],
    ['2026-11-01T08:30:00+02:00', '2026-11-01T06:30:00.000Z'],
  ])('reads %s as %s (a time without a zone is UTC)', (text, expected) => {
    expect(parseSince(text, NOW).toISOString()).toBe(expected);
  });

  it.each(['30', 'd', '30 days', '-3d', '2026-13-45', 'yesterday'])('refuses %j, saying what it expects', (text) => {
    expect(() => parseSince(text, NOW)).toThrow(/expected a duration such as 30d, 12h, 45m or 2w, or an ISO date/);
  });
});

describe('percentiles by nearest rank', () => {
  it.each([
    [[60, 120, 200, 300], 50, 120],
    [[300, 60, 200, 120], 95, 300],
    [[120, 200, 300], 50, 200],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20], 95, 19],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21], 95, 20],
    [[7], 95, 7],
    [[7], 0, 7],
  ])('of %j, p%d is %d', (values, p, expected) => {
    expect(nearestRank(values, p)).toBe(expected);
  });

  it('is undefined for no values', () => {
    expect(nearestRank([], 50)).toBeUndefined();
  });
});
