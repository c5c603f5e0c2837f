import * as v from 'valibot';
import { describe, expect, it, vi } from 'vitest';
import { AlarmStateChange } from '../../functions/core/events/cloudwatch-alarm.js';
import { GuardDutyFinding } from '../../functions/core/events/guardduty.js';
import { identified, ignore, intake } from '../../functions/core/remediation/intake.js';
import { boundText, QUOTED_VALUE_MAX } from '../../functions/core/text.js';
import { loadEvent } from '../support/events.js';

const base = { function: 'rotate-credentials', mode: 'enforce' } as const;
const alarm = () => loadEvent('cloudwatch/alarm-state-change-sagemaker-model-latency.json');
const finding = () => loadEvent('guardduty/unauthorizedaccess-iamuser-toripcaller.json');

describe('intake', () => {
  it('validates an event of a kind the function has no schema for by loading it, and names its ids', async () => {
    const received = await intake(alarm(), base, { guardduty: GuardDutyFinding });
    if ('ignored' in received) throw new Error(received.ignored.reason);
    expect(received.event.kind).toBe('alarm');
    expect(received.ids).toEqual({ eventId: alarm().id, findingId: alarm().detail.alarmName, source: 'cloudwatch' });
  });

  it('answers a malformed event of such a kind as it answers one of its own kinds: ignored, with the reason and nothing else', async () => {
    const raw = alarm();
    delete raw.detail.alarmName;
    for (const details of [{}, { alarm: AlarmStateChange }]) {
      expect(await intake(raw, base, details)).toEqual({
        ignored: {
          status: 'ignored',
          reason: 'CloudWatch alarm state change rejected: alarmName: expected string',
          ...base,
          eventId: raw.id,
          targets: [],
        },
      });
    }
  });

  it('leaves the event id out of the answer when the event has no usable one', async () => {
    const received = await intake({ ...finding(), id: 7 }, base);
    expect(received).toEqual({ ignored: expect.not.objectContaining({ eventId: expect.anything() }) });
  });

  it('throws what is not about the event (a schema that fails by itself) rather than ignoring the event', async () => {
    const broken = v.custom<never>(() => {
      throw new TypeError('the schema broke');
    });
    await expect(intake(finding(), base, { guardduty: broken as never })).rejects.toThrow('the schema broke');
  });
});

describe('ignore', () => {
  it('keeps the ids it is given, bounded, and names no target', () => {
    const long = 'x'.repeat(QUOTED_VALUE_MAX + 50);
    const result = ignore({ ...base, eventId: 'e-1', findingId: long }, 'not for this function');
    expect(result).toEqual({
      status: 'ignored',
      reason: 'not for this function',
      ...base,
      eventId: 'e-1',
      findingId: boundText(long, QUOTED_VALUE_MAX),
      targets: [],
    });
    expect(result.findingId?.length).toBeLessThan(long.length);
  });
});

describe('identified', () => {
  it("reads a compliance change's rule, and nothing for another kind of event", async () => {
    const identify = vi.fn(async (name: string) => ({ name, from: 'name' as const, why: 'test' }));
    const { parseEvent } = await import('../../functions/core/events/details.js');
    const guardduty = parseEvent(finding());
    expect(await identified(guardduty, identify)).toBe(guardduty);
    expect(identify).not.toHaveBeenCalled();
    const config = parseEvent(loadEvent('config/access-keys-rotated-noncompliant.json'));
    expect(await identified(config, identify)).toEqual({ ...config, rule: await identify.mock.results[0]?.value });
    expect(identify).toHaveBeenCalledWith('access-keys-rotated');
  });
});
