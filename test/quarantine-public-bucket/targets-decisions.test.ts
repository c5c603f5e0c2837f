import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../functions/core/config.js';
import { parseEvent } from '../../functions/core/events/details.js';
import { describeTarget, selectTargets } from '../../functions/quarantine-public-bucket/targets.js';
import { loadEvent } from '../support/events.js';

/** Which events name a bucket to quarantine, one row per case, each citing the AWS behaviour it reflects. */
const NONCOMPLIANT = 'config/s3-bucket-public-read-prohibited-noncompliant.json';
const select = (path: string, change: (e: any) => void = () => {}) => {
  const event = loadEvent(path);
  change(event);
  return selectTargets(parseEvent(event), loadConfig({}));
};

describe('selectTargets for a Config compliance change', () => {
  it('quarantines the NON_COMPLIANT bucket, in the account Config evaluated, with the rule as trigger', () => {
    // Act
    const selection = select(NONCOMPLIANT);

    // Assess
    expect(selection).toEqual({
      action: 'remediate',
      targets: [
        {
          bucket: 'ml-model-artifacts-123456789012',
          account: '123456789012',
          region: 'us-east-2',
          trigger: 'config:s3-bucket-public-read-prohibited',
          partition: 'aws',
        },
      ],
    });
  });

  it('names a bucket of a China or GovCloud region by the ARN of its partition', () => {
    // Prepare
    const event = loadEvent(NONCOMPLIANT);
    event.detail.awsRegion = 'cn-north-1';
    event.region = 'cn-north-1';

    // Act
    const selection = selectTargets(parseEvent(event), loadConfig({}));

    // Assess
    expect(selection.action === 'remediate' && selection.targets.map(describeTarget)).toEqual([
      { type: 'AWS::S3::Bucket', id: 'ml-model-artifacts-123456789012', arn: 'arn:aws-cn:s3:::ml-model-artifacts-123456789012' },
    ]);
  });

  it.each<[string, string, (e: any) => void, string]>([
    // Config reports COMPLIANT when a bucket is fixed: nothing to do.
    [
      'a COMPLIANT bucket',
      'config/s3-bucket-public-read-prohibited-compliant.json',
      () => {},
      'bucket ml-model-artifacts-123456789012 is COMPLIANT, not NON_COMPLIANT',
    ],
    // A rule about something else (IAM access keys) is another function's.
    [
      'a rule that is not about public buckets',
      'config/access-keys-rotated-noncompliant.json',
      () => {},
      'Config rule access-keys-rotated is not one that quarantine-public-bucket handles',
    ],
    // A public-bucket rule evaluating a resource that is not a bucket names nothing to quarantine.
    [
      'a resource that is not a bucket',
      NONCOMPLIANT,
      (e) => {
        e.detail.resourceType = 'AWS::S3::AccountPublicAccessBlock';
      },
      'resource type AWS::S3::AccountPublicAccessBlock is not AWS::S3::Bucket',
    ],
  ])('ignores %s, with the reason', (_, path, change, reason) => {
    // Act
    const selection = select(path, change);

    // Assess
    expect(selection).toEqual({ action: 'ignore', reason });
  });
});

describe('describeTarget', () => {
  it('names a bucket by its S3 ARN, which has no region or account', () => {
    // Act
    const ref = describeTarget({ bucket: 'ml-data', account: '123456789012', region: 'eu-west-2', trigger: 'config:x' });

    // Assess
    expect(ref).toEqual({ type: 'AWS::S3::Bucket', id: 'ml-data', arn: 'arn:aws:s3:::ml-data' });
  });
});
