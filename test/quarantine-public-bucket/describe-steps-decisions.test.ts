import { describe, expect, it } from 'vitest';
import { describeStep } from '../../functions/quarantine-public-bucket/describe-steps.js';
import type { QuarantineStepData } from '../../functions/quarantine-public-bucket/steps.js';

/** What a person is told a step does, in the cases the plain examples do not reach, one row per case. */
const on = { bucket: 'ml-data', expectedOwner: '123456789012' };
const owner = { ID: 'owner-id' };

describe('describeStep, the cases at the edges', () => {
  it.each<[string, QuarantineStepData, string]>([
    [
      // The settings that were on are all named, in S3's order, so that a person can compare with the console.
      'blocking, two settings were on',
      {
        kind: 'blockPublicAccess',
        ...on,
        previous: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false },
      },
      'Turn on all four Block Public Access settings (were: BlockPublicAcls, IgnorePublicAcls on)',
    ],
    [
      // The SDK types a grant's Grantee as optional: a grant without one is named by its permission alone.
      'ACL grants, one without a Grantee',
      { kind: 'removePublicAclGrants', ...on, acl: { owner, keep: [], remove: [{ Permission: 'READ_ACP' }] } },
      'Remove 1 ACL grant(s) to group READ_ACP; keep the other 0',
    ],
    [
      // PutBucketTagging replaces every tag: the count is of the other tags kept, ours being put again.
      'tags, two others kept and ours put again',
      {
        kind: 'tagQuarantined',
        ...on,
        quarantinedAt: 't',
        trigger: 'guardduty:abc',
        tags: [
          { Key: 'team', Value: 'ml' },
          { Key: 'cost-centre', Value: '42' },
          { Key: 'ml-guard:quarantined', Value: 't' },
          { Key: 'ml-guard:trigger', Value: 'guardduty:abc' },
        ],
      },
      'Tag the bucket ml-guard:quarantined=t and ml-guard:trigger=guardduty:abc, keeping its 2 other tag(s)',
    ],
  ])('%s', (_, step, summary) => {
    // Act
    const text = describeStep(step);

    // Assess
    expect(text.summary).toBe(summary);
  });
});
