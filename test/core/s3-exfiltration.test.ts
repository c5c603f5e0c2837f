import { describe, expect, it } from 'vitest';
import { parseEvent } from '../../functions/core/events/details.js';
import type { GuardDutyFinding } from '../../functions/core/events/guardduty.js';
import { describeS3Exfiltration, s3AccessOf, serviceCallerOf } from '../../functions/core/events/s3-exfiltration.js';
import { loadEvent } from '../support/events.js';

const BUCKET = 'ml-training-data-123456789012';
/** The IAM-user S3 exfiltration fixture, with only what the case needs changed. */
const finding = (change: (d: any) => void = () => {}): GuardDutyFinding => {
  const event = loadEvent('guardduty/exfiltration-s3-anomalousbehavior-iamuser.json');
  change(event.detail);
  const parsed = parseEvent(event);
  if (parsed.kind !== 'guardduty') throw new Error('not a finding');
  return parsed.finding;
};

describe('serviceCallerOf: callers ml-guard never contains', () => {
  it.each<[string, GuardDutyFinding['resource']['accessKeyDetails'], RegExp | undefined]>([
    [
      'an AWS service',
      { userType: 'AWSService', userName: 'datasync.amazonaws.com' },
      /^the caller is an AWS service \(userType AWSService, datasync\.amazonaws\.com\)/,
    ],
    [
      'an AWS service named by its principal id only',
      { userType: 'AWSService', principalId: 'backup.amazonaws.com' },
      /\(userType AWSService, backup\.amazonaws\.com\)/,
    ],
    ['an AWS service the finding does not name', { userType: 'AWSService' }, /\(userType AWSService, \(not named\)\)/],
    [
      'a service-linked role',
      { userType: 'AssumedRole', userName: 'AWSServiceRoleForAmazonSageMakerNotebooks' },
      /^the caller is the service-linked role AWSServiceRoleForAmazonSageMakerNotebooks,/,
    ],
    // Only AWS names roles AWSServiceRoleFor...; a customer role may contain the words elsewhere.
    ['not a role whose name only contains the prefix', { userType: 'AssumedRole', userName: 'MyAWSServiceRoleForReports' }, undefined],
    ['not an IAM user named like a service-linked role', { userType: 'IAMUser', userName: 'AWSServiceRoleForReports' }, undefined],
    ['not an assumed role without a name', { userType: 'AssumedRole', userName: null, principalId: 'AROAEXAMPLE:session' }, undefined],
    ['not a finding without accessKeyDetails', undefined, undefined],
    ['not a finding whose accessKeyDetails is null', null, undefined],
  ])('%s', (_, key, reason) => {
    // Act
    const why = serviceCallerOf(key);

    // Assess
    if (reason) expect(why).toMatch(reason);
    else expect(why).toBeUndefined();
  });
});

describe('s3AccessOf and describeS3Exfiltration: what an S3 finding says was read', () => {
  it('names each bucket once, and the objects of each', () => {
    // Prepare
    const twoBuckets = finding((d) => {
      const [first] = d.resource.s3BucketDetails;
      d.resource.s3BucketDetails = [
        { ...first, s3ObjectDetails: [{ key: 'a.csv' }] },
        { ...first, s3ObjectDetails: [{ key: 'a.csv' }, { key: 'b.csv' }] },
        { name: 'other-bucket', s3ObjectDetails: [{ key: 'c.csv' }] },
      ];
    });

    // Act
    const access = s3AccessOf(twoBuckets);

    // Assess
    expect(describeS3Exfiltration(twoBuckets)).toMatch(`GetObject on S3 bucket ${BUCKET}, other-bucket (objects: `);
    expect(access).toEqual({
      buckets: [BUCKET, 'other-bucket'],
      objects: [`${BUCKET}/a.csv`, `${BUCKET}/b.csv`, 'other-bucket/c.csv'],
      moreObjects: 0,
    });
  });

  it('keeps an object name of exactly 200 characters whole, and skips ARNs that are empty or not text', () => {
    // Prepare
    const key = 'k'.repeat(200 - BUCKET.length - 1);

    // Act
    const access = s3AccessOf(
      finding((d) => (d.resource.s3BucketDetails[0].s3ObjectDetails = [{ key }, { objectArn: '' }, { objectArn: 7 }])),
    );

    // Assess
    expect(access.objects).toEqual([`${BUCKET}/${key}`]);
  });

  it('says what the caller did, to which bucket and objects', () => {
    expect(describeS3Exfiltration(finding())).toBe(
      `S3 exfiltration (GuardDuty Exfiltration:S3/AnomalousBehavior, severity 8): GetObject on S3 bucket ${BUCKET} (objects: ${BUCKET}/datasets/fraud/train/part-0000.parquet, ${BUCKET}/datasets/fraud/train/part-0001.parquet)`,
    );
  });

  it('says so when the finding names no bucket, no API and no object', () => {
    // Act
    const sentence = describeS3Exfiltration(
      finding((d) => {
        d.resource.s3BucketDetails = null;
        d.service.action = null;
      }),
    );

    // Assess
    expect(sentence).toBe('S3 exfiltration (GuardDuty Exfiltration:S3/AnomalousBehavior, severity 8): a bucket the finding does not name');
  });

  it('names the API without objects when the finding gives none', () => {
    expect(describeS3Exfiltration(finding((d) => delete d.resource.s3BucketDetails[0].s3ObjectDetails))).toBe(
      `S3 exfiltration (GuardDuty Exfiltration:S3/AnomalousBehavior, severity 8): GetObject on S3 bucket ${BUCKET}`,
    );
  });

  it('leaves out the API of a call that names none', () => {
    expect(describeS3Exfiltration(finding((d) => (d.service.action.awsApiCallAction = null)))).toMatch(/severity 8\): S3 bucket /);
  });
});
