import { readState } from '../core/remediation/steps.js';
import { type Runners, stepData } from '../core/remediation/types.js';
import type { S3Adapter } from './observe.js';
import type { QuarantineStep } from './steps.js';

/** One runner per step kind, each with the IAM actions it calls. */
export const runners: Runners<QuarantineStep, S3Adapter> = {
  savePriorState: {
    iamActions: ['s3:PutObject'],
    // The document is the object saved, in the forensics bucket: the journal names where it is, not what it holds.
    journalData: ({ document: _document, ...step }) => stepData(step),
    async run(step, aws) {
      // The key holds the plan's timestamp: a key written already holds this exact state.
      const put = await aws.putJsonObject(step.forensicsBucket, step.key, step.document);
      return put === 'already-exists' ? { outcome: 'already-done', detail: 'already saved' } : { outcome: 'done' };
    },
  },
  blockPublicAccess: {
    iamActions: ['s3:PutBucketPublicAccessBlock'],
    async run(step, aws) {
      await aws.blockAllPublicAccess(step);
      return { outcome: 'done' };
    },
  },
  removePublicAclGrants: {
    iamActions: ['s3:PutBucketAcl'],
    async run(step, aws) {
      const acl = readState(step.acl, 'the ACL was not read');
      // Ownership may have been switched to BucketOwnerEnforced since it was read: ACLs then grant nothing.
      const put = await aws.putBucketAclWhereEnabled(step, acl.owner, acl.keep);
      return put === 'acls-disabled' ? { outcome: 'already-done', detail: 'ACLs are disabled on the bucket' } : { outcome: 'done' };
    },
  },
  removePublicPolicyStatements: {
    iamActions: ['s3:PutBucketPolicy', 's3:DeleteBucketPolicy'],
    async run(step, aws) {
      if (step.deletePolicy) {
        await aws.deleteBucketPolicy(step);
        return { outcome: 'done', detail: 'policy deleted' };
      }
      await aws.putBucketPolicy(step, readState(step.policy, 'the bucket policy was not read'));
      return { outcome: 'done' };
    },
  },
  tagQuarantined: {
    iamActions: ['s3:PutBucketTagging'],
    async run(step, aws) {
      await aws.putBucketTags(step, readState(step.tags, 'the bucket tags were not read'));
      return { outcome: 'done' };
    },
  },
};
