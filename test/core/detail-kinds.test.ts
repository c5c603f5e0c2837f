import { describe, expect, it } from 'vitest';
import { parseEvent } from '../../functions/core/events/details.js';
import { allEventPaths, loadEvent } from '../support/events.js';
import { FUNCTIONS, handlesEvent } from '../support/functions.js';

/** The kind of each valid sample event, by path. */
const samples = allEventPaths().flatMap((path) => {
  const raw = loadEvent(path);
  try {
    return [{ path, raw, kind: parseEvent(raw).kind }];
  } catch {
    return [];
  }
});

describe.each(FUNCTIONS.filter((f) => f.remediation))("$name's detail schemas at cold start", (f) => {
  it('are those of the kinds of event it acts on, as the sample events show', () => {
    const acted = new Set(samples.filter((s) => handlesEvent(f, s.raw)).map((s) => s.kind));

    expect(Object.keys(f.remediation?.details ?? {}).sort()).toEqual([...acted].sort());
  });
});

it('the samples cover every kind of event', () => {
  expect(new Set(samples.map((s) => s.kind))).toEqual(new Set(['guardduty', 'config', 'alarm', 'cloudtrail']));
});
