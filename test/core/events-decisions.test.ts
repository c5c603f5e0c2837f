import { describe, expect, it } from 'vitest';
import { InvalidEventError, UnsupportedEventError } from '../../functions/core/errors.js';
import { parseEvent } from '../../functions/core/events/details.js';
import { type FindingTypeSet, isFindingTypeIn, PUBLIC_BUCKET_FINDINGS } from '../../functions/core/events/finding-types.js';
import { severityLabel } from '../../functions/core/events/guardduty.js';
import { loadEvent } from '../support/events.js';

/**
 * The event boundary's decisions, one row per case: which shapes of GuardDuty's finding are refused (so that no
 * function acts on a field of the wrong type), which events are foreign, and how finding types match.
 */
const FINDING = 'guardduty/policy-s3-bucketanonymousaccessgranted-two-buckets.json';
const finding = (change: (detail: any) => void) => {
  const event = loadEvent(FINDING);
  change(event.detail);
  return event;
};

describe('the GuardDuty finding schema refuses a field of the wrong type at every level', () => {
  it.each<[string, (d: any) => void, string]>([
    // GuardDuty documents each of these as a string, an object or a boolean; anything else is not GuardDuty's finding.
    [
      'resource.accessKeyDetails.userName a number',
      (d) => (d.resource.accessKeyDetails = { userName: 42 }),
      'resource.accessKeyDetails.userName',
    ],
    ['service.detectorId a number', (d) => (d.service.detectorId = 42), 'service.detectorId'],
    ['service.archived a string', (d) => (d.service.archived = 'yes'), 'service.archived'],
    ['service.count a string', (d) => (d.service.count = 'many'), 'service.count'],
    ['service.action.actionType a number', (d) => (d.service.action.actionType = 7), 'service.action.actionType'],
    [
      'service.action.awsApiCallAction.api a number',
      (d) => (d.service.action.awsApiCallAction.api = 7),
      'service.action.awsApiCallAction.api',
    ],
    [
      'service.action.awsApiCallAction.remoteIpDetails.ipAddressV4 a number',
      (d) => (d.service.action.awsApiCallAction.remoteIpDetails.ipAddressV4 = 111),
      'service.action.awsApiCallAction.remoteIpDetails.ipAddressV4',
    ],
    [
      'service.action.awsApiCallAction.remoteIpDetails.country.countryName a number',
      (d) => (d.service.action.awsApiCallAction.remoteIpDetails.country.countryName = 44),
      'service.action.awsApiCallAction.remoteIpDetails.country.countryName',
    ],
    ['severity above 10 (GuardDuty rates from 0 to 10)', (d) => (d.severity = 10.1), 'severity'],
    ['severity below 0', (d) => (d.severity = -0.1), 'severity'],
  ])('refuses %s', (_, change, path) => {
    // Prepare
    const event = finding(change);

    // Act
    const act = () => parseEvent(event);

    // Assess
    expect(act).toThrow(InvalidEventError);
    expect(act).toThrow(`GuardDuty finding rejected: ${path}`);
  });

  it.each([0, 10])('accepts the severity %d at the ends of the range', (severity) => {
    // Act
    const parsed = parseEvent(finding((d) => (d.severity = severity)));

    // Assess
    expect(parsed.kind === 'guardduty' && parsed.finding.severity).toBe(severity);
  });

  it('keeps the fields of additionalInfo it does not know, next to sample', () => {
    // Act
    const parsed = parseEvent(finding((d) => (d.service.additionalInfo = { sample: true, value: '{"x":1}', type: 'default' })));

    // Assess
    expect(parsed.kind === 'guardduty' && parsed.finding.service.additionalInfo).toEqual({
      sample: true,
      value: '{"x":1}',
      type: 'default',
    });
  });
});

describe('severityLabel at the ends of the range', () => {
  it.each([
    [0, 'LOW'],
    [10, 'CRITICAL'],
  ] as const)('labels %d as %s', (severity, label) => {
    expect(severityLabel(severity)).toBe(label);
  });
});

describe('parseEvent: what is not an event, and what is foreign', () => {
  it('says that null is not a JSON object, before reading any envelope field', () => {
    // Act
    const act = () => parseEvent(null);

    // Assess
    expect(act).toThrow(new InvalidEventError('event rejected: expected a JSON object (an EventBridge event)'));
  });

  it('keeps the schema error as the cause of a refused detail', () => {
    // Prepare
    const event = finding((d) => (d.severity = 11));

    // Act
    let caught: unknown;
    try {
      parseEvent(event);
    } catch (error) {
      caught = error;
    }

    // Assess
    expect(caught).toBeInstanceOf(InvalidEventError);
    const cause = (caught as InvalidEventError).cause as { issues?: { path: unknown[] }[] };
    expect(cause.issues?.map((i) => i.path)).toEqual([['severity']]);
  });

  it.each([
    // EventBridge sets `source` to the AWS service that sent the event; a detail-type alone proves nothing.
    ['aws.securityhub', 'GuardDuty Finding'],
    ['aws.guardduty', 'Config Rules Compliance Change'],
    ['custom.app', 'Config Rules Compliance Change'],
    ['custom.app', 'CloudWatch Alarm State Change'],
    ['aws.cloudwatch', 'GuardDuty Finding'],
  ])('treats source %s with detail-type %s as foreign', (source, detailType) => {
    // Prepare
    const event = { ...loadEvent(FINDING), source, 'detail-type': detailType };

    // Act
    const act = () => parseEvent(event);

    // Assess
    expect(act).toThrow(UnsupportedEventError);
    expect(act).toThrow(`events from source "${source}" with detail-type "${detailType}" are not handled`);
  });

  it.each([
    ['config/s3-bucket-public-read-prohibited-noncompliant.json', 'Config compliance change rejected: '],
    ['cloudwatch/alarm-state-change-sagemaker-model-latency.json', 'CloudWatch alarm state change rejected: '],
    [FINDING, 'GuardDuty finding rejected: '],
  ])('names the detail type it refuses in %s', (path, label) => {
    // Prepare
    const event = { ...loadEvent(path), detail: { unexpected: true } };

    // Act
    const act = () => parseEvent(event);

    // Assess
    expect(act).toThrow(InvalidEventError);
    expect(act).toThrow(new RegExp(`^${label}`));
  });
});

describe('isFindingTypeIn', () => {
  const dotted: FindingTypeSet = { exact: [], wildcard: ['Trojan:EC2/DNSDataExfiltration.*'] };

  it.each([
    // EventBridge's wildcard `*` is the only special character: a dot in a finding type is a dot.
    ['Trojan:EC2/DNSDataExfiltration.B', true],
    ['Trojan:EC2/DNSDataExfiltrationXB', false],
  ])('matches %s against a wildcard with a literal dot: %s', (type, matches) => {
    expect(isFindingTypeIn(dotted, type)).toBe(matches);
  });

  it.each([
    ['Policy:S3/BucketPublicAccessGranted', true],
    ['Policy:S3/BucketPublicAccessGranted.Extra', false],
    ['Policy:S3/BucketBlockPublicAccessDisabled', true],
  ])('matches %s exactly against the public-bucket findings: %s', (type, matches) => {
    expect(isFindingTypeIn(PUBLIC_BUCKET_FINDINGS, type)).toBe(matches);
  });
});
