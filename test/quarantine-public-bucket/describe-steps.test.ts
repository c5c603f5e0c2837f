import { describe, expect, it } from 'vitest';
import { describeStep } from '../../functions/quarantine-public-bucket/describe-steps.js';
import type { QuarantineStepData } from '../../functions/quarantine-public-bucket/steps.js';

/** What each quarantine step says, and how to undo it: the one describer the planner's data goes through. */
const on = { bucket: 'ml-data', expectedOwner: '123456789012' };
const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const owner = { ID: 'owner-id' };

describe('describeStep', () => {
  it.each<[string, QuarantineStepData, string, string | undefined]>([
    [
      'saving the prior state',
      { kind: 'savePriorState', ...on, critical: true, forensicsBucket: 'f', key: 'quarantine/ml-data/t/prior-state.json', document: {} },
      'Save the prior state to s3://f/quarantine/ml-data/t/prior-state.json',
      undefined,
    ],
    [
      'blocking, settings not read',
      { kind: 'blockPublicAccess', ...on },
      'Turn on all four Block Public Access settings (current settings not read)',
      'aws s3api delete-public-access-block --bucket ml-data',
    ],
    [
      'blocking, none set',
      { kind: 'blockPublicAccess', ...on, previous: null },
      'Turn on all four Block Public Access settings (were: none set)',
      'aws s3api delete-public-access-block --bucket ml-data',
    ],
    [
      'blocking, some set',
      {
        kind: 'blockPublicAccess',
        ...on,
        previous: { BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false },
      },
      'Turn on all four Block Public Access settings (were: BlockPublicAcls on)',
      'aws s3api put-public-access-block --bucket ml-data --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=false,BlockPublicPolicy=false,RestrictPublicBuckets=false',
    ],
    [
      'blocking, all off',
      {
        kind: 'blockPublicAccess',
        ...on,
        previous: { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false },
      },
      'Turn on all four Block Public Access settings (were: all off)',
      'aws s3api put-public-access-block --bucket ml-data --public-access-block-configuration BlockPublicAcls=false,IgnorePublicAcls=false,BlockPublicPolicy=false,RestrictPublicBuckets=false',
    ],
    [
      'ACL grants, ACL not read',
      { kind: 'removePublicAclGrants', ...on },
      'Remove ACL grants to AllUsers and AuthenticatedUsers, if any (ACL not read)',
      undefined,
    ],
    [
      'ACL grants',
      {
        kind: 'removePublicAclGrants',
        ...on,
        acl: {
          owner,
          keep: [{ Grantee: { Type: 'CanonicalUser', ID: 'owner-id' }, Permission: 'FULL_CONTROL' }],
          remove: [
            { Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'READ' },
            { Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'READ' },
            { Grantee: { Type: 'Group' }, Permission: 'WRITE' },
          ],
        },
      },
      'Remove 3 ACL grant(s) to AllUsers READ, group WRITE; keep the other 1',
      'restore the "acl" saved with the prior state: aws s3api put-bucket-acl --bucket ml-data --access-control-policy file://acl.json',
    ],
    [
      'policy, not read',
      { kind: 'removePublicPolicyStatements', ...on, deletePolicy: false, removedSids: [], keptCount: 0 },
      'Remove bucket-policy statements that allow the public, if any (policy not read)',
      undefined,
    ],
    [
      'policy, statements removed',
      {
        kind: 'removePublicPolicyStatements',
        ...on,
        deletePolicy: false,
        policy: '{}',
        removedSids: ['PublicRead', '#2 (no Sid)'],
        keptCount: 3,
      },
      'Remove 2 public statement(s) from the bucket policy (PublicRead, #2 (no Sid)); keep the other 3',
      'restore the "policy" saved with the prior state: aws s3api put-bucket-policy --bucket ml-data --policy file://policy.json',
    ],
    [
      'policy, deleted',
      { kind: 'removePublicPolicyStatements', ...on, deletePolicy: true, removedSids: ['PublicRead'], keptCount: 0 },
      'Delete the bucket policy: its only statement(s) allow the public (PublicRead)',
      'restore the "policy" saved with the prior state: aws s3api put-bucket-policy --bucket ml-data --policy file://policy.json',
    ],
    [
      'tags, with the others kept',
      {
        kind: 'tagQuarantined',
        ...on,
        quarantinedAt: '2026-11-26T03:00:00.000Z',
        trigger: 'guardduty:abc',
        tags: [
          { Key: 'team', Value: 'ml' },
          { Key: 'ml-guard:quarantined', Value: '2026-11-26T03:00:00.000Z' },
          { Key: 'ml-guard:trigger', Value: 'guardduty:abc' },
        ],
      },
      'Tag the bucket ml-guard:quarantined=2026-11-26T03:00:00.000Z and ml-guard:trigger=guardduty:abc, keeping its 1 other tag(s)',
      'remove the tags ml-guard:quarantined and ml-guard:trigger (the saved "tags" list the originals)',
    ],
    [
      'tags, not read',
      { kind: 'tagQuarantined', ...on, quarantinedAt: 't', trigger: 'config:s3-bucket-public-read-prohibited' },
      'Tag the bucket ml-guard:quarantined=t and ml-guard:trigger=config:s3-bucket-public-read-prohibited, keeping its 0 other tag(s)',
      'remove the tags ml-guard:quarantined and ml-guard:trigger (the saved "tags" list the originals)',
    ],
  ])('%s', (_, step, summary, undo) => {
    expect(describeStep(step)).toEqual({ summary, ...(undo ? { undo } : {}) });
  });

  it('shell-quotes a bucket name that is not a plain word in every command', () => {
    const odd = { ...on, bucket: "ml data's" };

    expect(describeStep({ kind: 'blockPublicAccess', ...odd, previous: null }).undo).toBe(
      "aws s3api delete-public-access-block --bucket 'ml data'\\''s'",
    );
  });
});
