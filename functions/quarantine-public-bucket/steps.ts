import type { Grant, Owner, PublicAccessBlockConfiguration, Tag } from '../core/aws/s3.js';

interface BucketStep {
  bucket: string;
  expectedOwner: string;
  summary: string;
  undo?: string;
  critical?: boolean;
}

/** The prior state of the bucket, saved before anything changes so that a person can restore it. */
export interface SavePriorState extends BucketStep {
  kind: 'savePriorState';
  forensicsBucket: string;
  key: string;
  document: unknown;
  critical: true;
}

export interface BlockPublicAccess extends BucketStep {
  kind: 'blockPublicAccess';
  previous?: PublicAccessBlockConfiguration | null;
}

/** `acl` is absent only in a dry-run whose ACL could not be read; such a plan never runs. */
export interface RemovePublicAclGrants extends BucketStep {
  kind: 'removePublicAclGrants';
  acl?: { owner: Owner; keep: Grant[]; remove: Grant[] };
}

/** `policy` undefined with `deletePolicy` false only in a dry-run whose policy could not be read. */
export interface RemovePublicPolicyStatements extends BucketStep {
  kind: 'removePublicPolicyStatements';
  /** The policy to put: the original without its public statements. */
  policy?: string;
  /** No statement is left: delete the policy instead. */
  deletePolicy: boolean;
  removedSids: string[];
}

export interface TagQuarantined extends BucketStep {
  kind: 'tagQuarantined';
  /** The whole tag set to put (PutBucketTagging replaces every tag), existing tags included. */
  tags?: Tag[];
}

export type QuarantineStep =
  | SavePriorState
  | BlockPublicAccess
  | RemovePublicAclGrants
  | RemovePublicPolicyStatements
  | TagQuarantined;
