import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../functions/core/config.js';
import type { AlarmMetric } from '../../functions/core/events/cloudwatch-alarm.js';
import { parseEvent } from '../../functions/core/events/details.js';
import { selectTargets, TRAINING_JOBS_NAMESPACE, trainingJobsOf } from '../../functions/stop-compromised-training-job/targets.js';
import { loadEvent } from '../support/events.js';

const FINDING = 'guardduty/stop-training-job-instancecredentialexfiltration-outsideaws.json';
const ALARM = 'cloudwatch/stop-training-job-alarm-single-metric.json';
const ACCOUNT = '123456789012';
const JOB = 'fraud-detector-2026-11-26-01-00';

const select = (event: unknown, env: Record<string, string> = {}) => selectTargets(parseEvent(event), loadConfig(env));

/** A metric of the alarm, as CloudWatch lists it in `configuration.metrics[]`. */
const metric = (namespace: string, dimensions: Record<string, string>, more: Record<string, unknown> = {}): AlarmMetric =>
  ({
    id: 'm1',
    metricStat: { metric: { namespace, name: 'CPUUtilization', dimensions }, period: 300, stat: 'Average' },
    ...more,
  }) as AlarmMetric;

describe('trainingJobsOf: which training jobs an alarm metric names', () => {
  it.each([
    // SageMaker publishes one Host per instance, `<job>/algo-<n>`, and n goes past 9 for jobs of ten or more instances.
    ['the job of a host numbered past 9', [metric(TRAINING_JOBS_NAMESPACE, { Host: `${JOB}/algo-12` })], [JOB], []],
    ['no job of a Host value with more after the instance number', [metric(TRAINING_JOBS_NAMESPACE, { Host: `${JOB}/algo-1x` })], [], []],
    ['no job of a Host value whose job part spans two lines', [metric(TRAINING_JOBS_NAMESPACE, { Host: `other\n${JOB}/algo-1` })], [], []],
    // Only /aws/sagemaker/TrainingJobs gives Host that meaning; elsewhere Host is any host (EC2, ECS, custom).
    ['no job of a Host dimension in another namespace', [metric('MyTeam/Training', { Host: `${JOB}/algo-1` })], [], []],
    [
      'the job of a TrainingJobName dimension in the training namespace, without Host',
      [metric(TRAINING_JOBS_NAMESPACE, { TrainingJobName: JOB })],
      [JOB],
      [],
    ],
    // SageMaker job names are 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit.
    ['no job of a name with an underscore', [metric('MyTeam/Training', { TrainingJobName: 'fraud_detector' })], [], []],
    ['no job of a name starting with a hyphen', [metric('MyTeam/Training', { TrainingJobName: '-fraud-detector' })], [], []],
    ['no job of a name of 64 characters', [metric('MyTeam/Training', { TrainingJobName: 'a'.repeat(64) })], [], []],
    ['the job of a name of 63 characters', [metric('MyTeam/Training', { TrainingJobName: 'a'.repeat(63) })], ['a'.repeat(63)], []],
    // Cross-account alarms set `accountId` on each metric; the alarm's own account may be set too.
    [
      "the job of a metric whose accountId is the alarm's own account",
      [metric(TRAINING_JOBS_NAMESPACE, { Host: `${JOB}/algo-1` }, { accountId: ACCOUNT })],
      [JOB],
      [],
    ],
    [
      'each other account once, in order, however many of its metrics the alarm uses',
      [
        metric(TRAINING_JOBS_NAMESPACE, { Host: 'job-a/algo-1' }, { accountId: '444455556666' }),
        metric(TRAINING_JOBS_NAMESPACE, { Host: 'job-b/algo-1' }, { accountId: '777788889999' }),
        metric(TRAINING_JOBS_NAMESPACE, { Host: 'job-c/algo-1' }, { accountId: '444455556666' }),
      ],
      [],
      ['444455556666', '777788889999'],
    ],
    [
      'no other account for a metric of another account that names no training job',
      [metric('AWS/EC2', { InstanceId: 'i-1' }, { accountId: '444455556666' })],
      [],
      [],
    ],
  ])('finds %s', (_case, metrics, jobNames, foreign) => {
    // Act
    const found = trainingJobsOf(metrics, ACCOUNT);

    // Assess
    expect(found).toEqual({ jobNames, foreign });
  });
});

describe('selectTargets decisions on GuardDuty findings', () => {
  it('declines a finding without accessKeyDetails, saying the principal has no userType', () => {
    // Prepare
    const event = loadEvent(FINDING);
    delete event.detail.resource.accessKeyDetails;

    // Act
    const selection = select(event);

    // Assess
    expect(selection).toEqual({
      action: 'ignore',
      reason: 'the principal of GuardDuty finding b81d7e3c4a5f46e2a9d0c1b2e3f4a5d1 has userType (none), not AssumedRole',
    });
  });

  it('takes the partition from the region when the finding has none (a role in China is arn:aws-cn:iam::...)', () => {
    // Prepare
    const event = loadEvent(FINDING);
    delete event.detail.partition;
    event.detail.region = 'cn-north-1';

    // Act
    const selection = select(event);

    // Assess
    if (selection.action !== 'remediate') throw new Error(`expected a target, got ${selection.action}`);
    expect(selection.targets[0]).toMatchObject({
      partition: 'aws-cn',
      region: 'cn-north-1',
      role: { name: 'SageMakerTrainingRole', partition: 'aws-cn', arn: 'arn:aws-cn:iam::883606788610:role/SageMakerTrainingRole' },
    });
  });
});

describe('selectTargets decisions on S3 exfiltration findings', () => {
  const S3_ROLE = 'guardduty/exfiltration-s3-maliciousipcaller-assumedrole.json';
  const S3_ROLE_ID = '9af6b7c8d9e0f1a2b3c4d5e6f7a8b9c2';
  const withDetail = (path: string, change: (d: any) => void) => {
    const event = loadEvent(path);
    change(event.detail);
    return event;
  };

  it.each<[string, (d: any) => void]>([
    // S3 data-event findings have the resource type S3Bucket, management-event ones AccessKey: both name the caller.
    ['of a data-event finding (S3Bucket)', () => {}],
    ['of a management-event finding (AccessKey)', (d) => (d.resource.resourceType = 'AccessKey')],
    [
      'at exactly S3_EXFILTRATION_SEVERITY_THRESHOLD (7 by default)',
      (d) => Object.assign(d, { type: 'Impact:S3/AnomalousBehavior.Write', severity: 7 }),
    ],
    ['of a Discovery:S3 finding', (d) => (d.type = 'Discovery:S3/AnomalousBehavior')],
  ])('takes the role that called S3 %s, noting what it read', (_, change) => {
    // Act
    const selection = select(withDetail(S3_ROLE, change));

    // Assess
    expect(selection).toMatchObject({
      action: 'remediate',
      targets: [
        {
          kind: 'role',
          role: { name: 'SageMakerTrainingRole', account: '883606788610', arn: 'arn:aws:iam::883606788610:role/SageMakerTrainingRole' },
          trigger: `guardduty:${S3_ROLE_ID}`,
          notes: [
            expect.stringMatching(
              /^the role's credentials were used for S3 exfiltration \(GuardDuty .+\): GetObject on S3 bucket ml-model-artifacts-883606788610 \(objects: ml-model-artifacts-883606788610\/fraud-detector\/model\.tar\.gz\)$/,
            ),
          ],
        },
      ],
    });
  });

  it.each<[string, string, (d: any) => void, Record<string, string>, string]>([
    [
      'a service-linked role, which runs no SageMaker job',
      'guardduty/impact-s3-anomalousbehavior-permission-servicelinkedrole.json',
      () => {},
      {},
      'the caller is the service-linked role AWSServiceRoleForAmazonSageMakerNotebooks, which only its AWS service can assume and IAM lets no one change: ml-guard never contains it; find in CloudTrail what made the service act (rotate-credentials notifies it)',
    ],
    [
      'an AWS service caller',
      'guardduty/exfiltration-s3-anomalousbehavior-awsservice.json',
      () => {},
      {},
      'the principal of GuardDuty finding 9af6b7c8d9e0f1a2b3c4d5e6f7a8b9c3 has userType AWSService, not AssumedRole',
    ],
    [
      'an IAM user caller',
      'guardduty/exfiltration-s3-anomalousbehavior-iamuser.json',
      () => {},
      {},
      'the principal of GuardDuty finding 9af6b7c8d9e0f1a2b3c4d5e6f7a8b9c1 has userType IAMUser, not AssumedRole',
    ],
    [
      'a finding just below S3_EXFILTRATION_SEVERITY_THRESHOLD',
      S3_ROLE,
      (d) => (d.severity = 6.9),
      {},
      `GuardDuty finding ${S3_ROLE_ID} has severity 6.9, below S3_EXFILTRATION_SEVERITY_THRESHOLD 7: it is only notified`,
    ],
    [
      'a finding when containment is turned off',
      S3_ROLE,
      () => {},
      { CONTAIN_S3_EXFILTRATION: 'false' },
      `GuardDuty finding ${S3_ROLE_ID}: containment of S3 exfiltration is turned off (CONTAIN_S3_EXFILTRATION is false): it is only notified`,
    ],
    [
      'a PenTest:S3 finding',
      S3_ROLE,
      (d) => (d.type = 'PenTest:S3/KaliLinux'),
      {},
      'GuardDuty finding type PenTest:S3/KaliLinux is not one that stop-compromised-training-job handles',
    ],
  ])('declines %s', (_, path, change, env, reason) => {
    // Act
    const selection = select(withDetail(path, change), env);

    // Assess
    expect(selection).toEqual({ action: 'ignore', reason });
  });
});

describe('selectTargets decisions on CloudWatch alarms', () => {
  const cloudwatchArn = (partition: string, region: string) =>
    `arn:${partition}:cloudwatch:${region}:${ACCOUNT}:alarm:ml-guard-training-cpu-high`;

  it.each([
    [
      'the alarm of the ARN in resources',
      ['arn:aws:events:us-east-1:123456789012:rule/other', cloudwatchArn('aws', 'us-east-1')],
      'us-east-1',
      cloudwatchArn('aws', 'us-east-1'),
      'aws',
    ],
    ["the region's partition when resources name no alarm", [], 'cn-north-1', undefined, 'aws-cn'],
    // The ARN's partition is the alarm's, also where the region alone does not say it (ISO regions).
    [
      'the partition of the alarm ARN',
      [cloudwatchArn('aws-iso', 'us-iso-east-1')],
      'us-iso-east-1',
      cloudwatchArn('aws-iso', 'us-iso-east-1'),
      'aws-iso',
    ],
    // An ARN starts with `arn:`; anything else names no partition.
    [
      "the region's partition when the resource is not an ARN",
      ['urn:arn:aws-iso:cloudwatch:alarm'],
      'us-east-1',
      'urn:arn:aws-iso:cloudwatch:alarm',
      'aws',
    ],
  ])('takes %s', (_case, resources, region, alarmArn, partition) => {
    // Prepare
    const event = loadEvent(ALARM);
    event.resources = resources;
    event.region = region;

    // Act
    const selection = select(event);

    // Assess
    if (selection.action !== 'remediate') throw new Error(`expected a target, got ${selection.action}`);
    expect(selection.targets).toEqual([
      {
        kind: 'alarm',
        alarmName: 'ml-guard-training-cpu-high',
        ...(alarmArn ? { alarmArn } : {}),
        jobNames: [JOB],
        account: ACCOUNT,
        region,
        partition,
        trigger: 'cloudwatch:ml-guard-training-cpu-high',
        notes: [],
      },
    ]);
  });

  it('declines an alarm event without its configuration: it names no training job', () => {
    // Prepare
    const event = loadEvent(ALARM);
    delete event.detail.configuration;

    // Act
    const selection = select(event);

    // Assess
    expect(selection).toEqual({ action: 'ignore', reason: 'alarm ml-guard-training-cpu-high: its metrics name no training job' });
  });

  it('names every other account when all the training-job metrics belong to them', () => {
    // Prepare
    const event = loadEvent(ALARM);
    event.detail.configuration.metrics = [
      metric(TRAINING_JOBS_NAMESPACE, { Host: 'job-a/algo-1' }, { accountId: '444455556666' }),
      metric(TRAINING_JOBS_NAMESPACE, { Host: 'job-b/algo-1' }, { accountId: '777788889999' }),
    ];

    // Act
    const selection = select(event);

    // Assess
    expect(selection).toEqual({
      action: 'ignore',
      reason: 'alarm ml-guard-training-cpu-high: its training-job metrics belong to other accounts (444455556666, 777788889999)',
    });
  });

  it("stops the jobs of the alarm's account and notes the other accounts it left out", () => {
    // Prepare
    const event = loadEvent(ALARM);
    event.detail.configuration.metrics.push(
      metric(TRAINING_JOBS_NAMESPACE, { Host: 'job-b/algo-1' }, { accountId: '444455556666' }),
      metric(TRAINING_JOBS_NAMESPACE, { Host: 'job-c/algo-1' }, { accountId: '777788889999' }),
    );

    // Act
    const selection = select(event);

    // Assess
    if (selection.action !== 'remediate') throw new Error(`expected a target, got ${selection.action}`);
    expect(selection.targets[0]).toMatchObject({
      jobNames: [JOB],
      notes: ["metrics of other accounts (444455556666, 777788889999) were left out: ml-guard stops jobs only in the alarm's account"],
    });
  });
});
