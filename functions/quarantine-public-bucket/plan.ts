import { ALL_PUBLIC_ACCESS_BLOCKED, type PublicAccessBlockConfiguration, type Tag } from '../core/aws/s3.js';
import { tagValue } from '../core/aws/tags.js';
import type { PlanContext } from '../core/remediation/remediate.js';
import type { Plan } from '../core/remediation/types.js';
import { described, QUARANTINED_TAG, TRIGGER_TAG } from './describe-steps.js';
import type { BucketState } from './observe.js';
import { isPublicGrant } from './public-acl.js';
import { type PolicySplit, splitPublicStatements } from './public-policy.js';
import type { QuarantineStep } from './steps.js';
import { type BucketTarget, describeTarget } from './targets.js';

/** S3 allows at most 50 tags on a bucket. */
const MAX_BUCKET_TAGS = 50;

/**
 * Pure: from a bucket and what was read of it, the steps that make it private (or why there are none).
 * Order: save the prior state, block public access, strip public ACL grants, strip public policy statements, tag.
 */
export function planTarget(target: BucketTarget, state: BucketState, context: PlanContext): Plan<QuarantineStep> {
  const ref = describeTarget(target);
  const leftAlone = whyLeftAlone(state, context.config.exemptTagKey);
  if (leftAlone) return { target: ref, steps: [], hold: 'skipped', reason: leftAlone };

  const notes = describeUnreadable(state.unreadable);
  const changes = planChanges(target, state, notes);
  if (changes.length === 0) {
    return { target: ref, steps: [], reason: 'the bucket is already private: nothing to change', ...(notes.length ? { notes } : {}) };
  }

  const stamp = context.now.toISOString();
  const save = planPriorState(target, state, context, stamp);
  if (!save) notes.push('FORENSICS_BUCKET is not set: the prior state would not be saved (required in enforce mode)');
  const tag = planTags(target, state.tags, stamp);
  if (typeof tag === 'string') notes.push(tag);
  const steps = [...(save ? [save] : []), ...changes, ...(typeof tag === 'string' ? [] : [tag])];

  const unread = state.unreadable;
  return {
    target: ref,
    steps,
    ...(unread.length > 0
      ? {
          unverified: {
            reason: `could not read ${unread.map((u) => u.part).join(', ')}: nothing changed, to be safe`,
            retryable: unread.some((u) => u.transient === true),
          },
        }
      : {}),
    ...(notes.length ? { notes } : {}),
  };
}

/** Why the rules leave the bucket alone (gone, or exempt by tag), if they do. */
function whyLeftAlone(state: BucketState, exemptKey: string): string | undefined {
  if (state.gone) return 'the bucket no longer exists';
  const exemption = state.tags?.find((t) => t.Key === exemptKey);
  return exemption ? `the bucket carries the exemption tag ${exemptKey}=${exemption.Value ?? ''}` : undefined;
}

/** The changes that make the bucket private: Block Public Access, public ACL grants, public policy statements. */
function planChanges(target: BucketTarget, state: BucketState, notes: string[]): QuarantineStep[] {
  const on = { bucket: target.bucket, expectedOwner: target.account };
  const changes: QuarantineStep[] = [];

  // Block Public Access, all four settings.
  const pab = state.publicAccessBlock;
  if (pab === undefined || !allBlocked(pab)) changes.push(described({ kind: 'blockPublicAccess', ...on, previous: pab }));

  // Public ACL grants, unless ACLs are disabled.
  if (state.objectOwnership === 'BucketOwnerEnforced') {
    notes.push('ACLs are disabled (object ownership BucketOwnerEnforced): the ACL grants nothing and is left alone');
  } else if (state.acl === undefined) {
    changes.push(described({ kind: 'removePublicAclGrants', ...on }));
  } else {
    const remove = state.acl.grants.filter(isPublicGrant);
    if (remove.length > 0 && !state.acl.owner) {
      notes.push('the ACL has public grants but no owner was returned, so it cannot be rewritten');
    } else if (remove.length > 0 && state.acl.owner) {
      const acl = { owner: state.acl.owner, keep: state.acl.grants.filter((g) => !isPublicGrant(g)), remove };
      changes.push(described({ kind: 'removePublicAclGrants', ...on, acl }));
    }
  }

  // Public bucket-policy statements.
  if (state.policy === undefined) {
    changes.push(described({ kind: 'removePublicPolicyStatements', ...on, deletePolicy: false, removedSids: [], keptCount: 0 }));
  } else if (state.policy !== null) {
    const policyStep = planPolicy(state.policy, on);
    if (typeof policyStep === 'string') notes.push(policyStep);
    else if (policyStep) changes.push(policyStep);
  }
  return changes;
}

/** Saving what the bucket was, before any change, where FORENSICS_BUCKET says; critical: nothing runs without it. */
function planPriorState(target: BucketTarget, state: BucketState, context: PlanContext, stamp: string): QuarantineStep | undefined {
  const forensicsBucket = context.config.forensicsBucket;
  if (!forensicsBucket) return undefined;
  const { bucket, account: expectedOwner } = target;
  return described({
    kind: 'savePriorState',
    bucket,
    expectedOwner,
    critical: true,
    forensicsBucket,
    key: `quarantine/${bucket}/${stamp}/prior-state.json`,
    document: {
      bucket,
      savedAt: stamp,
      eventId: context.event.envelope.id,
      trigger: target.trigger,
      tags: state.tags ?? null,
      publicAccessBlock: state.publicAccessBlock ?? null,
      policy: state.policy ?? null,
      acl: state.acl ?? null,
      objectOwnership: state.objectOwnership ?? null,
      unreadable: state.unreadable,
    },
  });
}

/** One note per distinct error: `could not read the tags, ACL: AccessDenied: ...`. */
function describeUnreadable(unreadable: BucketState['unreadable']): string[] {
  const byError = new Map<string, string[]>();
  for (const { part, error } of unreadable) byError.set(error, [...(byError.get(error) ?? []), part]);
  return [...byError].map(([error, parts]) => `could not read the ${parts.join(', ')}: ${error}`);
}

function planPolicy(policy: string, on: { bucket: string; expectedOwner: string }): QuarantineStep | string | undefined {
  let split: PolicySplit;
  try {
    split = splitPublicStatements(policy);
  } catch (error) {
    return `the bucket policy could not be parsed (${(error as Error).message}): left alone`;
  }
  if (split.publicStatements.length === 0) return undefined;
  const deletePolicy = split.keptStatements.length === 0;
  return described({
    kind: 'removePublicPolicyStatements',
    ...on,
    deletePolicy,
    ...(deletePolicy ? {} : { policy: JSON.stringify({ ...split.document, Statement: split.keptStatements }) }),
    removedSids: split.publicStatements.map((s, i) => s.Sid ?? `#${i + 1} (no Sid)`),
    keptCount: split.keptStatements.length,
  });
}

function planTags(target: BucketTarget, existing: Tag[] | undefined, stamp: string): QuarantineStep | string {
  const trigger = tagValue(target.trigger);
  const ours = [
    { Key: QUARANTINED_TAG, Value: stamp },
    { Key: TRIGGER_TAG, Value: trigger },
  ];
  const kept = (existing ?? []).filter((t) => t.Key !== QUARANTINED_TAG && t.Key !== TRIGGER_TAG);
  if (kept.length + ours.length > MAX_BUCKET_TAGS) {
    return `the bucket already has ${kept.length} tags: no room for the quarantine tags (S3 allows ${MAX_BUCKET_TAGS})`;
  }
  return described({
    kind: 'tagQuarantined',
    bucket: target.bucket,
    expectedOwner: target.account,
    quarantinedAt: stamp,
    trigger,
    ...(existing ? { tags: [...kept, ...ours] } : {}),
  });
}

function allBlocked(pab: PublicAccessBlockConfiguration | null): boolean {
  return !!pab && (Object.keys(ALL_PUBLIC_ACCESS_BLOCKED) as (keyof PublicAccessBlockConfiguration)[]).every((k) => pab[k] === true);
}
