import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../functions/core/config.js';
import { parseEvent } from '../../functions/core/events/details.js';
import {
  COMPROMISED_CREDENTIAL_FINDINGS,
  PUBLIC_BUCKET_FINDINGS,
  ROOT_CREDENTIAL_USAGE,
} from '../../functions/core/events/finding-types.js';
import { MODEL_MONITOR_NAMESPACES } from '../../functions/core/notify/describe-alarm.js';
import { selectNotification } from '../../functions/notify/select.js';
import { DEFAULT_ALARM_NAME_PREFIX, DEFAULT_WINDOW_MINUTES, loadNotifySettings } from '../../functions/notify/settings.js';
import { matchesPattern } from '../support/event-pattern.js';
import { allEventPaths, loadEvent } from '../support/events.js';
import { eventBridgeRules, loadTemplate, type Template } from '../support/template.js';

const template = loadTemplate();
const rules = eventBridgeRules(template, 'NotifyFunction');
const pattern = (name: string): any => rules.find((r) => r.name === name)?.pattern;
const matched = (event: unknown, within = rules) => within.filter((r) => matchesPattern(r.pattern, event)).map((r) => r.name);
const notifies = (event: unknown, env: Record<string, string> = {}) =>
  selectNotification(parseEvent(event), loadConfig(env), loadNotifySettings(env)).action === 'notify';
const variant = (path: string, change: (e: any) => void) => {
  const event = loadEvent(path);
  change(event);
  return event;
};

describe('notify in template.yaml', () => {
  it('excludes in its GuardDuty rule exactly the finding types the remediations handle', () => {
    // Act
    const excluded = pattern('NotifyGuardDutyFinding').detail.$or[0].type[0]['anything-but'].wildcard;

    // Assess
    expect([...excluded].sort()).toEqual(
      [
        ...PUBLIC_BUCKET_FINDINGS.exact,
        ...PUBLIC_BUCKET_FINDINGS.wildcard,
        ...COMPROMISED_CREDENTIAL_FINDINGS.exact,
        ...COMPROMISED_CREDENTIAL_FINDINGS.wildcard,
        ROOT_CREDENTIAL_USAGE,
      ].sort(),
    );
  });

  it('compares GuardDuty severity with SeverityThreshold as a number', () => {
    // Act
    const severity = pattern('NotifyGuardDutyFinding').detail.$or[0].severity;

    // Assess
    expect(severity).toEqual([{ numeric: ['>=', 4] }]);
  });

  it('routes the custom Config rules NotifyCustomConfigRules names, whatever they evaluate, and no other', () => {
    // Prepare
    const custom = variant('config/sagemaker-notebook-no-direct-internet-access-noncompliant.json', (e) => {
      e.detail.configRuleName = 'team-models-must-be-tagged';
      e.detail.resourceType = 'AWS::SageMaker::Model';
    });
    const listed = eventBridgeRules(template, 'NotifyFunction', { NotifyCustomConfigRules: 'other-rule,team-models-must-be-tagged' });

    // Act / Assess
    expect(matched(custom)).toEqual([]);
    expect(matched(custom, listed)).toEqual(['NotifyConfigRule']);
    expect(notifies(custom)).toBe(false);
    expect(notifies(custom, { CUSTOM_CONFIG_RULES: 'other-rule,team-models-must-be-tagged' })).toBe(true);
  });

  it("routes a rule of any name about a resource type it reports on; the rule's source decides", () => {
    // Prepare
    const renamed = variant('config/sagemaker-notebook-no-direct-internet-access-noncompliant.json', (e) => {
      e.detail.configRuleName = 'sagemaker-notebook-no-direct-internet-access-v2';
    });

    // Act / Assess
    expect(matched(renamed)).toEqual(['NotifyConfigRule']);
  });

  it('routes the Model Monitor namespaces of the code', () => {
    // Act
    const namespaces = pattern('NotifyServingAlarm').detail.configuration.metrics.metricStat.metric.$or[1].namespace;

    // Assess
    expect(namespaces).toEqual([...MODEL_MONITOR_NAMESPACES]);
  });

  it('gives the function the defaults the code has, and the state table it writes', () => {
    // Prepare
    const variables = template.Resources.NotifyFunction?.Properties.Environment.Variables;

    // Act / Assess
    expect(template.Parameters?.NotifyWindowMinutes?.Default).toBe(DEFAULT_WINDOW_MINUTES);
    expect(template.Parameters?.NotifyAlarmNamePrefix?.Default).toBe(DEFAULT_ALARM_NAME_PREFIX);
    expect(variables).toEqual({
      STATE_TABLE: { Ref: 'NotificationStateTable' },
      NOTIFY_WINDOW_MINUTES: { Ref: 'NotifyWindowMinutes' },
      NOTIFY_ALARM_NAME_PREFIX: { Ref: 'NotifyAlarmNamePrefix' },
      CUSTOM_CONFIG_RULES: { Ref: 'NotifyCustomConfigRules' },
      NOTIFY_ML_ASSET_PREFIXES: { Ref: 'MlAssetNamePrefixes' },
      NOTIFY_OWN_ROLE_ARNS: {
        'Fn::Join': [
          ',',
          [
            { 'Fn::GetAtt': ['QuarantinePublicBucketRole', 'Arn'] },
            { 'Fn::GetAtt': ['StopCompromisedTrainingJobRole', 'Arn'] },
            { 'Fn::GetAtt': ['RotateCredentialsRole', 'Arn'] },
            { 'Fn::GetAtt': ['NotifyRole', 'Arn'] },
          ],
        ],
      },
    });
  });

  it('creates the state table with the key, TTL attribute and encryption flood control relies on', () => {
    // Act
    const table = template.Resources.NotificationStateTable;

    // Assess
    expect(table?.Type).toBe('AWS::DynamoDB::Table');
    expect(table?.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('lets the function write only to its own state table', () => {
    // Act
    const statements = template.Resources.NotifyRole?.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement);

    // Assess
    expect(statements.filter((s: any) => String(s.Action).startsWith('dynamodb:'))).toEqual([
      {
        Sid: 'FloodControlState',
        Effect: 'Allow',
        Action: 'dynamodb:UpdateItem',
        Resource: { 'Fn::GetAtt': ['NotificationStateTable', 'Arn'] },
      },
    ]);
  });

  it.each(allEventPaths().filter((p) => !p.startsWith('invalid/')))('delivers %s at most once (its rules do not overlap)', (path) => {
    // Act / Assess
    expect(matched(loadEvent(path)).length).toBeLessThanOrEqual(1);
  });

  it.each([
    ['a finding of severity 3.9', variant('guardduty/backdoor-ec2-ccactivity-dns-sample.json', (e) => (e.detail.severity = 3.9))],
    ['a finding of severity 4', variant('guardduty/backdoor-ec2-ccactivity-dns-sample.json', (e) => (e.detail.severity = 4))],
    ['a finding of severity 10', variant('guardduty/backdoor-ec2-ccactivity-dns-sample.json', (e) => (e.detail.severity = 10))],
    [
      'root credential usage at severity 8',
      variant('guardduty/exfiltration-s3-anomalousbehavior.json', (e) => (e.detail.type = 'Policy:IAMUser/RootCredentialUsage')),
    ],
    [
      'an IAM anomalous behaviour',
      variant('guardduty/exfiltration-s3-anomalousbehavior.json', (e) => (e.detail.type = 'Persistence:IAMUser/AnomalousBehavior')),
    ],
    [
      'a PenTest IAM finding',
      variant('guardduty/exfiltration-s3-anomalousbehavior.json', (e) => (e.detail.type = 'PenTest:IAMUser/ParrotLinux')),
    ],
    [
      'a Kubernetes finding',
      variant('guardduty/exfiltration-s3-anomalousbehavior.json', (e) => (e.detail.type = 'Discovery:Kubernetes/MaliciousIPCaller')),
    ],
    [
      'an S3 policy finding no one handles',
      variant('guardduty/exfiltration-s3-anomalousbehavior.json', (e) => (e.detail.type = 'Policy:S3/AccountBlockPublicAccessDisabled')),
    ],
    ['an alarm from INSUFFICIENT_DATA to ALARM', loadEvent('cloudwatch/alarm-state-change-sagemaker-5xx-rate-metric-math.json')],
    [
      'an alarm from INSUFFICIENT_DATA to OK',
      variant('cloudwatch/alarm-state-change-sagemaker-model-latency.json', (e) => {
        e.detail.previousState.value = 'INSUFFICIENT_DATA';
        e.detail.state.value = 'OK';
      }),
    ],
    [
      'an alarm going to INSUFFICIENT_DATA',
      variant('cloudwatch/alarm-state-change-sagemaker-model-latency.json', (e) => (e.detail.state.value = 'INSUFFICIENT_DATA')),
    ],
    [
      'an endpoint alarm named with the prefix',
      variant('cloudwatch/alarm-state-change-sagemaker-model-latency.json', (e) => (e.detail.alarmName = 'ml-serving-latency')),
    ],
    [
      'an EC2 alarm named with the prefix',
      variant('cloudwatch/alarm-state-change-single-metric-ec2-cpu.json', (e) => (e.detail.alarmName = 'ml-serving-cpu')),
    ],
    [
      'an AWS/SageMaker alarm without EndpointName',
      variant('cloudwatch/alarm-state-change-sagemaker-model-latency.json', (e) => {
        e.detail.configuration.metrics[0].metricStat.metric.dimensions = { Host: 'training/algo-1' };
      }),
    ],
    [
      'a Model Monitor alarm on the documented /aws/... namespace',
      variant('cloudwatch/alarm-state-change-sagemaker-model-monitor-drift.json', (e) => {
        e.detail.configuration.metrics[0].metricStat.metric.namespace = '/aws/sagemaker/Endpoints/data-metric';
      }),
    ],
    [
      'a Model Monitor alarm of a batch transform job',
      variant('cloudwatch/alarm-state-change-sagemaker-model-monitor-drift.json', (e) => {
        e.detail.configuration.metrics[0].metricStat.metric.namespace = 'aws/sagemaker/ModelMonitoring/data-metrics';
      }),
    ],
    [
      'a Config rule going NOT_APPLICABLE',
      variant('config/sagemaker-notebook-no-direct-internet-access-noncompliant.json', (e) => {
        e.detail.newEvaluationResult.complianceType = 'NOT_APPLICABLE';
      }),
    ],
  ])('routes %s exactly when the function notifies about it', (_case, event) => {
    // Act
    const routed = matched(event).length > 0;

    // Assess
    expect(routed).toBe(notifies(event));
  });

  it('moves the GuardDuty rule and the code together when SeverityThreshold changes', () => {
    // Prepare
    const strict: Template = structuredClone(template);
    (strict.Parameters as any).SeverityThreshold.Default = 7;
    const strictRules = eventBridgeRules(strict, 'NotifyFunction');
    const at = (severity: number) => variant('guardduty/backdoor-ec2-ccactivity-dns-sample.json', (e) => (e.detail.severity = severity));

    // Act
    const results = [6.9, 7].map((s) => [matched(at(s), strictRules).length > 0, notifies(at(s), { SEVERITY_THRESHOLD: '7' })]);

    // Assess
    expect(results).toEqual([
      [false, false],
      [true, true],
    ]);
  });
});
