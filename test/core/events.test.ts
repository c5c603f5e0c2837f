import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidEventError, UnsupportedEventError } from '../../functions/core/errors.js';
import { parseEvent } from '../../functions/core/events/details.js';
import { isSampleFinding, severityLabel } from '../../functions/core/events/guardduty.js';
import { findingIdOf } from '../../functions/core/events/parse.js';
import { QUOTED_VALUE_MAX, REASON_MAX } from '../../functions/core/text.js';
import { allEventPaths, loadEvent } from '../support/events.js';

describe('parseEvent', () => {
  const valid = allEventPaths().filter((p) => !p.startsWith('invalid/'));

  it.each(valid)('accepts the sample event %s', (path) => {
    const parsed = parseEvent(loadEvent(path));
    expect(['guardduty', 'config', 'alarm', 'cloudtrail']).toContain(parsed.kind);
    expect(parsed.envelope.id).toBe(loadEvent(path).id);
  });

  it('reads a GuardDuty finding with its id, type and buckets', () => {
    const parsed = parseEvent(loadEvent('guardduty/policy-s3-bucketblockpublicaccessdisabled.json'));
    if (parsed.kind !== 'guardduty') throw new Error('expected a GuardDuty finding');
    expect(parsed.finding.type).toBe('Policy:S3/BucketBlockPublicAccessDisabled');
    expect(parsed.finding.resource.s3BucketDetails?.map((b) => b.name)).toEqual(['test-gd-324237984731208478901374']);
    expect(findingIdOf(parsed)).toBe('a6bfa2f07893be4f3c3174d5af7e2f80');
  });

  it('reads a Config compliance change with its rule and resource', () => {
    const parsed = parseEvent(loadEvent('config/s3-bucket-public-read-prohibited-noncompliant.json'));
    if (parsed.kind !== 'config') throw new Error('expected a Config event');
    expect(parsed.compliance.newEvaluationResult.complianceType).toBe('NON_COMPLIANT');
    expect(findingIdOf(parsed)).toBe('s3-bucket-public-read-prohibited/ml-model-artifacts-123456789012');
  });

  it.each([
    ['invalid/guardduty-pascalcase-hybrid.json', /GuardDuty finding rejected: .*accountId/],
    ['invalid/guardduty-finding-without-resource.json', /GuardDuty finding rejected: resource: expected object/],
    ['invalid/guardduty-sns-wrapped.json', /EventBridge envelope rejected/],
    ['invalid/config-sns-compliance-notification.json', /EventBridge envelope rejected/],
  ])('rejects the malformed event %s with the path of what is wrong', (path, message) => {
    const act = () => parseEvent(loadEvent(path));
    expect(act).toThrow(InvalidEventError);
    expect(act).toThrow(message);
  });

  it.each(['invalid/config-configuration-item-change.json', 'invalid/cloudwatch-alarm-configuration-change.json'])(
    'names the source and detail-type of the foreign event %s',
    (path) => {
      expect(() => parseEvent(loadEvent(path))).toThrow(UnsupportedEventError);
      expect(() => parseEvent(loadEvent(path))).toThrow(
        /detail-type "Config Configuration Item Change"|detail-type "CloudWatch Alarm Configuration Change"/,
      );
    },
  );

  it('reads a CloudTrail API call, named by its event name and id (the envelope id when the call has none)', () => {
    const raw = loadEvent('cloudtrail/sagemaker-deletemodel.json');
    expect(findingIdOf(parseEvent(raw))).toBe('DeleteModel/d1e2f3a4-0004-4b5c-9d8e-7f6a5b4c3d21');
    delete raw.detail.eventID;
    expect(findingIdOf(parseEvent(raw))).toBe('DeleteModel/5c1d2e3f-0004-4a5b-8c9d-0e1f2a3b4c5d');
  });

  it('rejects a malformed CloudTrail API call, saying so', () => {
    const raw = loadEvent('cloudtrail/sagemaker-deletemodel.json');
    raw.detail.eventName = 42;
    expect(() => parseEvent(raw)).toThrow(/^CloudTrail API call rejected: eventName/);
  });

  it('does not take a CloudTrail detail-type from a source outside AWS', () => {
    const raw = { ...loadEvent('cloudtrail/sagemaker-deletemodel.json'), source: 'com.example.app' };
    expect(() => parseEvent(raw)).toThrow(UnsupportedEventError);
    expect(() => parseEvent(raw)).toThrow('events from source "com.example.app" with detail-type "AWS API Call via CloudTrail"');
  });

  it.each([null, 42, 'text', [], {}])('rejects %j as not an EventBridge event', (raw) => {
    expect(() => parseEvent(raw)).toThrow(InvalidEventError);
  });

  it('returns a parsed event or throws a named error for any input, never anything else', () => {
    const sample = loadEvent('guardduty/policy-s3-bucketblockpublicaccessdisabled.json');
    const mutated = fc.oneof(
      fc.anything(),
      fc.record({ ...Object.fromEntries(Object.keys(sample).map((k) => [k, fc.anything()])) }),
      fc.anything().map((detail) => ({ ...sample, detail })),
      fc
        .tuple(fc.constantFrom(...Object.keys(sample.detail)), fc.anything())
        .map(([k, v]) => ({ ...sample, detail: { ...sample.detail, [k]: v } })),
    );
    fc.assert(
      fc.property(mutated, (raw) => {
        try {
          const parsed = parseEvent(raw);
          expect(parsed.kind).toBeTypeOf('string');
        } catch (error) {
          expect(error instanceof InvalidEventError || error instanceof UnsupportedEventError).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('GuardDuty helpers', () => {
  it.each([
    [1, 'LOW'],
    [3.9, 'LOW'],
    [4, 'MEDIUM'],
    [6.9, 'MEDIUM'],
    [7, 'HIGH'],
    [8.9, 'HIGH'],
    [9, 'CRITICAL'],
  ] as const)('labels severity %s as %s', (severity, label) => {
    expect(severityLabel(severity)).toBe(label);
  });

  it('recognises a finding made by "Generate sample findings"', () => {
    const sample = parseEvent(loadEvent('guardduty/policy-s3-bucketblockpublicaccessdisabled-sample.json'));
    const real = parseEvent(loadEvent('guardduty/policy-s3-bucketblockpublicaccessdisabled.json'));
    if (sample.kind !== 'guardduty' || real.kind !== 'guardduty') throw new Error('expected findings');
    expect(isSampleFinding(sample.finding)).toBe(true);
    expect(isSampleFinding(real.finding)).toBe(false);
  });
});

describe('the sample-finding flag, read to fail safe', () => {
  const findingWith = (additionalInfo: unknown) => {
    const event = loadEvent('guardduty/policy-s3-bucketblockpublicaccessdisabled-sample.json');
    if (additionalInfo === undefined) delete event.detail.service.additionalInfo;
    else event.detail.service.additionalInfo = additionalInfo;
    const parsed = parseEvent(event);
    if (parsed.kind !== 'guardduty') throw new Error('expected a finding');
    return parsed.finding;
  };

  it.each([
    ['sample: false', { sample: false }, false],
    ['sample: "false"', { sample: 'false' }, false],
    ['sample: "FALSE"', { sample: 'FALSE' }, false],
    ['sample: "False"', { sample: 'False' }, false],
    ['no sample key', { value: '{"unusual":{}}', type: 'default' }, false],
    ['no additionalInfo', undefined, false],
    ['additionalInfo: null', null, false],
    ['sample: true', { sample: true }, true],
    ['sample: "true"', { sample: 'true' }, true],
    ['sample: "TRUE"', { sample: 'TRUE' }, true],
    ['sample: 1', { sample: 1 }, true],
    ['sample: 0', { sample: 0 }, true],
    ['sample: "yes"', { sample: 'yes' }, true],
    ['sample: " false "', { sample: ' false ' }, true],
    ['sample: ""', { sample: '' }, true],
    ['sample: null', { sample: null }, true],
    ['sample: {}', { sample: {} }, true],
  ])('with %s the finding is a sample: %s', (_label, additionalInfo, sample) => {
    // Prepare
    const finding = findingWith(additionalInfo);

    // Act
    const isSample = isSampleFinding(finding);

    // Assess
    expect(isSample).toBe(sample);
  });
});

describe('parseEvent on huge input', () => {
  it('bounds the source and detail-type it quotes when it refuses a foreign event', () => {
    // Prepare
    const event = loadEvent('invalid/config-configuration-item-change.json');
    event.source = `aws.${'s'.repeat(1_000_000)}`;
    event['detail-type'] = 'd'.repeat(1_000_000);

    // Act
    const act = () => parseEvent(event);

    // Assess
    expect(act).toThrow(UnsupportedEventError);
    expect(act).toThrow(
      /^events from source "aws\.s+… \[truncated, 1000004 chars\]" with detail-type "d+… \[truncated, 1000000 chars\]" are not handled$/,
    );
    expect(() => parseEvent(event)).toThrow(
      expect.objectContaining({ message: expect.toSatisfy((m: string) => m.length <= 2 * QUOTED_VALUE_MAX + 100) }),
    );
  });

  it('bounds a key of the input it names in the path of what is wrong', () => {
    // Prepare
    const event = loadEvent('cloudwatch/alarm-state-change-sagemaker-model-latency.json');
    event.detail.configuration.metrics[0].metricStat.metric.dimensions = { [`k${'\n'.repeat(10)}${'k'.repeat(1_000_000)}`]: 5 };

    // Act
    const act = () => parseEvent(event);

    // Assess
    expect(act).toThrow(InvalidEventError);
    expect(act).toThrow(
      /^CloudWatch alarm state change rejected: configuration\.metrics\.0\.metricStat\.metric\.dimensions\.k k+… \[truncated, 1000011 chars\]: expected string$/,
    );
    expect(() => parseEvent(event)).toThrow(expect.objectContaining({ message: expect.toSatisfy((m: string) => m.length <= REASON_MAX) }));
  });
});
