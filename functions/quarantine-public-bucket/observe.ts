import * as s3 from '../core/aws/s3.js';
import { unreadable } from '../core/errors.js';
import type { Unreadable } from '../core/remediation/types.js';
import type { BucketTarget } from './targets.js';

export type S3Adapter = typeof s3;

/**
 * What was read of a bucket. `undefined` means "not read" (see `unreadable`); `null` means S3 answered that the
 * configuration is not set (no policy, no public access block, no ownership controls).
 */
export interface BucketState {
  gone: boolean;
  tags?: s3.Tag[];
  publicAccessBlock?: s3.PublicAccessBlockConfiguration | null;
  policy?: string | null;
  acl?: { owner?: s3.Owner; grants: s3.Grant[] };
  objectOwnership?: string | null;
  /** Each part that could not be read, with the error. */
  unreadable: Unreadable[];
}

/** IAM actions the reads need (compared with the role in template.yaml by a test). */
export const observeIamActions = [
  's3:GetBucketTagging',
  's3:GetBucketPublicAccessBlock',
  's3:GetBucketPolicy',
  's3:GetBucketAcl',
  's3:GetBucketOwnershipControls',
] as const;

const PARTS = ['tags', 'public access block', 'bucket policy', 'ACL', 'ownership controls'];

/** Reads the live bucket: the event says what happened, only the bucket says what is true now. */
export async function observeTarget(target: BucketTarget, aws: S3Adapter): Promise<BucketState> {
  const ref = { bucket: target.bucket, expectedOwner: target.account };
  const state: BucketState = { gone: false, unreadable: [] };
  const read = async <K extends keyof BucketState>(part: string, key: K, get: () => Promise<BucketState[K]>) => {
    try {
      state[key] = await get();
    } catch (error) {
      if (error instanceof s3.BucketNotFoundError) state.gone = true;
      else state.unreadable.push(unreadable(part, error));
    }
  };
  // Tags first: a missing bucket answers here, and the exemption tag decides whether to go on.
  await read('tags', 'tags', () => aws.getBucketTags(ref));
  if (state.gone) return state;
  await Promise.all([
    read('public access block', 'publicAccessBlock', async () => (await aws.getPublicAccessBlock(ref)) ?? null),
    read('bucket policy', 'policy', async () => (await aws.getBucketPolicy(ref)) ?? null),
    read('ACL', 'acl', () => aws.getBucketAcl(ref)),
    read('ownership controls', 'objectOwnership', async () => (await aws.getObjectOwnership(ref)) ?? null),
  ]);
  // Parallel reads finish in any order: report them in the order they were asked for.
  state.unreadable.sort((a, b) => PARTS.indexOf(a.part) - PARTS.indexOf(b.part));
  return state;
}
