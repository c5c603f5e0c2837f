import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MANAGED_RULES, type ManagedRuleId } from '../functions/core/events/config-rules.js';
import { resolver } from '../scripts/template.mjs';
import { checkTemplate } from './support/check-template.js';
import { matchesPattern } from './support/event-pattern.js';
import { loadEvent } from './support/events.js';
import { FUNCTIONS, handlesEvent } from './support/functions.js';
import { eventBridgeRules, expandForEach, loadTemplate, type Resource } from './support/template.js';

const template = loadTemplate();
const PARAMETERS_FILE = 'test/support/all-monitors.parameters.json';
const ALL_MONITORS: Record<string, string> = JSON.parse(readFileSync(PARAMETERS_FILE, 'utf8'));
const MONITOR_CONDITIONS = ['MonitorEndpoints', 'MonitorDrift', 'ShipConfigRules'];

/** The monitors' resources (each exists only under one of the monitors' conditions), by logical id. */
const monitorsOf = (resources: Record<string, Resource>) =>
  Object.fromEntries(Object.entries(resources).filter(([, r]) => MONITOR_CONDITIONS.includes(r.Condition ?? '')));

describe('template.yaml checked by cfn-lint and the AWS SAM translator', () => {
  it.each([
    ['its default parameters', ''],
    ['every monitor parameter set', PARAMETERS_FILE],
  ])(
    'lints clean and translates, with %s',
    (_case, parametersFile) => {
      // Act
      const result = checkTemplate(parametersFile);

      // Assess
      expect(result.lint).toEqual([]);
      expect(result.status).toBe(0);
      expect(Object.keys(result.resources).length).toBeGreaterThan(0);
    },
    120_000,
  );

  it('deploys, with every monitor parameter set, the very monitors these tests route (the loops expand alike)', () => {
    // Act
    const translated = monitorsOf(checkTemplate(PARAMETERS_FILE).resources);

    // Assess
    expect(translated).toEqual(monitorsOf(expandForEach(template, ALL_MONITORS).Resources));
    expect(Object.keys(translated)).toHaveLength(3 * 2 + 2 + 16);
  }, 120_000);
});

describe('the optional monitors in template.yaml', () => {
  const expanded = expandForEach(template, ALL_MONITORS);
  const resolve = resolver(expanded, ALL_MONITORS) as (node: unknown) => any;
  const alarms = Object.entries(monitorsOf(expanded.Resources))
    .filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm')
    .map(([id, r]) => ({ id, ...resolve(r.Properties) }));

  it('are all off by default: every one exists under a condition that the default parameters make false', () => {
    // Prepare
    const byDefault = expandForEach(template);
    const resolveDefault = resolver(byDefault) as (node: unknown) => unknown;

    // Act
    const monitors = monitorsOf(byDefault.Resources);

    // Assess
    expect(Object.keys(monitors).length).toBeGreaterThan(0);
    for (const condition of MONITOR_CONDITIONS) {
      expect(resolveDefault({ Condition: condition })).toBe(false);
      expect(resolve({ Condition: condition })).toBe(true);
    }
    for (const type of ['AWS::CloudWatch::Alarm', 'AWS::Config::ConfigRule']) {
      const all = Object.entries(byDefault.Resources).filter(([, r]) => r.Type === type && !r.Properties?.AlarmActions);
      expect(all.map(([id]) => id).sort()).toEqual(Object.keys(monitorsOf(Object.fromEntries(all))).sort());
    }
  });

  it('watch ModelLatency above 200 ms and 5xx errors, 3 minutes in a row, of each endpoint variant listed (AllTraffic by default)', () => {
    // Act
    const endpoints = alarms.filter((a) => a.Namespace === 'AWS/SageMaker');

    // Assess
    expect(endpoints.map((a) => [a.MetricName, a.Dimensions.map((d: any) => d.Value).join('/'), a.AlarmName])).toEqual([
      ['ModelLatency', 'fraud-detector-prod/AllTraffic', 'ml-serving-ml-guard-fraud-detector-prod-AllTraffic-model-latency'],
      ['Invocation5XXErrors', 'fraud-detector-prod/AllTraffic', 'ml-serving-ml-guard-fraud-detector-prod-AllTraffic-5xx-errors'],
      ['ModelLatency', 'fraud-detector-prod/shadow', 'ml-serving-ml-guard-fraud-detector-prod-shadow-model-latency'],
      ['Invocation5XXErrors', 'fraud-detector-prod/shadow', 'ml-serving-ml-guard-fraud-detector-prod-shadow-5xx-errors'],
      ['ModelLatency', 'churn-model/AllTraffic', 'ml-serving-ml-guard-churn-model-AllTraffic-model-latency'],
      ['Invocation5XXErrors', 'churn-model/AllTraffic', 'ml-serving-ml-guard-churn-model-AllTraffic-5xx-errors'],
    ]);
    for (const a of endpoints) {
      expect(a.Dimensions.map((d: any) => d.Name)).toEqual(['EndpointName', 'VariantName']);
      expect(a).toMatchObject({ Period: 60, EvaluationPeriods: 3, DatapointsToAlarm: 3, ComparisonOperator: 'GreaterThanThreshold' });
      expect(a).toMatchObject({ TreatMissingData: 'notBreaching' });
      expect(a.AlarmActions).toBeUndefined();
    }
    expect(endpoints.filter((a) => a.MetricName === 'ModelLatency').map((a) => [a.Statistic, a.Threshold])).toEqual(
      Array(3).fill(['Average', '200000']),
    );
    expect(endpoints.filter((a) => a.MetricName === 'Invocation5XXErrors').map((a) => [a.Statistic, a.Threshold])).toEqual(
      Array(3).fill(['Sum', 0]),
    );
  });

  it("watch each listed feature's baseline drift in the data-quality metrics of its schedule, keeping the last run's state between runs", () => {
    // Act
    const drift = alarms.filter((a) => a.Namespace !== 'AWS/SageMaker');

    // Assess
    expect(drift.map((a) => [a.Namespace, a.MetricName, a.Dimensions, a.AlarmName])).toEqual(
      ['fare_amount', 'trip_distance'].map((feature) => [
        'aws/sagemaker/Endpoints/data-metrics',
        `feature_baseline_drift_${feature}`,
        [
          { Name: 'Endpoint', Value: 'sagemaker-taxi-fare-prod' },
          { Name: 'MonitoringSchedule', Value: 'taxi-fare-hourly' },
        ],
        `ml-serving-ml-guard-taxi-fare-hourly-${feature}-drift`,
      ]),
    );
    for (const a of drift) {
      expect(a).toMatchObject({ Statistic: 'Maximum', Period: 3600, EvaluationPeriods: 1, Threshold: '0.1' });
      expect(a).toMatchObject({ ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'ignore' });
    }
  });

  it.each([
    [
      'MonitoredEndpoints',
      ['', 'fraud-detector-prod', 'fraud-detector-prod:shadow', 'a-b-1:AllTraffic'],
      ['a b', 'ep:blue:green', 'ep:', '-ep', 'ep_1'],
    ],
    [
      'DriftMonitors',
      ['', 'taxi-fare-hourly:sagemaker-taxi-fare-prod:fare_amount', 's:e:feature.with-dots'],
      ['taxi-fare-hourly:sagemaker-taxi-fare-prod', 's:e:f:g', 's:e:', 's:e:two words'],
    ],
  ])('accept in %s only items the loop can take apart', (name, good, bad) => {
    // Prepare
    const pattern = new RegExp(template.Parameters?.[name].AllowedPattern);

    // Act / Assess
    expect(good.filter((item) => !pattern.test(item))).toEqual([]);
    expect(bad.filter((item) => pattern.test(item))).toEqual([]);
    expect(ALL_MONITORS[name]?.split(',').every((item) => pattern.test(item))).toBe(true);
  });

  /** The state-change event the alarm emits: a recorded sample of its kind with the alarm's name and metric. */
  const stateChangeOf = (alarm: (typeof alarms)[number], from: string, to: string) => {
    const event = loadEvent(
      alarm.Namespace === 'AWS/SageMaker'
        ? 'cloudwatch/alarm-state-change-sagemaker-model-latency.json'
        : 'cloudwatch/alarm-state-change-sagemaker-model-monitor-drift.json',
    );
    event.resources = [`arn:aws:cloudwatch:${event.region}:${event.account}:alarm:${alarm.AlarmName}`];
    event.detail.alarmName = alarm.AlarmName;
    event.detail.configuration.description = alarm.AlarmDescription;
    event.detail.configuration.metrics[0].metricStat = {
      metric: {
        namespace: alarm.Namespace,
        name: alarm.MetricName,
        dimensions: Object.fromEntries(alarm.Dimensions.map((d: any) => [d.Name, d.Value])),
      },
      period: alarm.Period,
      stat: alarm.Statistic,
    };
    event.detail.previousState = { ...event.detail.state, value: from };
    event.detail.state.value = to;
    return event;
  };
  const routes = (event: unknown) =>
    FUNCTIONS.flatMap((f) =>
      eventBridgeRules(template, f.functionLogicalId)
        .filter((r) => matchesPattern(r.pattern, event))
        .map((r) => `${f.name}:${r.name}`),
    );

  // The stack is called ml-guard here, the name most likely to start with AlarmNamePrefix (ml-guard-).
  it.each(alarms.flatMap((a) => [[a.id, 'OK', 'ALARM', a] as const, [a.id, 'ALARM', 'OK', a] as const]))(
    'deliver the state change of %s from %s to %s to notify alone, by one rule',
    (_id, from, to, alarm) => {
      // Prepare
      const event = stateChangeOf(alarm, from, to);

      // Act
      const routed = routes(event);

      // Assess
      expect(routed).toEqual(['notify:NotifyNamedAlarm']);
      expect(FUNCTIONS.filter((f) => handlesEvent(f, event)).map((f) => f.name)).toEqual(['notify']);
    },
  );

  it.each([
    ['ConfigRuleS3BucketPublicReadProhibited', 'S3_BUCKET_PUBLIC_READ_PROHIBITED', 's3-bucket-public-read-prohibited', 'AWS::S3::Bucket'],
    [
      'ConfigRuleS3BucketPublicWriteProhibited',
      'S3_BUCKET_PUBLIC_WRITE_PROHIBITED',
      's3-bucket-public-write-prohibited',
      'AWS::S3::Bucket',
    ],
    [
      'ConfigRuleS3BucketLevelPublicAccessProhibited',
      'S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED',
      's3-bucket-level-public-access-prohibited',
      'AWS::S3::Bucket',
    ],
    ['ConfigRuleAccessKeysRotated', 'ACCESS_KEYS_ROTATED', 'access-keys-rotated', undefined],
    ['ConfigRuleIamUserUnusedCredentialsCheck', 'IAM_USER_UNUSED_CREDENTIALS_CHECK', 'iam-user-unused-credentials-check', undefined],
    [
      'ConfigRuleSageMakerNotebookNoDirectInternetAccess',
      'SAGEMAKER_NOTEBOOK_NO_DIRECT_INTERNET_ACCESS',
      'sagemaker-notebook-no-direct-internet-access',
      undefined,
    ],
    [
      'ConfigRuleSageMakerNotebookInstanceRootAccessCheck',
      'SAGEMAKER_NOTEBOOK_INSTANCE_ROOT_ACCESS_CHECK',
      'sagemaker-notebook-instance-root-access-check',
      'AWS::SageMaker::NotebookInstance',
    ],
    [
      'ConfigRuleSageMakerEndpointConfigurationKmsKeyConfigured',
      'SAGEMAKER_ENDPOINT_CONFIGURATION_KMS_KEY_CONFIGURED',
      'sagemaker-endpoint-configuration-kms-key-configured',
      undefined,
    ],
    ['ConfigRuleCloudTrailEnabled', 'CLOUD_TRAIL_ENABLED', 'cloudtrail-enabled', undefined],
    ['ConfigRuleMultiRegionCloudTrailEnabled', 'MULTI_REGION_CLOUD_TRAIL_ENABLED', 'multi-region-cloudtrail-enabled', undefined],
    [
      'ConfigRuleCloudTrailLogFileValidationEnabled',
      'CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED',
      'cloud-trail-log-file-validation-enabled',
      undefined,
    ],
    ['ConfigRuleCloudWatchLogGroupEncrypted', 'CLOUDWATCH_LOG_GROUP_ENCRYPTED', 'cloudwatch-log-group-encrypted', undefined],
    ['ConfigRuleCwLogGroupRetentionPeriodCheck', 'CW_LOGGROUP_RETENTION_PERIOD_CHECK', 'cw-loggroup-retention-period-check', undefined],
    ['ConfigRuleS3BucketLoggingEnabled', 'S3_BUCKET_LOGGING_ENABLED', 's3-bucket-logging-enabled', 'AWS::S3::Bucket'],
    [
      'ConfigRuleS3BucketServerSideEncryptionEnabled',
      'S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED',
      's3-bucket-server-side-encryption-enabled',
      'AWS::S3::Bucket',
    ],
    ['ConfigRuleS3BucketSslRequestsOnly', 'S3_BUCKET_SSL_REQUESTS_ONLY', 's3-bucket-ssl-requests-only', 'AWS::S3::Bucket'],
  ])('ship %s, the managed rule %s, as ml-guard-<stack>-%s', (id, identifier, name, resourceType) => {
    // Act
    const rule = resolve(expanded.Resources[id]);

    // Assess
    expect(rule).toMatchObject({ Type: 'AWS::Config::ConfigRule', Condition: 'ShipConfigRules' });
    expect(rule.Properties.Source).toEqual({ Owner: 'AWS', SourceIdentifier: identifier });
    expect(rule.Properties.ConfigRuleName).toBe(`ml-guard-ml-guard-${name}`);
    expect(rule.Properties.Scope).toEqual(resourceType ? { ComplianceResourceTypes: [resourceType] } : undefined);
  });

  it('ship access-keys-rotated with the age at which rotate-credentials deactivates keys, and unused credentials at MaxCredentialUsageAgeDays', () => {
    // Act
    const rules = expanded.Resources;

    // Assess
    expect(rules.ConfigRuleAccessKeysRotated?.Properties.InputParameters).toEqual({ maxAccessKeyAge: { Ref: 'MaxAccessKeyAgeDays' } });
    expect(rules.ConfigRuleIamUserUnusedCredentialsCheck?.Properties.InputParameters).toEqual({
      maxCredentialUsageAge: { Ref: 'MaxCredentialUsageAgeDays' },
    });
    expect(Object.values(monitorsOf(rules)).filter((r) => r.Type === 'AWS::Config::ConfigRule')).toHaveLength(16);
  });
});

describe('the Config rules template.yaml ships', () => {
  const expanded = expandForEach(template, ALL_MONITORS);
  const resolve = resolver(expanded, ALL_MONITORS) as (node: unknown) => any;
  const shipped = Object.values(monitorsOf(expanded.Resources))
    .filter((r) => r.Type === 'AWS::Config::ConfigRule')
    .map((r) => resolve(r).Properties);
  /** Which function takes each managed rule: the one whose list names it. */
  const takerOf = (identifier: string) => FUNCTIONS.filter((f) => f.configRules.includes(identifier as ManagedRuleId)).map((f) => f.name);

  it.each(shipped.map((p) => [p.ConfigRuleName as string, p.Source.SourceIdentifier as string]))(
    'route a NON_COMPLIANT change of %s (%s) to exactly the function that takes it, which takes it by its source',
    (name, identifier) => {
      // Prepare
      const event = loadEvent('config/s3-bucket-public-read-prohibited-noncompliant.json');
      event.detail.configRuleName = name;
      event.detail.resourceType = MANAGED_RULES[identifier as ManagedRuleId].resourceType;
      const rule = { name, owner: 'AWS', identifier, from: 'source' as const };

      // Act
      const takers = FUNCTIONS.filter(
        (f) =>
          eventBridgeRules(template, f.functionLogicalId).some((r) => matchesPattern(r.pattern, event)) && handlesEvent(f, event, rule),
      ).map((f) => f.name);

      // Assess
      expect(takers).toEqual(takerOf(identifier));
      expect(takers).toHaveLength(1);
    },
  );
});

describe("the training-job alarm README's Monitors section documents", () => {
  // The put-metric-alarm command as the README gives it, its shell variable filled in.
  const readme = readFileSync('README.md', 'utf8');
  const command = /^JOB=(\S+).*\n(aws cloudwatch put-metric-alarm[\s\S]*?)\n#/m.exec(readme);
  const option = (name: string) => new RegExp(`--${name} (\\S+)`).exec(command?.[2] ?? '')?.[1]?.replaceAll('"', '');
  const job = command?.[1] ?? '';
  const fill = (text = '') => text.replaceAll('$JOB', job);

  it('creates an alarm whose state change reaches stop-compromised-training-job alone, which acts on the job it names', () => {
    // Prepare
    const event = loadEvent('cloudwatch/stop-training-job-alarm-single-metric.json');
    const [dimension, value] = fill(option('dimensions'))
      .replace(/^Name=/, '')
      .split(',Value=');
    event.detail.alarmName = fill(option('alarm-name'));
    event.resources = [`arn:aws:cloudwatch:${event.region}:${event.account}:alarm:${event.detail.alarmName}`];
    event.detail.configuration.metrics[0].metricStat = {
      metric: { namespace: option('namespace'), name: option('metric-name'), dimensions: { [dimension as string]: value } },
      period: Number(option('period')),
      stat: option('statistic'),
    };

    // Act
    const routed = FUNCTIONS.flatMap((f) =>
      eventBridgeRules(template, f.functionLogicalId)
        .filter((r) => matchesPattern(r.pattern, event))
        .map((r) => `${f.name}:${r.name}`),
    );

    // Assess
    expect(job).toBe('fraud-detector-2026-11-26-01-00');
    expect(event.detail.alarmName).toBe(`${template.Parameters?.AlarmNamePrefix.Default}${job}-cpu`);
    expect(event.detail.configuration.metrics[0].metricStat.metric).toEqual({
      namespace: '/aws/sagemaker/TrainingJobs',
      name: 'CPUUtilization',
      dimensions: { Host: `${job}/algo-1` },
    });
    expect(routed).toEqual(['stop-compromised-training-job:TrainingJobAlarm']);
    expect(FUNCTIONS.filter((f) => handlesEvent(f, event)).map((f) => f.name)).toEqual(['stop-compromised-training-job']);
  });
});
