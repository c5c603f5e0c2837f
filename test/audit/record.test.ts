import { describe, expect, it } from 'vitest';
import { type AuditInput, type AuditTarget, auditKey, buildAuditRecord, timeToContain } from '../../functions/core/audit/record.js';
import { parseEvent } from '../../functions/core/events/details.js';
import type { JournaledStep } from '../../functions/core/journal/journal.js';
import type { EventResult } from '../../functions/core/remediation/result.js';
import type { StepResult, TargetResult } from '../../functions/core/remediation/types.js';
import { loadEvent } from '../support/events.js';

const NOW = new Date('2026-11-29T08:00:00.000Z');
const GD_EVENT = 'guardduty/policy-s3-bucketblockpublicaccessdisabled.json';
const BUCKET = 'test-gd-324237984731208478901374';
const PRIOR = 's3://ml-guard-forensics-123456789012/quarantine/b/2026-11-29T07:59:00.000Z/prior-state.json';

const step = (kind: string, outcome: StepResult['outcome'], extra: Partial<StepResult> = {}): StepResult => ({
  kind,
  summary: kind === 'savePriorState' ? `Save the prior state to ${PRIOR}` : `do ${kind}`,
  outcome,
  ...extra,
});

const journaled = (kind: string, attempt: number, finishedAt?: string): JournaledStep => ({
  id: kind,
  kind,
  summary: kind === 'savePriorState' ? `Save the prior state to ${PRIOR}` : `do ${kind}`,
  state: 'done',
  attempt,
  startedAt: '2026-11-29T07:59:00.000Z',
  ...(finishedAt ? { finishedAt } : {}),
});

function resultOf(status: EventResult['status'], steps: StepResult[], extra: Partial<EventResult> = {}): EventResult {
  const target: TargetResult = { target: { type: 'AWS::S3::Bucket', id: BUCKET }, status: status as TargetResult['status'], steps };
  return {
    status,
    reason: 'why',
    function: 'quarantine-public-bucket',
    mode: 'enforce',
    eventId: '29cc9880-571c-ca45-f9d4-6f8592ecc0fe',
    findingId: 'a6bfa2f07893be4f3c3174d5af7e2f80',
    source: 'guardduty',
    targets: [target],
    journal: { location: 'memory', key: 'k', attempt: 2 },
    ...extra,
  };
}

function build(path: string, result: EventResult, steps: readonly JournaledStep[] = []) {
  const input: AuditInput = { event: parseEvent(loadEvent(path)), result, journaled: () => steps, now: NOW };
  return buildAuditRecord(input);
}

describe('the audit record of a closed event', () => {
  it('names the event, its actor, the function, mode, outcome, notification, journal and the controls', () => {
    const record = build(
      GD_EVENT,
      resultOf('remediated', [step('blockPublicAccess', 'done', { undo: 'aws s3api delete-public-access-block --bucket b' })], {
        notification: { subject: 'ml-guard REMEDIATED: b', published: true, messageId: 'msg-1' },
      }),
      [journaled('blockPublicAccess', 2, '2026-11-29T07:59:30.000Z')],
    );

    expect(record).toMatchObject({
      record_version: 1,
      recorded_at: NOW.toISOString(),
      function: 'quarantine-public-bucket',
      mode: 'enforce',
      status: 'remediated',
      event: {
        id: '29cc9880-571c-ca45-f9d4-6f8592ecc0fe',
        source: 'guardduty',
        detail_type: 'GuardDuty Finding',
        kind: 'guardduty:Policy:S3/BucketBlockPublicAccessDisabled',
        type: 'Policy:S3/BucketBlockPublicAccessDisabled',
        finding_id: 'a6bfa2f07893be4f3c3174d5af7e2f80',
        account: '123456789012',
        region: 'eu-west-2',
        time: '2022-03-01T14:30:00Z',
        severity: 2,
        first_seen: '2022-03-01T14:20:48.000Z',
        last_seen: '2022-03-01T14:20:49.000Z',
        sample: false,
      },
      actor: {
        principal: 'RoleSandboxAccess',
        user_type: 'AssumedRole',
        access_key_id: 'ASIAUN7WV6J25JBV2AW4',
        source_ip: '111.111.111.111',
        api: 'PutBucketPublicAccessBlock',
      },
      notification: { subject: 'ml-guard REMEDIATED: b', published: true, message_id: 'msg-1' },
      journal: { location: 'memory', key: 'k', attempt: 2 },
    });
    expect(record.targets[0]?.steps[0]).toMatchObject({
      kind: 'blockPublicAccess',
      outcome: 'done',
      undo: 'aws s3api delete-public-access-block --bucket b',
      at: '2026-11-29T07:59:30.000Z',
      attempt: 2,
    });
    expect(record.targets[0]?.steps[0]?.controls).toContainEqual({ framework: 'NIST SP 800-53 Rev. 5', id: 'AC-3' });
    expect(record.controls.length).toBeGreaterThan(0);
    expect(record.controls.every((c) => c.framework && c.id && c.title)).toBe(true);
  });

  it.each([
    // event file, actor expected
    ['guardduty/unauthorizedaccess-iamuser-toripcaller.json', true],
    ['config/s3-bucket-public-read-prohibited-noncompliant.json', false],
    ['cloudwatch/alarm-state-change-sagemaker-model-latency.json', false],
  ])('names an actor for %s only when the event names one: %s', (path, hasActor) => {
    const record = build(path, resultOf('notified', []));
    expect(record.actor !== undefined).toBe(hasActor);
  });

  it.each([
    // where the finding puts the user agent
    [{ action: { awsApiCallAction: { api: 'GetObject', userAgent: 'aws-cli/2.15.0' } } }, 'aws-cli/2.15.0'],
    [{ additionalInfo: { userAgent: { fullUserAgent: 'Boto3/1.34', userAgentCategory: 'Boto3' } } }, 'Boto3/1.34'],
    [{ additionalInfo: { userAgent: 42 } }, undefined],
  ])("names the caller's user agent from %j", (service, expected) => {
    const event = loadEvent(GD_EVENT);
    Object.assign(event.detail.service, service);
    const record = buildAuditRecord({ event: parseEvent(event), result: resultOf('planned', []), now: NOW });
    expect(record.actor?.user_agent).toBe(expected);
  });

  it.each([
    // step outcome, saved location expected
    ['done', PRIOR],
    ['already-done', PRIOR],
    ['failed', undefined],
    ['would-do', undefined],
    ['not-run', undefined],
  ] as const)("points to the prior state when its save's outcome is %s", (outcome, location) => {
    const record = build(GD_EVENT, resultOf('remediated', [step('savePriorState', outcome)]));
    expect(record.targets[0]?.prior_state).toBe(location);
  });

  it.each([
    // outcome, journaled (attempt, finishedAt), earlierAttempt of the result, expected at / attempt
    ['done', [1, '2026-11-29T07:59:10.000Z'], 1, '2026-11-29T07:59:10.000Z', 1],
    ['done', [2, undefined], undefined, '2026-11-29T07:59:00.000Z', 2],
    ['would-do', [2, '2026-11-29T07:59:10.000Z'], undefined, undefined, undefined],
    ['not-run', [2, '2026-11-29T07:59:10.000Z'], undefined, undefined, undefined],
  ] as const)('times a step %s from the journal (%j, earlier attempt %s)', (outcome, [attempt, finishedAt], earlierAttempt, at, ran) => {
    const record = build(GD_EVENT, resultOf('remediated', [step('blockPublicAccess', outcome, earlierAttempt ? { earlierAttempt } : {})]), [
      journaled('blockPublicAccess', attempt, finishedAt),
    ]);
    expect(record.targets[0]?.steps[0]?.at).toBe(at);
    expect(record.targets[0]?.steps[0]?.attempt).toBe(ran);
  });

  it('records a dry-run as such, with its planned steps and no time to contain', () => {
    const record = build(GD_EVENT, resultOf('planned', [step('blockPublicAccess', 'would-do')], { mode: 'dry-run' }));
    expect(record).toMatchObject({ mode: 'dry-run', status: 'planned' });
    expect(record.time_to_contain_seconds).toBeUndefined();
  });

  it('carries no control for an event the compliance mapping does not know (a custom Config rule)', () => {
    const event = loadEvent('config/s3-bucket-public-read-prohibited-noncompliant.json');
    event.detail.configRuleName = 'my-own-rule';
    const record = buildAuditRecord({ event: parseEvent(event), result: resultOf('notified', []), now: NOW });
    expect(record.event.kind).toBeUndefined();
    expect(record.controls).toEqual([]);
  });
});

describe('time to contain', () => {
  const target = (steps: [string, string | undefined][]): AuditTarget => ({
    type: 't',
    id: 'i',
    status: 'remediated',
    steps: steps.map(([outcome, at]) => ({ kind: 'k', summary: 's', outcome, ...(at ? { at } : {}), controls: [] })),
  });

  it.each([
    // first seen, steps (outcome, at), seconds
    ['2026-11-29T07:00:00Z', [['done', '2026-11-29T07:01:30Z']], 90],
    [
      '2026-11-29T07:00:00Z',
      [
        ['done', '2026-11-29T07:01:30Z'],
        ['done', '2026-11-29T07:02:00Z'],
      ],
      120,
    ],
    [
      '2026-11-29T07:00:00Z',
      [
        ['already-done', '2026-11-29T07:05:00Z'],
        ['done', '2026-11-29T07:01:00Z'],
      ],
      60,
    ],
    ['2026-11-29T07:00:00Z', [['already-done', '2026-11-29T07:05:00Z']], undefined],
    ['2026-11-29T07:00:00Z', [['done', undefined]], undefined],
    [undefined, [['done', '2026-11-29T07:01:30Z']], undefined],
    ['2026-11-29T08:00:00Z', [['done', '2026-11-29T07:59:00Z']], 0],
  ] as [string | undefined, [string, string | undefined][], number | undefined][])(
    'from %s to the last step done of %j is %s s',
    (firstSeen, steps, seconds) => {
      expect(timeToContain(firstSeen, [target(steps)])).toBe(seconds);
    },
  );

  it('is given for a remediated event only', () => {
    const steps = [step('blockPublicAccess', 'done')];
    const times = [journaled('blockPublicAccess', 2, '2022-03-01T14:30:48.000Z')];
    expect(build(GD_EVENT, resultOf('remediated', steps), times).time_to_contain_seconds).toBe(600);
    expect(build(GD_EVENT, resultOf('partial', steps), times).time_to_contain_seconds).toBeUndefined();
  });
});

describe('the audit key', () => {
  const key = (time: string, id = 'e-1', fn = 'notify') => auditKey({ function: fn, event: { time, id } as never });

  it.each([
    ['2026-11-29T23:59:59Z', 'audit/year=2026/month=11/day=29/notify_e-1.json'],
    ['2026-01-02T00:00:00.000Z', 'audit/year=2026/month=01/day=02/notify_e-1.json'],
    ['2026-03-01T01:00:00+02:00', 'audit/year=2026/month=02/day=28/notify_e-1.json'],
    ['not a time', 'audit/year=1970/month=01/day=01/notify_e-1.json'],
  ])("is partitioned by the event's own time %s (UTC), whenever it closes", (time, expected) => {
    expect(key(time)).toBe(expected);
  });

  it('percent-encodes the event id, and shortens a long one with a hash of the whole', () => {
    expect(key('2026-11-29T00:00:00Z', 'a/b c')).toBe('audit/year=2026/month=11/day=29/notify_a%2Fb%20c.json');
    const long = key('2026-11-29T00:00:00Z', 'x'.repeat(500));
    const other = key('2026-11-29T00:00:00Z', `${'x'.repeat(499)}y`);
    expect(long.length).toBeLessThan(300);
    expect(long).not.toBe(other);
  });
});
