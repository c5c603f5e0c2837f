import type { Grant, Owner, PublicAccessBlockConfiguration, Tag } from '../core/aws/s3.js';
import type { StepText } from '../core/remediation/steps.js';

/** What every step acts on: the bucket, in the account the event says owns it (S3 refuses another owner's bucket). */
interface OnBucket {
  bucket: string;
  expectedOwner: string;
  critical?: boolean;
}

/** The prior state of the bucket, saved before anything changes so that a person can restore it. */
export interface SavePriorState extends OnBucket {
  kind: 'savePriorState';
  forensicsBucket: string;
  key: string;
  document: unknown;
  critical: true;
}

export interface BlockPublicAccess extends OnBucket {
  kind: 'blockPublicAccess';
  /** The settings before: `null` none, `undefined` not read. */
  previous?: PublicAccessBlockConfiguration | null;
}

export interface RemovePublicAclGrants extends OnBucket {
  kind: 'removePublicAclGrants';
  /** The ACL to put: its owner and the grants kept, and the public grants it removes. Absent: not read (see readState). */
  acl?: { owner: Owner; keep: Grant[]; remove: Grant[] };
}

export interface RemovePublicPolicyStatements extends OnBucket {
  kind: 'removePublicPolicyStatements';
  /** The policy to put: the original without its public statements. Absent with `deletePolicy` false: not read (see readState). */
  policy?: string;
  /** No statement is left: delete the policy instead. */
  deletePolicy: boolean;
  removedSids: string[];
  /** How many statements the policy keeps. */
  keptCount: number;
}

export interface TagQuarantined extends OnBucket {
  kind: 'tagQuarantined';
  /** The values of the two tags ml-guard adds. */
  quarantinedAt: string;
  trigger: string;
  /** The whole tag set to put (PutBucketTagging replaces every tag), existing tags included. Absent: not read (see readState). */
  tags?: Tag[];
}

/** A step as the planner decides it: data only. Its sentence and undo command come from `describeStep`. */
export type QuarantineStepData = SavePriorState | BlockPublicAccess | RemovePublicAclGrants | RemovePublicPolicyStatements | TagQuarantined;

/** A step of a plan: its data and its text. */
export type QuarantineStep = QuarantineStepData & StepText;
