import { describe, expect, it } from 'vitest';
import { parseEvent } from '../../functions/core/events/details.js';
import { describeEvent } from '../../functions/core/notify/describe-event.js';
import { allEventPaths, loadEvent } from '../support/events.js';

const factsOf = (path: string, change: (e: any) => void = () => undefined) => {
  const event = loadEvent(path);
  change(event);
  return describeEvent(parseEvent(event));
};
const asMap = (path: string, change?: (e: any) => void) => Object.fromEntries(factsOf(path, change).facts);

describe('describeEvent for a CloudWatch alarm', () => {
  it('names the endpoint, variant, metric, threshold, duration and recent datapoints of a single-metric alarm', () => {
    // Act
    const facts = factsOf('cloudwatch/alarm-state-change-sagemaker-model-latency.json');

    // Assess
    expect(facts).toMatchObject({
      source: 'cloudwatch',
      severity: 'HIGH',
      headline: 'CloudWatch alarm fraud-detector-model-latency is ALARM',
      account: '123456789012',
      region: 'us-east-1',
    });
    expect(Object.fromEntries(facts.facts)).toMatchObject({
      alarm: 'fraud-detector-model-latency',
      state: 'OK -> ALARM',
      since: '2019-10-02T17:04:40.989Z',
      endpoint: 'fraud-detector-prod',
      variant: 'AllTraffic',
      model: 'not named by the alarm: the model behind variant AllTraffic of endpoint fraud-detector-prod',
      metric: 'AWS/SageMaker ModelLatency [EndpointName=fraud-detector-prod, VariantName=AllTraffic] (Average over 60 s, in microseconds)',
      threshold: 'greater than 500000 (500 ms)',
      'for how long': '3 of the last 3 periods of 60 s (3 minutes evaluated)',
      'recent datapoints': '650000, 790111, 812345 microseconds (oldest first, from 2019-10-02T17:01:00.000Z to 2019-10-02T17:04:40.985Z)',
    });
    expect(facts.consoleUrl).toBe(
      'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/fraud-detector-model-latency',
    );
    expect(facts.nextSteps).toEqual([
      'See which models and variants serve the endpoint: aws sagemaker describe-endpoint --endpoint-name fraud-detector-prod --region us-east-1',
    ]);
  });

  it("shows a metric-math alarm's expression as the metric and its metrics as inputs", () => {
    // Act
    const facts = asMap('cloudwatch/alarm-state-change-sagemaker-5xx-rate-metric-math.json');

    // Assess
    expect(facts).toMatchObject({
      metric: '5XX error rate (%) = 100 * m1 / m2 (id e1)',
      inputs:
        'AWS/SageMaker Invocation5XXErrors [EndpointName=fraud-detector-prod, VariantName=AllTraffic] (Sum over 300 s); ' +
        'AWS/SageMaker Invocations [EndpointName=fraud-detector-prod, VariantName=AllTraffic] (Sum over 300 s)',
      threshold: 'greater than 1',
      'for how long': '1 of the last 1 period of 300 s (5 minutes evaluated)',
      state: 'INSUFFICIENT_DATA -> ALARM',
    });
  });

  it("shows an anomaly detection alarm's band instead of a threshold", () => {
    // Act
    const facts = asMap('cloudwatch/alarm-state-change-sagemaker-model-latency-anomaly-detection.json');

    // Assess
    expect(facts).toMatchObject({
      metric: 'AWS/SageMaker ModelLatency [EndpointName=fraud-detector-prod, VariantName=AllTraffic] (Average over 60 s, in microseconds)',
      'expected band': 'ModelLatency (expected) = ANOMALY_DETECTION_BAND(m1, 2) (id ad1)',
      threshold: 'outside the expected band (below 98000 or above 305000)',
    });
  });

  it("shows a composite alarm's rule, the alarms that triggered it and its suppressed actions", () => {
    // Act
    const facts = asMap('cloudwatch/alarm-state-change-sagemaker-composite.json');

    // Assess
    expect(facts).toMatchObject({
      rule: 'ALARM(fraud-detector-model-latency) OR ALARM(fraud-detector-5xx-rate)',
      'triggered by': 'fraud-detector-model-latency (ALARM)',
      'alarm actions': 'suppressed by WaitPeriod',
    });
    expect(facts.metric).toBeUndefined();
  });

  it('says an alarm went back to OK, at INFO severity', () => {
    // Act
    const facts = factsOf('cloudwatch/alarm-state-change-sagemaker-overhead-latency-alarm-to-ok.json');

    // Assess
    expect(facts.severity).toBe('INFO');
    expect(Object.fromEntries(facts.facts)).toMatchObject({ state: 'ALARM -> OK', threshold: 'greater than or equal to 100000 (100 ms)' });
    expect(facts.nextSteps).toContain('Nothing to do if it stays OK; look at the graph if it keeps changing state');
  });

  it('names the Model Monitor schedule and how to see its latest run', () => {
    // Act
    const facts = factsOf('cloudwatch/alarm-state-change-sagemaker-model-monitor-drift.json');

    // Assess
    expect(Object.fromEntries(facts.facts)).toMatchObject({
      endpoint: 'sagemaker-taxi-fare-prod',
      'monitoring schedule': 'sagemaker-taxi-fare-prod-threshold',
      metric:
        'aws/sagemaker/Endpoints/data-metrics feature_baseline_drift_fare_amount [Endpoint=sagemaker-taxi-fare-prod, MonitoringSchedule=sagemaker-taxi-fare-prod-threshold] (Average over 3600 s)',
      threshold: 'greater than 0.4',
    });
    expect(facts.nextSteps?.[0]).toBe(
      'See the latest monitoring run and its violations: aws sagemaker list-monitoring-executions --monitoring-schedule-name sagemaker-taxi-fare-prod-threshold --sort-by ScheduledTime --sort-order Descending --max-results 1 --region eu-west-1',
    );
  });

  it('gives no console link, and says why, for an event whose region is a placeholder', () => {
    // Act
    const facts = factsOf('cloudwatch/alarm-state-change-sagemaker-model-monitor-drift-placeholders.json');

    // Assess
    expect(facts.consoleUrl).toBeUndefined();
    expect(Object.fromEntries(facts.facts).console).toBe('no link: "<<region>>" is not an AWS Region name');
    expect(facts.nextSteps?.every((s) => !s.includes('--region'))).toBe(true);
  });

  it('reads evaluated datapoints with their times when the alarm gives them', () => {
    // Act
    const facts = asMap('cloudwatch/alarm-state-change-metrics-insights-partial-data.json');

    // Assess
    expect(facts['recent datapoints']).toBe('20000 at 2022-11-08T11:25:00.000Z');
    expect(facts.metric).toBe('SELECT SUM(PartialDataTestMetric) FROM partial_data_test (id m2)');
  });

  it('keeps going when reasonData is not JSON', () => {
    // Act
    const facts = asMap('cloudwatch/alarm-state-change-sagemaker-model-latency.json', (e) => {
      e.detail.state.reasonData = '{not json';
    });

    // Assess
    expect(facts.threshold).toBe('greater than 500000 (500 ms)');
    expect(facts['recent datapoints']).toBeUndefined();
  });
});

describe('describeEvent for a GuardDuty finding', () => {
  it('names the objects an S3 finding says were read, after the bucket', () => {
    // Act
    const facts = asMap('guardduty/exfiltration-s3-anomalousbehavior-iamuser.json');

    // Assess
    expect(facts).toMatchObject({
      resource: 'S3 bucket ml-training-data-123456789012',
      objects:
        'ml-training-data-123456789012/datasets/fraud/train/part-0000.parquet, ml-training-data-123456789012/datasets/fraud/train/part-0001.parquet',
    });
  });

  it('names at most ten objects, each on one line and cut to 200 characters, and counts the rest', () => {
    // Prepare
    const keys = ['a\nb', 'x'.repeat(300), ...Array.from({ length: 12 }, (_, i) => `part-${i}`)];

    // Act
    const facts = asMap('guardduty/exfiltration-s3-anomalousbehavior-iamuser.json', (e) => {
      e.detail.resource.s3BucketDetails[0].s3ObjectDetails = keys.map((key) => ({ key }));
    });

    // Assess
    const named = facts.objects?.split(', ') ?? [];
    expect(named).toHaveLength(10);
    expect(named[0]).toBe('ml-training-data-123456789012/a b');
    expect(named[1]).toHaveLength(200);
    expect(named[1]?.endsWith('…')).toBe(true);
    expect(named[9]).toBe('ml-training-data-123456789012/part-7 and 4 more');
  });

  it('names an object by its ARN when it has no key, and skips entries that name none', () => {
    // Act
    const facts = asMap('guardduty/exfiltration-s3-anomalousbehavior-iamuser.json', (e) => {
      e.detail.resource.s3BucketDetails[0].s3ObjectDetails = [
        { objectArn: 'arn:aws:s3:::ml-training-data-123456789012/labels.csv' },
        { key: '' },
        null,
        'datasets/raw.csv',
        { key: 42 },
      ];
    });

    // Assess
    expect(facts.objects).toBe('arn:aws:s3:::ml-training-data-123456789012/labels.csv');
  });

  it('names no objects when the finding gives none, or gives something that is not a list', () => {
    // Act
    const none = asMap('guardduty/exfiltration-s3-anomalousbehavior.json');
    const notAList = asMap('guardduty/exfiltration-s3-anomalousbehavior.json', (e) => {
      e.detail.resource.s3BucketDetails[0].s3ObjectDetails = { key: 'model.tar.gz' };
    });

    // Assess
    expect(none.objects).toBeUndefined();
    expect(notAList.objects).toBeUndefined();
  });

  it('gives the severity in words, the resource and the actor: principal, source IP, country, network, API', () => {
    // Act
    const facts = factsOf('guardduty/exfiltration-s3-anomalousbehavior.json');

    // Assess
    expect(facts).toMatchObject({ severity: 'HIGH', headline: 'GuardDuty finding Exfiltration:S3/AnomalousBehavior' });
    expect(Object.fromEntries(facts.facts)).toMatchObject({
      severity: '8 (HIGH)',
      resource: 'S3 bucket test-gd-324237984731208478901374',
      principal: 'RoleSandboxAccess (AssumedRole)',
      'access key': 'ASIAUN7WV6J25JBV2AW4',
      'source IP': '111.111.111.111 (United Kingdom)',
      network: 'British Telecommunications PLC',
      'API called': 's3.amazonaws.com GetObject',
      occurrences: '3',
    });
    expect(facts.consoleUrl).toBe(
      'https://eu-west-2.console.aws.amazon.com/guardduty/home?region=eu-west-2#/findings?macros=current&fId=f1e2d3c4b5a697887766554433221100',
    );
  });

  it('names an EC2 instance and marks a sample finding', () => {
    // Act
    const facts = asMap('guardduty/backdoor-ec2-ccactivity-dns-sample.json');

    // Assess
    expect(facts).toMatchObject({
      resource: 'EC2 instance i-99999999',
      sample: 'yes: made by "Generate sample findings", names placeholder resources',
    });
  });
});

describe('describeEvent for a Config compliance change', () => {
  it("names the rule, the resource and links to the rule and to the resource's CloudTrail history", () => {
    // Act
    const facts = factsOf('config/sagemaker-notebook-no-direct-internet-access-noncompliant.json');

    // Assess
    expect(facts).toMatchObject({
      severity: 'MEDIUM',
      headline: 'fraud-research-notebook is NON_COMPLIANT (AWS Config rule sagemaker-notebook-no-direct-internet-access)',
    });
    expect(Object.fromEntries(facts.facts)).toMatchObject({
      rule: 'sagemaker-notebook-no-direct-internet-access',
      resource: 'AWS::SageMaker::NotebookInstance fraud-research-notebook',
      compliance: 'COMPLIANT -> NON_COMPLIANT',
    });
    expect(facts.consoleUrl).toBe(
      'https://us-east-2.console.aws.amazon.com/config/home?region=us-east-2#/rules/details?configRuleName=sagemaker-notebook-no-direct-internet-access',
    );
    expect(facts.nextSteps).toEqual([
      'See every recorded change to fraud-research-notebook in CloudTrail event history: https://us-east-2.console.aws.amazon.com/cloudtrail/home?region=us-east-2#/events?ResourceName=fraud-research-notebook',
    ]);
  });
});

describe('console links', () => {
  it.each([
    [
      'eu-central-2',
      'https://eu-central-2.console.aws.amazon.com/cloudwatch/home?region=eu-central-2#alarmsV2:alarm/fraud-detector-model-latency',
    ],
    [
      'ap-southeast-7',
      'https://ap-southeast-7.console.aws.amazon.com/cloudwatch/home?region=ap-southeast-7#alarmsV2:alarm/fraud-detector-model-latency',
    ],
    ['cn-north-1', 'https://console.amazonaws.cn/cloudwatch/home?region=cn-north-1#alarmsV2:alarm/fraud-detector-model-latency'],
    ['cn-northwest-1', 'https://console.amazonaws.cn/cloudwatch/home?region=cn-northwest-1#alarmsV2:alarm/fraud-detector-model-latency'],
    [
      'us-gov-west-1',
      'https://console.amazonaws-us-gov.com/cloudwatch/home?region=us-gov-west-1#alarmsV2:alarm/fraud-detector-model-latency',
    ],
    [
      'us-gov-east-1',
      'https://console.amazonaws-us-gov.com/cloudwatch/home?region=us-gov-east-1#alarmsV2:alarm/fraud-detector-model-latency',
    ],
  ])("point to the console of the event's region %s", (region, url) => {
    // Act
    const facts = factsOf('cloudwatch/alarm-state-change-sagemaker-model-latency.json', (e) => {
      e.region = region;
    });

    // Assess
    expect(facts.consoleUrl).toBe(url);
  });

  it('encode an alarm name with spaces and slashes', () => {
    // Act
    const facts = factsOf('cloudwatch/alarm-state-change-sagemaker-model-latency.json', (e) => {
      e.detail.alarmName = 'Fraud detector / p90 latency';
    });

    // Assess
    expect(facts.consoleUrl).toBe(
      'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/Fraud%20detector%20%2F%20p90%20latency',
    );
  });

  it('point a GuardDuty finding of China (Beijing) to the China console', () => {
    // Act
    const facts = factsOf('guardduty/exfiltration-s3-anomalousbehavior.json', (e) => {
      e.detail.region = 'cn-north-1';
    });

    // Assess
    expect(facts.consoleUrl).toBe(
      'https://console.amazonaws.cn/guardduty/home?region=cn-north-1#/findings?macros=current&fId=f1e2d3c4b5a697887766554433221100',
    );
  });
});

describe('describeEvent on every sample event', () => {
  it.each(allEventPaths().filter((p) => !p.startsWith('invalid/')))(
    'gives %s facts with distinct labels, so none is lost in the JSON',
    (path) => {
      // Act
      const labels = describeEvent(parseEvent(loadEvent(path))).facts.map(([label]) => label);

      // Assess
      expect(new Set(labels).size).toBe(labels.length);
    },
  );
});
