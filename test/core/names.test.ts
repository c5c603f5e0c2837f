import { describe, expect, it } from 'vitest';
import { partitionOf } from '../../functions/core/aws/partition.js';
import { managedRuleNamed } from '../../functions/core/events/config-rules.js';

describe('managedRuleNamed', () => {
  it.each<[string, string | undefined]>([
    ['s3-bucket-public-read-prohibited', 'S3_BUCKET_PUBLIC_READ_PROHIBITED'],
    ['access-keys-rotated', 'ACCESS_KEYS_ROTATED'],
    ['s3-bucket-public-read-prohibited-conformance-pack-abcd1234', 'S3_BUCKET_PUBLIC_READ_PROHIBITED'],
    ['securityhub-s3-bucket-public-read-prohibited-a1b2c3', 'S3_BUCKET_PUBLIC_READ_PROHIBITED'],
    ['securityhub-access-keys-rotated-a1b2c3', 'ACCESS_KEYS_ROTATED'],
    ['cloudtrail-enabled', 'CLOUD_TRAIL_ENABLED'],
    ['iam-user-unused-credentials-check', 'IAM_USER_UNUSED_CREDENTIALS_CHECK'],
    // Not the managed rule's names: a prefix, a suffix of another kind, a rule named alike, the identifier itself.
    ['s3-bucket-public-read-prohibited-custom', undefined],
    ['my-s3-bucket-public-read-prohibited', undefined],
    ['s3-public-read-prohibited', undefined],
    ['s3-bucket-public-read-prohibited-conformance-pack-', undefined],
    ['securityhub-s3-bucket-public-read-prohibited', undefined],
    ['S3_BUCKET_PUBLIC_READ_PROHIBITED', undefined],
    ['', undefined],
  ])('%j -> %s', (name, expected) => {
    expect(managedRuleNamed(name)).toBe(expected);
  });
});

describe('partitionOf', () => {
  it.each([
    ['eu-west-2', 'aws'],
    ['us-east-1', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-gov-east-1', 'aws-us-gov'],
  ])('%s -> %s', (region, partition) => {
    expect(partitionOf(region)).toBe(partition);
  });
});
