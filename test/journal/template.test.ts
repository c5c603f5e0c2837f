import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../functions/core/config.js';
import { journalIamActions } from '../../functions/core/journal/dynamodb.js';
import { bucketLimit } from '../../functions/quarantine-public-bucket/settings.js';
import { loadTemplate, policyStatements } from '../support/template.js';

const template = loadTemplate();
const REMEDIATIONS = ['QuarantinePublicBucket', 'StopCompromisedTrainingJob', 'RotateCredentials'];
const FUNCTIONS = [...REMEDIATIONS, 'Notify'];

describe('the action journal and the failure alarms in template.yaml', () => {
  it('define the journal table with the key the code writes, TTL on expiresAt, point-in-time recovery, kept when the stack goes', () => {
    const table = template.Resources.JournalTable;

    expect(table?.Type).toBe('AWS::DynamoDB::Table');
    expect(table?.DeletionPolicy).toBe('Retain');
    expect(table?.Properties.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(table?.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it.each(REMEDIATIONS)('give %s the journal table, its retention, and its actions on that table alone, in every mode', (fn) => {
    const variables = template.Resources[`${fn}Function`]?.Properties.Environment.Variables;
    const journal = policyStatements(template, `${fn}Role`).filter((s) =>
      journalIamActions.some((a) => (Array.isArray(s.Action) ? s.Action : [s.Action]).includes(a)),
    );

    expect(variables).toMatchObject({ JOURNAL_TABLE: { Ref: 'JournalTable' }, JOURNAL_RETENTION_DAYS: { Ref: 'JournalRetentionDays' } });
    expect(journal).toHaveLength(1);
    expect(journal[0]).toMatchObject({
      Effect: 'Allow',
      Action: [...journalIamActions],
      Resource: { 'Fn::GetAtt': ['JournalTable', 'Arn'] },
    });
    expect(journal[0]?.condition).toBeUndefined();
  });

  it('use the same journal retention default in the template and the code', () => {
    expect(template.Parameters?.JournalRetentionDays).toMatchObject({ Type: 'Number', Default: loadConfig({}).journalRetentionDays });
  });

  it("pass MaxBucketsPerEvent to quarantine-public-bucket with the function's own default", () => {
    expect(template.Resources.QuarantinePublicBucketFunction?.Properties.Environment.Variables).toMatchObject({
      MAX_BUCKETS_PER_EVENT: { Ref: 'MaxBucketsPerEvent' },
    });
    expect(template.Parameters?.MaxBucketsPerEvent).toMatchObject({ Type: 'Number', Default: bucketLimit({}).max });
  });

  it('alarm on a message in the dead-letter queue, to the alarm topic', () => {
    const alarm = template.Resources.DeadLetterQueueAlarm?.Properties;

    expect(alarm).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['DeadLetterQueue', 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: 'AlarmTopic' }],
    });
  });

  it.each(FUNCTIONS)('alarm on any error of %s, to the alarm topic', (fn) => {
    const alarm = template.Resources[`${fn}ErrorsAlarm`]?.Properties;

    expect(alarm).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: `${fn}Function` } }],
      Statistic: 'Sum',
      Threshold: 1,
      AlarmActions: [{ Ref: 'AlarmTopic' }],
    });
  });

  it('keep the alarm topic off the AWS managed SNS key, which CloudWatch alarms cannot publish to, and let it have its own e-mail', () => {
    expect(template.Resources.AlarmTopic?.Properties.KmsMasterKeyId).toBeUndefined();
    expect(template.Resources.AlarmEmailSubscription).toMatchObject({
      Condition: 'HasAlarmEmail',
      Properties: { TopicArn: { Ref: 'AlarmTopic' }, Protocol: 'email', Endpoint: { Ref: 'AlarmEmail' } },
    });
  });
});
