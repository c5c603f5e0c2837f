import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../functions/core/config.js';
import { ConfigError, InvalidEventError } from '../../functions/core/errors.js';
import { parseEvent } from '../../functions/core/events/details.js';
import { isSameRole, protectedEntryFor, roleRef } from '../../functions/stop-compromised-training-job/roles.js';
import { loadSettings } from '../../functions/stop-compromised-training-job/settings.js';
import { selectTargets } from '../../functions/stop-compromised-training-job/targets.js';
import { loadEvent } from '../support/events.js';

const select = (event: unknown, env: Record<string, string> = {}) => selectTargets(parseEvent(event), loadConfig(env));

describe('selectTargets on GuardDuty findings', () => {
  it.each([
    [
      'guardduty/stop-training-job-instancecredentialexfiltration-outsideaws.json',
      '883606788610',
      'guardduty:b81d7e3c4a5f46e2a9d0c1b2e3f4a5d1',
    ],
    ['guardduty/stop-training-job-credentialaccess-anomalousbehavior.json', '883606788610', 'guardduty:b81d7e3c4a5f46e2a9d0c1b2e3f4a5d3'],
    ['guardduty/stop-training-job-maliciousipcaller-custom.json', '123456789012', 'guardduty:b81d7e3c4a5f46e2a9d0c1b2e3f4a5d4'],
    ['guardduty/stop-training-job-toripcaller-sample.json', '883606788610', 'guardduty:b81d7e3c4a5f46e2a9d0c1b2e3f4a5d2'],
  ])("names the role of %s, in the finding's account", (path, account, trigger) => {
    // Act
    const selection = select(loadEvent(path));

    // Assess
    expect(selection).toEqual({
      action: 'remediate',
      targets: [
        {
          kind: 'role',
          role: { name: 'SageMakerTrainingRole', account, partition: 'aws', arn: `arn:aws:iam::${account}:role/SageMakerTrainingRole` },
          account,
          region: 'us-east-1',
          partition: 'aws',
          trigger,
          notes: [],
        },
      ],
    });
  });

  it('declines a finding below SEVERITY_THRESHOLD, as the rule does', () => {
    // Prepare
    const event = loadEvent('guardduty/stop-training-job-credentialaccess-anomalousbehavior.json');
    event.detail.severity = 2;

    // Act
    const selection = select(event);

    // Assess
    expect(selection).toEqual({
      action: 'ignore',
      reason: 'GuardDuty finding b81d7e3c4a5f46e2a9d0c1b2e3f4a5d3 has severity 2, below SEVERITY_THRESHOLD 4',
    });
  });

  it('takes a finding at exactly the threshold', () => {
    // Prepare
    const event = loadEvent('guardduty/stop-training-job-credentialaccess-anomalousbehavior.json');
    event.detail.severity = 7;

    // Act
    const selection = select(event, { SEVERITY_THRESHOLD: '7' });

    // Assess
    expect(selection.action).toBe('remediate');
  });

  it.each([
    [
      'an IAM user',
      (d: any) => (d.resource.accessKeyDetails.userType = 'IAMUser'),
      'the principal of GuardDuty finding b81d7e3c4a5f46e2a9d0c1b2e3f4a5d1 has userType IAMUser, not AssumedRole',
    ],
    [
      'no access key',
      (d: any) => (d.resource.resourceType = 'Instance'),
      'GuardDuty finding b81d7e3c4a5f46e2a9d0c1b2e3f4a5d1 is about resource type Instance, not AccessKey',
    ],
    [
      'another finding type',
      (d: any) => (d.type = 'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B'),
      'GuardDuty finding type UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B is not one that stop-compromised-training-job handles',
    ],
    [
      'no role name',
      (d: any) => delete d.resource.accessKeyDetails.userName,
      'GuardDuty finding b81d7e3c4a5f46e2a9d0c1b2e3f4a5d1 names no valid role (accessKeyDetails.userName: null)',
    ],
    [
      'a role name IAM would refuse',
      (d: any) => (d.resource.accessKeyDetails.userName = 'role/with/slashes'),
      'GuardDuty finding b81d7e3c4a5f46e2a9d0c1b2e3f4a5d1 names no valid role (accessKeyDetails.userName: "role/with/slashes")',
    ],
  ])('declines a finding about %s', (_case, change, reason) => {
    // Prepare
    const event = loadEvent('guardduty/stop-training-job-instancecredentialexfiltration-outsideaws.json');
    change(event.detail);

    // Act
    const selection = select(event);

    // Assess
    expect(selection).toEqual({ action: 'ignore', reason });
  });

  it('leaves a finding about another account than the one it was delivered in to the flow, which decides whether to act there', () => {
    // Prepare
    const event = loadEvent('guardduty/stop-training-job-instancecredentialexfiltration-outsideaws.json');
    event.account = '111122223333';

    // Act
    const selection = select(event);

    // Assess
    if (selection.action !== 'remediate') throw new Error('expected a target');
    expect(selection.targets[0]).toMatchObject({ account: '883606788610', region: 'us-east-1', notes: [] });
  });

  it.each([
    'SageMakerTrainingRole',
    'sagemakertrainingrole',
    'arn:aws:iam::883606788610:role/service-role/SageMakerTrainingRole',
    'arn:aws:sts::883606788610:assumed-role/SageMakerTrainingRole/SageMaker',
  ])('marks the role protected by the PROTECTED_PRINCIPALS entry %s', (entry) => {
    // Act
    const selection = select(loadEvent('guardduty/stop-training-job-instancecredentialexfiltration-outsideaws.json'), {
      PROTECTED_PRINCIPALS: `other,${entry}`,
    });

    // Assess
    if (selection.action !== 'remediate') throw new Error('expected a target');
    expect(selection.targets[0]).toMatchObject({ protectedBy: entry });
  });

  it.each([
    'arn:aws:iam::111122223333:role/SageMakerTrainingRole',
    'arn:aws:iam::883606788610:user/SageMakerTrainingRole',
    'SageMakerTrainingRole2',
  ])('does not take %s for the role', (entry) => {
    // Act
    const selection = select(loadEvent('guardduty/stop-training-job-instancecredentialexfiltration-outsideaws.json'), {
      PROTECTED_PRINCIPALS: entry,
    });

    // Assess
    if (selection.action !== 'remediate') throw new Error('expected a target');
    expect(selection.targets[0]).not.toHaveProperty('protectedBy');
  });
});

describe('selectTargets on CloudWatch alarms', () => {
  it('names the training job of a single-metric alarm on its Host dimension', () => {
    // Act
    const selection = select(loadEvent('cloudwatch/stop-training-job-alarm-single-metric.json'));

    // Assess
    expect(selection).toEqual({
      action: 'remediate',
      targets: [
        {
          kind: 'alarm',
          alarmName: 'ml-guard-training-cpu-high',
          alarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:ml-guard-training-cpu-high',
          jobNames: ['fraud-detector-2026-11-26-01-00'],
          account: '123456789012',
          region: 'us-east-1',
          partition: 'aws',
          trigger: 'cloudwatch:ml-guard-training-cpu-high',
          notes: [],
        },
      ],
    });
  });

  it('names each training job of a metric-math alarm once, whatever the number of its hosts', () => {
    // Prepare
    const event = loadEvent('cloudwatch/stop-training-job-alarm-metric-math.json');
    const third = structuredClone(event.detail.configuration.metrics[1]);
    third.id = 'm3';
    third.metricStat.metric = { namespace: 'MyTeam/Training', name: 'Loss', dimensions: { TrainingJobName: 'churn-model-7' } };
    event.detail.configuration.metrics.push(third);

    // Act
    const selection = select(event);

    // Assess
    if (selection.action !== 'remediate') throw new Error('expected a target');
    expect(selection.targets[0]).toMatchObject({ kind: 'alarm', jobNames: ['fraud-detector-2026-11-26-01-00', 'churn-model-7'] });
  });

  it('only notifies about a composite alarm, which names no metric', () => {
    // Act
    const selection = select(loadEvent('cloudwatch/stop-training-job-alarm-composite.json'));

    // Assess
    expect(selection).toEqual({
      action: 'notify',
      reason:
        'composite alarm ml-guard-training-composite names no metric, so no training job: nothing was stopped; look at the alarms its rule combines: ALARM(ml-guard-training-cpu-high) OR ALARM(ml-guard-training-total-cpu)',
      targets: [
        {
          type: 'AWS::CloudWatch::Alarm',
          id: 'ml-guard-training-composite',
          arn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:ml-guard-training-composite',
        },
      ],
    });
  });

  it.each([
    [
      'its name lacks the prefix',
      (e: any) => (e.detail.alarmName = 'training-cpu-high'),
      'alarm training-cpu-high does not start with ALARM_NAME_PREFIX "ml-guard-"',
    ],
    ['it went back to OK', (e: any) => (e.detail.state.value = 'OK'), 'alarm ml-guard-training-cpu-high changed to OK, not ALARM'],
    [
      "its metric is not a training job's",
      (e: any) =>
        (e.detail.configuration.metrics[0].metricStat.metric = {
          namespace: 'AWS/EC2',
          name: 'CPUUtilization',
          dimensions: { InstanceId: 'i-1' },
        }),
      'alarm ml-guard-training-cpu-high: its metrics name no training job',
    ],
    [
      'its Host dimension is not a training host',
      (e: any) => (e.detail.configuration.metrics[0].metricStat.metric.dimensions.Host = 'fraud-detector-2026-11-26-01-00'),
      'alarm ml-guard-training-cpu-high: its metrics name no training job',
    ],
    [
      'its training job is in another account',
      (e: any) => (e.detail.configuration.metrics[0].accountId = '444455556666'),
      'alarm ml-guard-training-cpu-high: its training-job metrics belong to other accounts (444455556666)',
    ],
  ])('declines an alarm when %s', (_case, change, reason) => {
    // Prepare
    const event = loadEvent('cloudwatch/stop-training-job-alarm-single-metric.json');
    change(event);

    // Act
    const selection = select(event);

    // Assess
    expect(selection).toEqual({ action: 'ignore', reason });
  });

  it('uses the prefix set in ALARM_NAME_PREFIX', () => {
    // Prepare
    const event = loadEvent('cloudwatch/stop-training-job-alarm-single-metric.json');
    event.detail.alarmName = 'sec-train-cpu';

    // Act
    const selection = select(event, { ALARM_NAME_PREFIX: 'sec-' });

    // Assess
    expect(selection.action).toBe('remediate');
  });

  it('declines AWS Config events', () => {
    // Act
    const selection = select(loadEvent('config/s3-bucket-public-read-prohibited-noncompliant.json'));

    // Assess
    expect(selection).toEqual({ action: 'ignore', reason: 'AWS Config events are not handled by stop-compromised-training-job' });
  });
});

describe('role matching', () => {
  const role = roleRef('SageMakerTrainingRole', '883606788610', 'aws');

  it.each([
    'arn:aws:iam::883606788610:role/SageMakerTrainingRole',
    'arn:aws:iam::883606788610:role/service-role/team/SageMakerTrainingRole',
    'arn:aws:iam::883606788610:role/SAGEMAKERTRAININGROLE',
  ])('takes %s for the role (same account, same name, any path)', (arn) => {
    expect(isSameRole(arn, role)).toBe(true);
  });

  it.each([
    'arn:aws:iam::111122223333:role/SageMakerTrainingRole',
    'arn:aws:iam::883606788610:role/SageMakerTrainingRole-2',
    'arn:aws:iam::883606788610:role/SageMakerTrainingRole/extra',
    'arn:aws:iam::883606788610:user/SageMakerTrainingRole',
    'SageMakerTrainingRole',
    undefined,
  ])('does not take %s for the role', (arn) => {
    expect(isSameRole(arn, role)).toBe(false);
  });

  it('finds no protected entry in an empty list', () => {
    expect(protectedEntryFor(role, [])).toBeUndefined();
  });
});

describe('loadSettings', () => {
  it('defaults to the ml-guard- prefix and 25 jobs an event', () => {
    expect(loadSettings({})).toEqual({ alarmNamePrefix: 'ml-guard-', maxJobsPerEvent: 25 });
  });

  it('reads both settings, treating an empty one as unset', () => {
    expect(loadSettings({ ALARM_NAME_PREFIX: 'sec-', MAX_JOBS_PER_EVENT: '3' })).toEqual({ alarmNamePrefix: 'sec-', maxJobsPerEvent: 3 });
    expect(loadSettings({ ALARM_NAME_PREFIX: '', MAX_JOBS_PER_EVENT: '' })).toEqual({ alarmNamePrefix: 'ml-guard-', maxJobsPerEvent: 25 });
  });

  it.each([
    [{ MAX_JOBS_PER_EVENT: '0' }, /MAX_JOBS_PER_EVENT: expected a whole number from 1 to 9999/],
    [{ MAX_JOBS_PER_EVENT: 'ten' }, /MAX_JOBS_PER_EVENT: expected a whole number from 1 to 9999/],
    [{ MAX_JOBS_PER_EVENT: '2.5' }, /MAX_JOBS_PER_EVENT: expected a whole number from 1 to 9999/],
    [{ ALARM_NAME_PREFIX: 'x'.repeat(256) }, /ALARM_NAME_PREFIX: too big \(maximum 255\)/],
  ])('stops at cold start with a clear error for %j', (env, message) => {
    expect(() => loadSettings(env)).toThrow(ConfigError);
    expect(() => loadSettings(env)).toThrow(message);
  });
});

describe('selectTargets at the event boundary', () => {
  it.each([
    'guardduty/stop-training-job-instancecredentialexfiltration-outsideaws.json',
    'cloudwatch/stop-training-job-alarm-metric-math.json',
  ])('returns a selection for any change to a field of %s, or the event is rejected as invalid', (path) => {
    // Prepare
    const sample = loadEvent(path);
    const paths = [
      ['detail'],
      ['detail', 'resource'],
      ['detail', 'resource', 'accessKeyDetails'],
      ['detail', 'configuration'],
      ['detail', 'state'],
    ];
    const mutated = fc.tuple(fc.constantFrom(...paths), fc.nat(), fc.anything()).map(([at, n, value]) => {
      const event = structuredClone(sample);
      const parent = at.reduce((o: any, k) => (o && typeof o === 'object' ? o[k] : undefined), event);
      const keys = parent && typeof parent === 'object' ? Object.keys(parent) : [];
      if (keys.length) parent[keys[n % keys.length] as string] = value;
      return event;
    });

    // Act / Assess
    fc.assert(
      fc.property(mutated, (raw) => {
        let parsed: ReturnType<typeof parseEvent>;
        try {
          parsed = parseEvent(raw);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidEventError);
          return;
        }
        expect(['remediate', 'notify', 'ignore']).toContain(selectTargets(parsed, loadConfig({})).action);
      }),
      { numRuns: 300 },
    );
  });
});
