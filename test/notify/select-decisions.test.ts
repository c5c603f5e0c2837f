import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../functions/core/config.js';
import { parseEvent } from '../../functions/core/events/details.js';
import { selectNotification } from '../../functions/notify/select.js';
import { loadNotifySettings } from '../../functions/notify/settings.js';
import { loadEvent } from '../support/events.js';

/**
 * The decisions of the notify function, one row per case, each citing the AWS behaviour it reflects: which
 * GuardDuty findings, Config changes and alarm transitions reach a person, and what they are said to be about.
 */
const config = loadConfig({});
const settings = loadNotifySettings({});
const select = (event: unknown) => selectNotification(parseEvent(event), config, settings);
const withChange = (path: string, change: (e: any) => void) => {
  const event = loadEvent(path);
  change(event);
  return event;
};

/**
 * A GuardDuty finding no remediation acts on: Exfiltration:S3/AnomalousBehavior (an access key and one bucket) at
 * severity 6.5, below S3_EXFILTRATION_SEVERITY_THRESHOLD (7), under which S3 exfiltration findings are notify's.
 */
const FINDING = 'guardduty/exfiltration-s3-anomalousbehavior.json';
const FINDING_ID = 'f1e2d3c4b5a697887766554433221100';
const FINDING_ARN = `arn:aws:guardduty:eu-west-2:123456789012:detector/30bb9f186bb1f62568740093ffcee96b/finding/${FINDING_ID}`;
const finding = (change: (detail: any) => void) =>
  withChange(FINDING, (e) => {
    e.detail.severity = 6.5;
    change(e.detail);
  });
const BUCKET = 'test-gd-324237984731208478901374';

describe('selectNotification of a GuardDuty finding', () => {
  it.each<[string, (d: any) => void, unknown[]]>([
    // GuardDuty gives a bucket's ARN in s3BucketDetails; when it does not, the ARN is built in the finding's partition.
    ['keeps the ARN GuardDuty gives for a bucket', () => {}, [{ type: 'AWS::S3::Bucket', id: BUCKET, arn: `arn:aws:s3:::${BUCKET}` }]],
    [
      'builds a bucket ARN in the finding partition (aws-cn) when GuardDuty gives none',
      (d) => {
        d.partition = 'aws-cn';
        delete d.resource.s3BucketDetails[0].arn;
      },
      [{ type: 'AWS::S3::Bucket', id: BUCKET, arn: `arn:aws-cn:s3:::${BUCKET}` }],
    ],
    [
      'builds a bucket ARN in the aws partition when the finding names none',
      (d) => {
        delete d.partition;
        delete d.resource.s3BucketDetails[0].arn;
      },
      [{ type: 'AWS::S3::Bucket', id: BUCKET, arn: `arn:aws:s3:::${BUCKET}` }],
    ],
    [
      'keeps a GovCloud bucket ARN as GuardDuty gives it',
      (d) => {
        d.partition = 'aws-us-gov';
        d.resource.s3BucketDetails[0].arn = `arn:aws-us-gov:s3:::${BUCKET}`;
      },
      [{ type: 'AWS::S3::Bucket', id: BUCKET, arn: `arn:aws-us-gov:s3:::${BUCKET}` }],
    ],
    [
      'names the IAM user of an AccessKey finding that names no bucket',
      (d) => {
        delete d.resource.s3BucketDetails;
      },
      [{ type: 'IAM principal', id: 'RoleSandboxAccess' }],
    ],
    [
      'skips an empty instance id and names the IAM user instead',
      (d) => {
        delete d.resource.s3BucketDetails;
        d.resource.instanceDetails = { instanceId: '' };
      },
      [{ type: 'IAM principal', id: 'RoleSandboxAccess' }],
    ],
    [
      // GuardDuty writes an instance id as a string (i-...): anything else names no instance.
      'skips an instance id that is not a string and names the IAM user instead',
      (d) => {
        delete d.resource.s3BucketDetails;
        d.resource.instanceDetails = { instanceId: 42 };
      },
      [{ type: 'IAM principal', id: 'RoleSandboxAccess' }],
    ],
    [
      'names the finding when an AccessKey finding has no user name',
      (d) => {
        delete d.resource.s3BucketDetails;
        delete d.resource.accessKeyDetails.userName;
      },
      [{ type: 'GuardDuty finding', id: FINDING_ID, arn: FINDING_ARN }],
    ],
    [
      'names the finding when it has no access key details at all',
      (d) => {
        delete d.resource.s3BucketDetails;
        delete d.resource.accessKeyDetails;
      },
      [{ type: 'GuardDuty finding', id: FINDING_ID, arn: FINDING_ARN }],
    ],
    [
      'names the finding, not a user, for a resource that is not an access key',
      (d) => {
        delete d.resource.s3BucketDetails;
        d.resource.resourceType = 'Instance';
        delete d.arn;
      },
      [{ type: 'GuardDuty finding', id: FINDING_ID }],
    ],
  ])('%s', (_, change, targets) => {
    // Prepare
    const event = finding(change);

    // Act
    const selection = select(event);

    // Assess: the flood key names the account the finding is about (detail.accountId), not the one that delivered it.
    expect(selection).toEqual({
      action: 'notify',
      reason: 'A GuardDuty finding that no ml-guard function acts on: a person should look',
      targets,
      flood: { key: `guardduty#987654321098#eu-west-2#${FINDING_ID}`, level: 6.5, state: 'severity 6.5' },
    });
  });

  it.each<[number, string]>([
    // GuardDuty's medium band starts at 4.0, the default threshold: 3.9 is low.
    [3.9, 'ignore'],
    [4, 'notify'],
  ])('with severity %d against the default threshold 4: %s', (severity, action) => {
    // Prepare
    const event = finding((d) => {
      d.severity = severity;
    });

    // Act
    const selection = select(event);

    // Assess
    if (action === 'ignore') {
      expect(selection).toEqual({ action, reason: `GuardDuty finding ${FINDING_ID} has severity 3.9, below the threshold 4` });
    } else {
      expect(selection).toMatchObject({ action, flood: { level: 4, state: 'severity 4' } });
    }
  });
});

describe('selectNotification of an S3 finding', () => {
  it.each<[string, (d: any) => void, Record<string, string>, 'notify' | 'ignore']>([
    // At or above S3_EXFILTRATION_SEVERITY_THRESHOLD (7), rotate-credentials contains the caller and notifies.
    ['an S3 exfiltration finding at S3_EXFILTRATION_SEVERITY_THRESHOLD', (d) => (d.severity = 7), {}, 'ignore'],
    ['an S3 exfiltration finding just below it', (d) => (d.severity = 6.9), {}, 'notify'],
    [
      'an S3 exfiltration finding at a raised S3_EXFILTRATION_SEVERITY_THRESHOLD',
      (d) => (d.severity = 8),
      { S3_EXFILTRATION_SEVERITY_THRESHOLD: '8.5' },
      'notify',
    ],
    ['an S3 exfiltration finding with containment turned off', (d) => (d.severity = 8), { CONTAIN_S3_EXFILTRATION: 'false' }, 'notify'],
    ['an Impact:S3 finding at 8', (d) => Object.assign(d, { type: 'Impact:S3/AnomalousBehavior.Delete', severity: 8 }), {}, 'ignore'],
    ['a Discovery:S3 finding at 8', (d) => Object.assign(d, { type: 'Discovery:S3/MaliciousIPCaller.Custom', severity: 8 }), {}, 'ignore'],
    // A penetration-testing distribution named as the caller's tool says nothing of whose credentials were used.
    ['a PenTest:S3 finding at 8', (d) => Object.assign(d, { type: 'PenTest:S3/KaliLinux', severity: 8 }), {}, 'notify'],
    // Not about data being read: the bucket's own logging.
    ['a Stealth:S3 finding at 8', (d) => Object.assign(d, { type: 'Stealth:S3/ServerAccessLoggingDisabled', severity: 8 }), {}, 'notify'],
  ])('%s: %s', (_, change, env, action) => {
    // Prepare
    const event = finding(change);

    // Act
    const selection = selectNotification(parseEvent(event), loadConfig(env), settings);

    // Assess
    expect(selection.action).toBe(action);
  });

  it('says which function takes an S3 exfiltration finding it leaves', () => {
    // Act
    const selection = select(finding((d) => (d.severity = 8)));

    // Assess
    expect(selection).toEqual({
      action: 'ignore',
      reason: `GuardDuty finding ${FINDING_ID} (Exfiltration:S3/AnomalousBehavior, severity 8) is at or above S3_EXFILTRATION_SEVERITY_THRESHOLD 7: rotate-credentials contains its caller and notifies, not notify`,
    });
  });
});

describe('selectNotification of a Config compliance change', () => {
  it('notifies a NON_COMPLIANT SageMaker notebook with the rule and resource as flood key', () => {
    // Act
    const selection = select(loadEvent('config/sagemaker-notebook-no-direct-internet-access-noncompliant.json'));

    // Assess
    expect(selection).toEqual({
      action: 'notify',
      reason: 'A SageMaker resource broke a Config rule that no ml-guard function remediates: a person should look',
      targets: [{ type: 'AWS::SageMaker::NotebookInstance', id: 'fraud-research-notebook' }],
      flood: {
        key: 'config#123456789012#us-east-2#sagemaker-notebook-no-direct-internet-access#AWS::SageMaker::NotebookInstance#fraud-research-notebook',
        state: 'NON_COMPLIANT',
      },
    });
  });
});

describe('selectNotification of an alarm state change', () => {
  const ALARM = 'cloudwatch/alarm-state-change-sagemaker-model-latency.json';
  const ENDPOINT_ARN = 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/fraud-detector-prod';
  const alarm = (change: (e: any) => void) => withChange(ALARM, change);

  it('notifies an alarm entering ALARM (OK -> ALARM) at level 1', () => {
    // Act
    const selection = select(loadEvent(ALARM));

    // Assess
    expect(selection).toEqual({
      action: 'notify',
      reason: 'An ML serving or model-quality alarm entered ALARM: a person should look',
      targets: [{ type: 'AWS::SageMaker::Endpoint', id: 'fraud-detector-prod', arn: ENDPOINT_ARN }],
      flood: { key: 'cloudwatch#123456789012#us-east-1#fraud-detector-model-latency', level: 1, state: 'ALARM' },
    });
  });

  it('notifies an alarm back to OK from ALARM at level 0', () => {
    // Prepare
    const event = alarm((e) => {
      e.detail.previousState.value = 'ALARM';
      e.detail.state.value = 'OK';
    });

    // Act
    const selection = select(event);

    // Assess
    expect(selection).toEqual({
      action: 'notify',
      reason: 'An ML serving or model-quality alarm is back to OK',
      targets: [{ type: 'AWS::SageMaker::Endpoint', id: 'fraud-detector-prod', arn: ENDPOINT_ARN }],
      flood: { key: 'cloudwatch#123456789012#us-east-1#fraud-detector-model-latency', level: 0, state: 'OK' },
    });
  });

  it.each<[string, (e: any) => void, string]>([
    // CloudWatch has three states; only entering ALARM and ALARM -> OK matter to a person.
    [
      'ALARM -> INSUFFICIENT_DATA',
      (e) => {
        e.detail.previousState.value = 'ALARM';
        e.detail.state.value = 'INSUFFICIENT_DATA';
      },
      'alarm fraud-detector-model-latency went ALARM -> INSUFFICIENT_DATA: only entering ALARM and returning to OK are notified',
    ],
    [
      'OK with no previous state (a new alarm)',
      (e) => {
        delete e.detail.previousState;
        e.detail.state.value = 'OK';
      },
      'alarm fraud-detector-model-latency went unknown -> OK: only entering ALARM and returning to OK are notified',
    ],
  ])('ignores %s', (_, change, reason) => {
    // Act
    const selection = select(alarm(change));

    // Assess
    expect(selection).toEqual({ action: 'ignore', reason });
  });

  it('notifies a new alarm that starts in ALARM, with no previous state', () => {
    // Prepare
    const event = alarm((e) => {
      delete e.detail.previousState;
    });

    // Act
    const selection = select(event);

    // Assess
    expect(selection).toMatchObject({ action: 'notify', flood: { level: 1, state: 'ALARM' } });
  });

  it.each<[string, string, string, string | undefined]>([
    // An ARN is built only from a 12-digit account and a real region name; otherwise the endpoint is named without one.
    ['a 12-digit account in a real region', '123456789012', 'us-east-1', ENDPOINT_ARN],
    ['a 13-digit account', '1234567890123', 'us-east-1', undefined],
    ['an account with letters before 12 digits', 'x123456789012', 'us-east-1', undefined],
    ['an account with letters after 12 digits', '123456789012x', 'us-east-1', undefined],
    ['a region that is no AWS region', '123456789012', 'local', undefined],
    [
      'a China region (aws-cn partition)',
      '123456789012',
      'cn-north-1',
      'arn:aws-cn:sagemaker:cn-north-1:123456789012:endpoint/fraud-detector-prod',
    ],
  ])('names the endpoint of %s', (_, account, region, arn) => {
    // Prepare
    const event = alarm((e) => {
      e.account = account;
      e.region = region;
    });

    // Act
    const selection = select(event);

    // Assess
    expect(selection).toMatchObject({ action: 'notify' });
    expect(selection.action === 'notify' && selection.targets).toEqual([
      { type: 'AWS::SageMaker::Endpoint', id: 'fraud-detector-prod', ...(arn ? { arn } : {}) },
    ]);
  });

  it('writes the endpoint name in lower case in its ARN, as SageMaker does', () => {
    // Prepare
    const event = alarm((e) => {
      e.detail.configuration.metrics[0].metricStat.metric.dimensions.EndpointName = 'Fraud-Detector-Prod';
    });

    // Act
    const selection = select(event);

    // Assess
    expect(selection.action === 'notify' && selection.targets).toEqual([
      {
        type: 'AWS::SageMaker::Endpoint',
        id: 'Fraud-Detector-Prod',
        arn: 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/fraud-detector-prod',
      },
    ]);
  });
});
