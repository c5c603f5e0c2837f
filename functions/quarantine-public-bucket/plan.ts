import { ALL_PUBLIC_ACCESS_BLOCKED, type PublicAccessBlockConfiguration, type Tag } from '../core/aws/s3.js';
import { tagValue } from '../core/aws/tags.js';
import type { PlanContext } from '../core/remediation/remediate.js';
import { shellQuote } from '../core/text.js';
import type { Plan } from '../core/remediation/types.js';
import type { BucketState } from './observe.js';
import { isPublicGrant } from './public-acl.js';
import { splitPublicStatements } from './public-policy.js';
import type { QuarantineStep } from './steps.js';
import { describeTarget, type BucketTarget } from './targets.js';

export const QUARANTINED_TAG = 'ml-guard:quarantined';
export const TRIGGER_TAG = 'ml-guard:trigger';
/** S3 allows at most 50 tags on a bucket. */
const MAX_BUCKET_TAGS = 50;

/**
 * Pure: from a bucket and what was read of it, the steps that make it private (or why there are none).
 * Order: save the prior state, block public access, strip public ACL grants, strip public policy statements, tag.
 */
export function planTarget(target: BucketTarget, state: BucketState, context: PlanContext): Plan<QuarantineStep> {
  const ref = describeTarget(target);
  const { bucket, expectedOwner } = target;
  const on = { bucket, expectedOwner };
  const exemptKey = context.config.exemptTagKey;

  if (state.gone) return { target: ref, steps: [], hold: 'skipped', reason: 'the bucket no longer exists' };
  const exemption = state.tags?.find((t) => t.Key === exemptKey);
  if (exemption) {
    return { target: ref, steps: [], hold: 'skipped', reason: `the bucket carries the exemption tag ${exemptKey}=${exemption.Value ?? ''}` };
  }

  const notes = describeUnreadable(state.unreadable);
  const changes: QuarantineStep[] = [];

  // 4. Block Public Access, all four settings.
  const pab = state.publicAccessBlock;
  if (pab === undefined || !allBlocked(pab)) {
    changes.push({
      kind: 'blockPublicAccess',
      ...on,
      previous: pab,
      summary: pab === undefined ? 'Turn on all four Block Public Access settings (current settings not read)' : `Turn on all four Block Public Access settings (were: ${describeBlock(pab)})`,
      undo: pab
        ? `aws s3api put-public-access-block --bucket ${shellQuote(bucket)} --public-access-block-configuration ${shellQuote(shorthand(pab))}`
        : `aws s3api delete-public-access-block --bucket ${shellQuote(bucket)}`,
    });
  }

  // 5. Public ACL grants, unless ACLs are disabled.
  if (state.objectOwnership === 'BucketOwnerEnforced') {
    notes.push('ACLs are disabled (object ownership BucketOwnerEnforced): the ACL grants nothing and is left alone');
  } else if (state.acl === undefined) {
    changes.push({ kind: 'removePublicAclGrants', ...on, summary: 'Remove ACL grants to AllUsers and AuthenticatedUsers, if any (ACL not read)' });
  } else {
    const remove = state.acl.grants.filter(isPublicGrant);
    if (remove.length > 0) {
      if (!state.acl.owner) {
        notes.push('the ACL has public grants but no owner was returned, so it cannot be rewritten');
      } else {
        changes.push({
          kind: 'removePublicAclGrants',
          ...on,
          acl: { owner: state.acl.owner, keep: state.acl.grants.filter((g) => !isPublicGrant(g)), remove },
          summary: `Remove ${remove.length} ACL grant(s) to ${[...new Set(remove.map((g) => `${groupName(g.Grantee?.URI)} ${g.Permission}`))].join(', ')}; keep the other ${state.acl.grants.length - remove.length}`,
          undo: `restore the "acl" saved with the prior state: aws s3api put-bucket-acl --bucket ${shellQuote(bucket)} --access-control-policy file://acl.json`,
        });
      }
    }
  }

  // 6. Public bucket-policy statements.
  if (state.policy === undefined) {
    changes.push({ kind: 'removePublicPolicyStatements', ...on, deletePolicy: false, removedSids: [], summary: 'Remove bucket-policy statements that allow the public, if any (policy not read)' });
  } else if (state.policy !== null) {
    const policyStep = planPolicy(state.policy, on);
    if (typeof policyStep === 'string') notes.push(policyStep);
    else if (policyStep) changes.push(policyStep);
  }

  if (changes.length === 0) {
    return { target: ref, steps: [], reason: 'the bucket is already private: nothing to change', ...(notes.length ? { notes } : {}) };
  }

  const steps: QuarantineStep[] = [];
  const stamp = context.now.toISOString();
  if (context.config.forensicsBucket) {
    const key = `quarantine/${bucket}/${stamp}/prior-state.json`;
    steps.push({
      kind: 'savePriorState',
      ...on,
      critical: true,
      forensicsBucket: context.config.forensicsBucket,
      key,
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
      summary: `Save the prior state to s3://${context.config.forensicsBucket}/${key}`,
    });
  } else {
    notes.push('FORENSICS_BUCKET is not set: the prior state would not be saved (required in enforce mode)');
  }
  steps.push(...changes);

  const tagStep = planTags(target, state.tags, stamp);
  if (typeof tagStep === 'string') notes.push(tagStep);
  else steps.push(tagStep);

  const unread = state.unreadable;
  return {
    target: ref,
    steps,
    ...(unread.length > 0
      ? { unverified: { reason: `could not read ${unread.map((u) => u.part).join(', ')}: nothing changed, to be safe`, retryable: unread.some((u) => u.transient === true) } }
      : {}),
    ...(notes.length ? { notes } : {}),
  };
}

/** One note per distinct error: `could not read the tags, ACL: AccessDenied: ...`. */
function describeUnreadable(unreadable: BucketState['unreadable']): string[] {
  const byError = new Map<string, string[]>();
  for (const { part, error } of unreadable) byError.set(error, [...(byError.get(error) ?? []), part]);
  return [...byError].map(([error, parts]) => `could not read the ${parts.join(', ')}: ${error}`);
}

function planPolicy(policy: string, on: { bucket: string; expectedOwner: string }): QuarantineStep | string | undefined {
  let split;
  try {
    split = splitPublicStatements(policy);
  } catch (error) {
    return `the bucket policy could not be parsed (${(error as Error).message}): left alone`;
  }
  if (split.publicStatements.length === 0) return undefined;
  const sids = split.publicStatements.map((s, i) => s.Sid ?? `#${i + 1} (no Sid)`);
  const deletePolicy = split.keptStatements.length === 0;
  return {
    kind: 'removePublicPolicyStatements',
    ...on,
    deletePolicy,
    ...(deletePolicy ? {} : { policy: JSON.stringify({ ...split.document, Statement: split.keptStatements }) }),
    removedSids: sids,
    summary: deletePolicy
      ? `Delete the bucket policy: its only statement(s) allow the public (${sids.join(', ')})`
      : `Remove ${sids.length} public statement(s) from the bucket policy (${sids.join(', ')}); keep the other ${split.keptStatements.length}`,
    undo: `restore the "policy" saved with the prior state: aws s3api put-bucket-policy --bucket ${shellQuote(on.bucket)} --policy file://policy.json`,
  };
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
  return {
    kind: 'tagQuarantined',
    bucket: target.bucket,
    expectedOwner: target.expectedOwner,
    ...(existing ? { tags: [...kept, ...ours] } : {}),
    summary: `Tag the bucket ${QUARANTINED_TAG}=${stamp} and ${TRIGGER_TAG}=${trigger}, keeping its ${kept.length} other tag(s)`,
    undo: `remove the tags ${QUARANTINED_TAG} and ${TRIGGER_TAG} (the saved "tags" list the originals)`,
  };
}

function allBlocked(pab: PublicAccessBlockConfiguration | null): boolean {
  return !!pab && (Object.keys(ALL_PUBLIC_ACCESS_BLOCKED) as (keyof PublicAccessBlockConfiguration)[]).every((k) => pab[k] === true);
}

function describeBlock(pab: PublicAccessBlockConfiguration | null): string {
  if (!pab) return 'none set';
  const on = (Object.keys(ALL_PUBLIC_ACCESS_BLOCKED) as (keyof PublicAccessBlockConfiguration)[]).filter((k) => pab[k] === true);
  return on.length ? `${on.join(', ')} on` : 'all off';
}

function shorthand(pab: PublicAccessBlockConfiguration): string {
  return (Object.keys(ALL_PUBLIC_ACCESS_BLOCKED) as (keyof PublicAccessBlockConfiguration)[]).map((k) => `${k}=${pab[k] === true}`).join(',');
}

function groupName(uri: string | undefined): string {
  return uri?.split('/').pop() ?? 'group';
}
