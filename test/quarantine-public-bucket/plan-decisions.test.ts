import { describe, expect, it } from 'vitest';
import type { Grant, Tag } from '../../functions/core/aws/s3.js';
import { loadConfig } from '../../functions/core/config.js';
import { parseEvent } from '../../functions/core/events/details.js';
import type { PlanContext } from '../../functions/core/remediation/remediate.js';
import { described } from '../../functions/quarantine-public-bucket/describe-steps.js';
import type { BucketState } from '../../functions/quarantine-public-bucket/observe.js';
import { planTarget } from '../../functions/quarantine-public-bucket/plan.js';
import { type BucketTarget, describeTarget } from '../../functions/quarantine-public-bucket/targets.js';
import { loadEvent } from '../support/events.js';
import { allUsersRead, OWNER, ownerFullControl } from '../support/fake-bucket.js';

/**
 * The security decisions of the quarantine planner, one row per case, each citing the S3 behaviour it reflects.
 * The planner is pure: a bucket state in, the exact plan out.
 */
const FINDING = 'guardduty/policy-s3-bucketpublicaccessgranted.json';
const NOW = new Date('2026-11-26T03:00:00.000Z');
const STAMP = NOW.toISOString();
const FORENSICS = 'ml-guard-forensics-123456789012';
const target: BucketTarget = {
  bucket: 'ml-data',
  account: '123456789012',
  region: 'eu-west-2',
  trigger: 'guardduty:c2b1f0e6a7d84c5b9e3f2a1d0c9b8a71',
};
const on = { bucket: target.bucket, expectedOwner: target.account };
const ALL_ON = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
const PRIVATE_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Logs',
      Effect: 'Allow',
      Principal: { Service: 'logging.s3.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: 'arn:aws:s3:::ml-data/*',
    },
  ],
});

function contextWith(env: Record<string, string> = { FORENSICS_BUCKET: FORENSICS }): PlanContext {
  return {
    event: parseEvent(loadEvent(FINDING)),
    config: loadConfig({ TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:ml-guard', REMEDIATION_MODE: 'enforce', ...env }),
    now: NOW,
  };
}

/** A bucket that is private in every way S3 can say so: the starting point each case changes one thing of. */
function privateBucket(more: Partial<BucketState> = {}): BucketState {
  return {
    gone: false,
    tags: [{ Key: 'team', Value: 'ml' }],
    publicAccessBlock: ALL_ON,
    policy: null,
    acl: { owner: OWNER, grants: [ownerFullControl] },
    objectOwnership: 'BucketOwnerPreferred',
    unreadable: [],
    ...more,
  };
}

const ourTags = (others: Tag[]) =>
  described({
    kind: 'tagQuarantined',
    ...on,
    quarantinedAt: STAMP,
    trigger: target.trigger,
    tags: [...others, { Key: 'ml-guard:quarantined', Value: STAMP }, { Key: 'ml-guard:trigger', Value: target.trigger }],
  });
const blockAll = (previous: BucketState['publicAccessBlock']) => described({ kind: 'blockPublicAccess', ...on, previous });
const manyTags = (n: number): Tag[] => Array.from({ length: n }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` }));

describe('planTarget: what leaves a bucket alone', () => {
  it('names the exemption tag with an empty value when S3 returns the tag without a Value', () => {
    // Prepare: S3 tags may have an empty value; the SDK can omit it.
    const state = privateBucket({ publicAccessBlock: null, tags: [{ Key: 'ml-guard:exempt' } as Tag] });

    // Act
    const plan = planTarget(target, state, contextWith());

    // Assess
    expect(plan).toEqual({
      target: describeTarget(target),
      steps: [],
      hold: 'skipped',
      reason: 'the bucket carries the exemption tag ml-guard:exempt=',
    });
  });

  it('changes nothing on a bucket whose policy S3 reports as absent (NoSuchBucketPolicy) and is otherwise private', () => {
    // Act
    const plan = planTarget(target, privateBucket({ policy: null }), contextWith());

    // Assess
    expect(plan).toEqual({ target: describeTarget(target), steps: [], reason: 'the bucket is already private: nothing to change' });
  });
});

describe('planTarget: Block Public Access', () => {
  it.each<[string, BucketState['publicAccessBlock'], boolean]>([
    // S3 blocks public access only when all four settings are true: one false setting leaves a way in.
    ['all four on: nothing to do', ALL_ON, false],
    ['three on, RestrictPublicBuckets off', { ...ALL_ON, RestrictPublicBuckets: false }, true],
    [
      'only BlockPublicAcls on',
      { BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false },
      true,
    ],
    ['a setting S3 left out counts as off', { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true }, true],
    ['no configuration (NoSuchPublicAccessBlockConfiguration)', null, true],
    ['not read', undefined, true],
  ])('%s', (_, publicAccessBlock, blocks) => {
    // Prepare
    const state = privateBucket({ publicAccessBlock });

    // Act
    const plan = planTarget(target, state, contextWith());

    // Assess
    const kinds = plan.steps.map((s) => s.kind);
    expect(kinds.includes('blockPublicAccess')).toBe(blocks);
    if (blocks) expect(plan.steps.find((s) => s.kind === 'blockPublicAccess')).toEqual(blockAll(publicAccessBlock));
  });
});

describe('planTarget: ACL grants', () => {
  it('notes, and does not rewrite, an ACL with public grants when S3 returned no owner (PutBucketAcl needs the owner)', () => {
    // Prepare
    const state = privateBucket({ acl: { grants: [ownerFullControl, allUsersRead] } });

    // Act
    const plan = planTarget(target, state, contextWith({}));

    // Assess
    expect(plan).toEqual({
      target: describeTarget(target),
      steps: [],
      reason: 'the bucket is already private: nothing to change',
      notes: ['the ACL has public grants but no owner was returned, so it cannot be rewritten'],
    });
  });

  it('notes nothing about an ACL without owner when it grants nothing to the public', () => {
    // Act
    const plan = planTarget(target, privateBucket({ acl: { grants: [ownerFullControl] } }), contextWith());

    // Assess
    expect(plan).toEqual({ target: describeTarget(target), steps: [], reason: 'the bucket is already private: nothing to change' });
  });

  it('removes the AllUsers grant and keeps the owner grant when S3 returned the owner', () => {
    // Prepare
    const grants: Grant[] = [ownerFullControl, allUsersRead];

    // Act
    const plan = planTarget(target, privateBucket({ acl: { owner: OWNER, grants } }), contextWith({}));

    // Assess
    expect(plan.steps.map((s) => s.kind)).toEqual(['removePublicAclGrants', 'tagQuarantined']);
    expect(plan.steps[0]).toEqual(
      described({ kind: 'removePublicAclGrants', ...on, acl: { owner: OWNER, keep: [ownerFullControl], remove: [allUsersRead] } }),
    );
  });
});

describe('planTarget: the bucket policy', () => {
  it('plans a policy step that deletes nothing when the policy could not be read (the executor holds it back)', () => {
    // Prepare
    const state = privateBucket({
      policy: undefined,
      unreadable: [{ part: 'bucket policy', error: 'AccessDenied: no', transient: false }],
    });

    // Act
    const plan = planTarget(target, state, contextWith({}));

    // Assess
    expect(plan.steps).toEqual([
      described({ kind: 'removePublicPolicyStatements', ...on, deletePolicy: false, removedSids: [], keptCount: 0 }),
      ourTags([{ Key: 'team', Value: 'ml' }]),
    ]);
  });

  it('leaves alone, with a note, a policy that is not valid JSON', () => {
    // Act
    const plan = planTarget(target, privateBucket({ policy: '{not json' }), contextWith());

    // Assess
    expect(plan.steps).toEqual([]);
    expect(plan.notes).toHaveLength(1);
    expect(plan.notes?.[0]).toMatch(/^the bucket policy could not be parsed \(.+\): left alone$/);
  });

  it('leaves alone, with the parser reason, a policy without a Statement', () => {
    // Act
    const plan = planTarget(target, privateBucket({ policy: '{"Version":"2012-10-17"}' }), contextWith());

    // Assess
    expect(plan).toEqual({
      target: describeTarget(target),
      steps: [],
      reason: 'the bucket is already private: nothing to change',
      notes: ['the bucket policy could not be parsed (bucket policy has no Statement): left alone'],
    });
  });

  it('keeps a policy with no public statement untouched', () => {
    // Act
    const plan = planTarget(target, privateBucket({ policy: PRIVATE_POLICY }), contextWith());

    // Assess
    expect(plan.steps).toEqual([]);
  });

  it('names public statements without a Sid by their position, counting from 1', () => {
    // Prepare: the Sid is optional in an IAM policy statement.
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::ml-data/*' },
        { Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:ListBucket', Resource: 'arn:aws:s3:::ml-data' },
      ],
    });

    // Act
    const plan = planTarget(target, privateBucket({ policy }), contextWith({}));

    // Assess
    expect(plan.steps[0]).toEqual(
      described({
        kind: 'removePublicPolicyStatements',
        ...on,
        deletePolicy: true,
        removedSids: ['PublicRead', '#2 (no Sid)'],
        keptCount: 0,
      }),
    );
  });
});

describe('planTarget: saving the prior state', () => {
  it('saves every part read, as read, before any change', () => {
    // Prepare
    const publicAccessBlock = { ...ALL_ON, BlockPublicPolicy: false };
    const state = privateBucket({ publicAccessBlock, objectOwnership: 'ObjectWriter', policy: PRIVATE_POLICY });

    // Act
    const plan = planTarget(target, state, contextWith());

    // Assess
    expect(plan.steps[0]).toEqual(
      described({
        kind: 'savePriorState',
        ...on,
        critical: true,
        forensicsBucket: FORENSICS,
        key: `quarantine/ml-data/${STAMP}/prior-state.json`,
        document: {
          bucket: 'ml-data',
          savedAt: STAMP,
          eventId: '7b2c4e1a-4f0e-4a6e-9d56-0e2f6c1d9a01',
          trigger: target.trigger,
          tags: [{ Key: 'team', Value: 'ml' }],
          publicAccessBlock,
          policy: PRIVATE_POLICY,
          acl: { owner: OWNER, grants: [ownerFullControl] },
          objectOwnership: 'ObjectWriter',
          unreadable: [],
        },
      }),
    );
  });

  it('plans no save, and says so, when FORENSICS_BUCKET is not set', () => {
    // Act
    const plan = planTarget(target, privateBucket({ publicAccessBlock: null }), contextWith({}));

    // Assess
    expect(plan).toEqual({
      target: describeTarget(target),
      steps: [blockAll(null), ourTags([{ Key: 'team', Value: 'ml' }])],
      notes: ['FORENSICS_BUCKET is not set: the prior state would not be saved (required in enforce mode)'],
    });
  });

  it('adds no note when the prior state is saved', () => {
    // Act
    const plan = planTarget(target, privateBucket({ publicAccessBlock: null }), contextWith());

    // Assess
    expect(plan.steps.map((s) => s.kind)).toEqual(['savePriorState', 'blockPublicAccess', 'tagQuarantined']);
    expect(plan).not.toHaveProperty('notes');
  });
});

describe('planTarget: the quarantine tags (PutBucketTagging replaces the whole set; S3 allows 50 tags)', () => {
  it.each<[string, Tag[], Tag[] | string]>([
    ['keeps the other tags and adds ours', [{ Key: 'team', Value: 'ml' }], [{ Key: 'team', Value: 'ml' }]],
    [
      'replaces an earlier ml-guard:quarantined tag instead of repeating it',
      [
        { Key: 'ml-guard:quarantined', Value: 'old' },
        { Key: 'team', Value: 'ml' },
      ],
      [{ Key: 'team', Value: 'ml' }],
    ],
    [
      'replaces an earlier ml-guard:trigger tag instead of repeating it',
      [
        { Key: 'team', Value: 'ml' },
        { Key: 'ml-guard:trigger', Value: 'config:old' },
      ],
      [{ Key: 'team', Value: 'ml' }],
    ],
    ['fits 48 other tags and ours: 50 in all', manyTags(48), manyTags(48)],
    [
      'counts only the other tags when ours are there already: 48 others and our 2 fit',
      [...manyTags(48), { Key: 'ml-guard:quarantined', Value: 'old' }, { Key: 'ml-guard:trigger', Value: 'old' }],
      manyTags(48),
    ],
    [
      'leaves 49 other tags alone, with a note: 51 would be refused',
      manyTags(49),
      'the bucket already has 49 tags: no room for the quarantine tags (S3 allows 50)',
    ],
  ])('%s', (_, tags, expected) => {
    // Prepare
    const state = privateBucket({ tags, publicAccessBlock: null });

    // Act
    const plan = planTarget(target, state, contextWith({}));

    // Assess
    const forensics = 'FORENSICS_BUCKET is not set: the prior state would not be saved (required in enforce mode)';
    if (typeof expected === 'string') {
      expect(plan).toEqual({ target: describeTarget(target), steps: [blockAll(null)], notes: [forensics, expected] });
    } else {
      expect(plan).toEqual({ target: describeTarget(target), steps: [blockAll(null), ourTags(expected)], notes: [forensics] });
    }
  });

  it('tags without a tag set when the tags could not be read', () => {
    // Prepare
    const state = privateBucket({ tags: undefined, publicAccessBlock: null, unreadable: [{ part: 'tags', error: 'AccessDenied: no' }] });

    // Act
    const plan = planTarget(target, state, contextWith());

    // Assess
    expect(plan.steps.at(-1)).toEqual(described({ kind: 'tagQuarantined', ...on, quarantinedAt: STAMP, trigger: target.trigger }));
  });
});

describe('planTarget: state that could not be read', () => {
  it.each<[string, BucketState['unreadable'], boolean]>([
    // A throttled or 5xx read may succeed on retry; AccessDenied will not.
    [
      'none transient: not retryable',
      [
        { part: 'tags', error: 'AccessDenied: no' },
        { part: 'ACL', error: 'AccessDenied: no', transient: false },
      ],
      false,
    ],
    [
      'one transient of two: retryable',
      [
        { part: 'tags', error: 'AccessDenied: no' },
        { part: 'ACL', error: 'SlowDown: later', transient: true },
      ],
      true,
    ],
  ])('%s', (_, unreadable, retryable) => {
    // Prepare
    const state = privateBucket({ tags: undefined, acl: undefined, unreadable });

    // Act
    const plan = planTarget(target, state, contextWith());

    // Assess
    expect(plan.unverified).toEqual({ reason: 'could not read tags, ACL: nothing changed, to be safe', retryable });
  });
});
