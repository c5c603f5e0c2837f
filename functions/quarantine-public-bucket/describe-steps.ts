import { ALL_PUBLIC_ACCESS_BLOCKED, type PublicAccessBlockConfiguration } from '../core/aws/s3.js';
import type { StepText } from '../core/remediation/steps.js';
import { shellQuote } from '../core/text.js';
import type { QuarantineStep, QuarantineStepData } from './steps.js';

export const QUARANTINED_TAG = 'ml-guard:quarantined';
export const TRIGGER_TAG = 'ml-guard:trigger';

/** The step with its text: the one place where what a step says, and how to undo it, is written. */
export function described<T extends QuarantineStepData>(step: T): T & StepText {
  return { ...step, ...describeStep(step) } as T & StepText & QuarantineStep;
}

/** What a person reads of a step: its summary and, where it can be undone, the command or the saved state to use. */
export function describeStep(step: QuarantineStepData): StepText {
  const bucket = shellQuote(step.bucket);
  switch (step.kind) {
    case 'savePriorState':
      return { summary: `Save the prior state to s3://${step.forensicsBucket}/${step.key}` };
    case 'blockPublicAccess': {
      const pab = step.previous;
      return {
        summary:
          pab === undefined
            ? 'Turn on all four Block Public Access settings (current settings not read)'
            : `Turn on all four Block Public Access settings (were: ${describeBlock(pab)})`,
        undo: pab
          ? `aws s3api put-public-access-block --bucket ${bucket} --public-access-block-configuration ${shellQuote(shorthand(pab))}`
          : `aws s3api delete-public-access-block --bucket ${bucket}`,
      };
    }
    case 'removePublicAclGrants': {
      if (!step.acl) return { summary: 'Remove ACL grants to AllUsers and AuthenticatedUsers, if any (ACL not read)' };
      const { remove, keep } = step.acl;
      const grants = [...new Set(remove.map((g) => `${groupName(g.Grantee?.URI)} ${g.Permission}`))].join(', ');
      return {
        summary: `Remove ${remove.length} ACL grant(s) to ${grants}; keep the other ${keep.length}`,
        undo: `restore the "acl" saved with the prior state: aws s3api put-bucket-acl --bucket ${bucket} --access-control-policy file://acl.json`,
      };
    }
    case 'removePublicPolicyStatements': {
      if (!step.deletePolicy && step.policy === undefined)
        return { summary: 'Remove bucket-policy statements that allow the public, if any (policy not read)' };
      const sids = step.removedSids.join(', ');
      return {
        summary: step.deletePolicy
          ? `Delete the bucket policy: its only statement(s) allow the public (${sids})`
          : `Remove ${step.removedSids.length} public statement(s) from the bucket policy (${sids}); keep the other ${step.keptCount}`,
        undo: `restore the "policy" saved with the prior state: aws s3api put-bucket-policy --bucket ${bucket} --policy file://policy.json`,
      };
    }
    case 'tagQuarantined': {
      const others = step.tags ? step.tags.filter((t) => t.Key !== QUARANTINED_TAG && t.Key !== TRIGGER_TAG).length : 0;
      return {
        summary: `Tag the bucket ${QUARANTINED_TAG}=${step.quarantinedAt} and ${TRIGGER_TAG}=${step.trigger}, keeping its ${others} other tag(s)`,
        undo: `remove the tags ${QUARANTINED_TAG} and ${TRIGGER_TAG} (the saved "tags" list the originals)`,
      };
    }
  }
}

const SETTINGS = Object.keys(ALL_PUBLIC_ACCESS_BLOCKED) as (keyof PublicAccessBlockConfiguration)[];

function describeBlock(pab: PublicAccessBlockConfiguration | null): string {
  if (!pab) return 'none set';
  const on = SETTINGS.filter((k) => pab[k] === true);
  return on.length ? `${on.join(', ')} on` : 'all off';
}

/** The AWS CLI shorthand of the settings: `BlockPublicAcls=true,IgnorePublicAcls=false,...`. */
function shorthand(pab: PublicAccessBlockConfiguration): string {
  return SETTINGS.map((k) => `${k}=${pab[k] === true}`).join(',');
}

function groupName(uri: string | undefined): string {
  return uri?.split('/').pop() ?? 'group';
}
