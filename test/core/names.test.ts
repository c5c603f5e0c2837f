import { describe, expect, it } from 'vitest';
import { partitionOf } from '../../functions/core/aws/partition.js';
import { managedRuleNames } from '../../functions/core/events/config-rules.js';

describe('managedRuleNames', () => {
  const isPublicRead = managedRuleNames(['s3-bucket-public-read-prohibited', 'access-keys-rotated']);

  it.each<[string, boolean]>([
    ['s3-bucket-public-read-prohibited', true],
    ['access-keys-rotated', true],
    ['s3-bucket-public-read-prohibited-conformance-pack-abcd1234', true],
    ['securityhub-s3-bucket-public-read-prohibited-a1b2c3', true],
    ['securityhub-access-keys-rotated-a1b2c3', true],
    // Not the managed rule's names: a prefix, a suffix of another kind, a rule named alike.
    ['s3-bucket-public-read-prohibited-custom', false],
    ['my-s3-bucket-public-read-prohibited', false],
    ['s3-bucket-public-read-prohibited-conformance-pack-', false],
    ['securityhub-s3-bucket-public-read-prohibited', false],
    ['s3-bucket-public-write-prohibited', false],
    ['', false],
  ])('%j -> %s', (name, expected) => {
    expect(isPublicRead(name)).toBe(expected);
  });

  it('takes rule names literally, not as patterns', () => {
    expect(managedRuleNames(['a.b'])('axb')).toBe(false);
    expect(managedRuleNames(['a.b'])('a.b')).toBe(true);
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
