import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../functions/core/config.js';
import { parseEvent } from '../../functions/core/events/details.js';
import { selectNotification } from '../../functions/notify/select.js';
import { loadNotifySettings } from '../../functions/notify/settings.js';
import { loadEvent } from '../support/events.js';

const config = loadConfig({});
const settings = loadNotifySettings({});
const select = (event: unknown) => selectNotification(parseEvent(event), config, settings);
const withChange = (path: string, change: (e: any) => void) => {
  const event = loadEvent(path);
  change(event);
  return event;
};

describe('selectNotification', () => {
  it.each([
    [
      'cloudwatch/alarm-state-change-sagemaker-model-latency.json',
      {
        type: 'AWS::SageMaker::Endpoint',
        id: 'fraud-detector-prod',
        arn: 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/fraud-detector-prod',
      },
    ],
    [
      'cloudwatch/alarm-state-change-sagemaker-5xx-rate-metric-math.json',
      {
        type: 'AWS::SageMaker::Endpoint',
        id: 'fraud-detector-prod',
        arn: 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/fraud-detector-prod',
      },
    ],
    [
      'cloudwatch/alarm-state-change-sagemaker-model-latency-anomaly-detection.json',
      {
        type: 'AWS::SageMaker::Endpoint',
        id: 'fraud-detector-prod',
        arn: 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/fraud-detector-prod',
      },
    ],
    [
      'cloudwatch/alarm-state-change-sagemaker-overhead-latency-alarm-to-ok.json',
      { type: 'AWS::SageMaker::Endpoint', id: 'fraud-detector-prod' },
    ],
    [
      'cloudwatch/alarm-state-change-sagemaker-composite.json',
      {
        type: 'AWS::CloudWatch::Alarm',
        id: 'ml-serving-fraud-detector-degraded',
        arn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:ml-serving-fraud-detector-degraded',
      },
    ],
    [
      'cloudwatch/alarm-state-change-sagemaker-model-monitor-drift.json',
      {
        type: 'AWS::SageMaker::Endpoint',
        id: 'sagemaker-taxi-fare-prod',
        arn: 'arn:aws:sagemaker:eu-west-1:123456789012:endpoint/sagemaker-taxi-fare-prod',
      },
    ],
    [
      'cloudwatch/alarm-state-change-sagemaker-model-monitor-drift-placeholders.json',
      { type: 'AWS::SageMaker::Endpoint', id: 'sagemaker-<<project_name>>-prod' },
    ],
    [
      'guardduty/unauthorizedaccess-s3-toripcaller-below-threshold.json',
      { type: 'AWS::S3::Bucket', id: 'ml-training-data-123456789012', arn: 'arn:aws:s3:::ml-training-data-123456789012' },
    ],
    ['guardduty/pentest-s3-parrotlinux.json', { type: 'AWS::S3::Bucket', id: 'bucketName', arn: 'arn:aws:s3:::bucketName' }],
    ['guardduty/backdoor-ec2-ccactivity-dns-sample.json', { type: 'AWS::EC2::Instance', id: 'i-99999999' }],
    ['guardduty/recon-iamuser-maliciousipcaller-custom-sample.json', { type: 'AWS::EC2::Instance', id: 'i-99999999' }],
    [
      'config/sagemaker-notebook-no-direct-internet-access-noncompliant.json',
      { type: 'AWS::SageMaker::NotebookInstance', id: 'fraud-research-notebook' },
    ],
    [
      'config/securityhub-sagemaker-notebook-instance-root-access-check-noncompliant.json',
      { type: 'AWS::SageMaker::NotebookInstance', id: 'fraud-research-notebook' },
    ],
    [
      'config/sagemaker-endpoint-configuration-kms-key-configured-conformance-pack-noncompliant.json',
      { type: 'AWS::SageMaker::EndpointConfig', id: 'fraud-detector-prod-config' },
    ],
  ])('notifies about %s', (path, target) => {
    // Act
    const selection = select(loadEvent(path));

    // Assess
    expect(selection).toMatchObject({ action: 'notify', targets: [target] });
  });

  it.each([
    [
      'cloudwatch/alarm-state-change-single-metric-ec2-cpu.json',
      'alarm ServerCpuTooHigh watches no SageMaker endpoint or Model Monitor metric and its name does not start with ml-serving-',
    ],
    [
      'cloudwatch/alarm-state-change-metric-math.json',
      'alarm TotalNetworkTrafficTooHigh watches no SageMaker endpoint or Model Monitor metric and its name does not start with ml-serving-',
    ],
    [
      'cloudwatch/alarm-state-change-composite-with-suppressor.json',
      'alarm ServiceAggregatedAlarm watches no SageMaker endpoint or Model Monitor metric and its name does not start with ml-serving-',
    ],
    [
      'cloudwatch/alarm-state-change-insufficient-data-to-ok-ec2-asg-cpu.json',
      'alarm test-service-alarm-abcd went INSUFFICIENT_DATA -> OK: only entering ALARM and returning to OK are notified',
    ],
    [
      'cloudwatch/stop-training-job-alarm-single-metric.json',
      'alarm ml-guard-training-cpu-high watches no SageMaker endpoint or Model Monitor metric and its name does not start with ml-serving-',
    ],
    [
      'guardduty/policy-s3-bucketblockpublicaccessdisabled.json',
      'GuardDuty finding type Policy:S3/BucketBlockPublicAccessDisabled is handled by a remediation function, not by notify',
    ],
    [
      'guardduty/unauthorizedaccess-iamuser-toripcaller-sample.json',
      'GuardDuty finding type UnauthorizedAccess:IAMUser/TorIPCaller is handled by a remediation function, not by notify',
    ],
    [
      'config/sagemaker-notebook-no-direct-internet-access-compliant.json',
      'AWS::SageMaker::NotebookInstance fraud-research-notebook is COMPLIANT, not NON_COMPLIANT',
    ],
    [
      'config/s3-bucket-public-read-prohibited-noncompliant.json',
      'Config rule s3-bucket-public-read-prohibited is not one that notify reports',
    ],
  ])('ignores %s with a reason', (path, reason) => {
    // Act
    const selection = select(loadEvent(path));

    // Assess
    expect(selection).toEqual({ action: 'ignore', reason });
  });

  it.each([
    ['Policy:IAMUser/RootCredentialUsage', 9],
    ['Policy:IAMUser/RootCredentialUsage', 2],
    ['UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS', 8],
    ['Impact:IAMUser/AnomalousBehavior', 8],
    ['PenTest:IAMUser/KaliLinux', 5],
    ['Policy:S3/BucketPublicAccessGranted', 8],
  ])('leaves the remediated finding type %s at severity %s to its remediation', (type, severity) => {
    // Act
    const selection = select(
      withChange('guardduty/exfiltration-s3-anomalousbehavior.json', (e) => Object.assign(e.detail, { type, severity })),
    );

    // Assess
    expect(selection.action).toBe('ignore');
  });

  it.each([
    [3.9, 'ignore'],
    [4, 'notify'],
    [8.9, 'notify'],
  ])('compares a finding of severity %s with the threshold 4: %s', (severity, action) => {
    // Act
    const selection = select(withChange('guardduty/backdoor-ec2-ccactivity-dns-sample.json', (e) => (e.detail.severity = severity)));

    // Assess
    expect(selection.action).toBe(action);
  });

  it('keys flood control on the finding and remembers its severity, so a rise notifies at once', () => {
    // Act
    const selection = select(loadEvent('guardduty/unauthorizedaccess-s3-toripcaller-below-threshold.json'));

    // Assess
    expect(selection).toMatchObject({
      flood: { key: 'guardduty#123456789012#eu-west-2#9af6b7c8d9e0f1a2b3c4d5e6f7a8b9c5', level: 5, state: 'severity 5' },
    });
  });

  it('keys flood control on the alarm, not on its state, so a flapping alarm notifies once per window, and ranks ALARM above OK', () => {
    // Act
    const alarm = select(loadEvent('cloudwatch/alarm-state-change-sagemaker-model-latency.json'));
    const back = select(
      withChange('cloudwatch/alarm-state-change-sagemaker-model-latency.json', (e) => {
        e.detail.previousState.value = 'ALARM';
        e.detail.state.value = 'OK';
      }),
    );

    // Assess
    expect(alarm).toMatchObject({
      flood: { key: 'cloudwatch#123456789012#us-east-1#fraud-detector-model-latency', level: 1, state: 'ALARM' },
    });
    expect(back).toMatchObject({ flood: { key: 'cloudwatch#123456789012#us-east-1#fraud-detector-model-latency', level: 0, state: 'OK' } });
  });

  it('notifies any alarm named with the prefix, whatever it watches', () => {
    // Act
    const selection = select(
      withChange('cloudwatch/alarm-state-change-single-metric-ec2-cpu.json', (e) => (e.detail.alarmName = 'ml-serving-gpu-host-cpu')),
    );

    // Assess
    expect(selection.action).toBe('notify');
  });

  it('ignores an AWS/SageMaker alarm that names no endpoint', () => {
    // Act
    const selection = select(
      withChange('cloudwatch/alarm-state-change-sagemaker-model-latency.json', (e) => {
        e.detail.configuration.metrics[0].metricStat.metric.dimensions = { TrainingJobName: 'fraud-2026' };
      }),
    );

    // Assess
    expect(selection.action).toBe('ignore');
  });

  it.each(['INSUFFICIENT_DATA', 'OK'])('ignores an alarm going from %s to OK', (previous) => {
    // Act
    const selection = select(
      withChange('cloudwatch/alarm-state-change-sagemaker-model-latency.json', (e) => {
        e.detail.previousState.value = previous;
        e.detail.state.value = 'OK';
      }),
    );

    // Assess
    expect(selection.action).toBe('ignore');
  });

  it('uses the alarm name prefix it is given', () => {
    // Prepare
    const event = parseEvent(loadEvent('cloudwatch/alarm-state-change-sagemaker-composite.json'));

    // Act
    const other = selectNotification(event, config, loadNotifySettings({ NOTIFY_ALARM_NAME_PREFIX: 'serving-' }));

    // Assess
    expect(other.action).toBe('ignore');
  });
});
