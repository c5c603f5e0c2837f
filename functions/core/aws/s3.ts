import {
  DeleteBucketPolicyCommand,
  GetBucketAclCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  type Grant,
  type Owner,
  type PublicAccessBlockConfiguration,
  PutBucketAclCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  type Tag,
} from '@aws-sdk/client-s3';
import { errorName, MlGuardError } from '../errors.js';
import { clientOptions, endpointOverridden, inActingAccount, onFirstUse } from './client-options.js';

const s3Options = () => ({ ...clientOptions, followRegionRedirects: true, forcePathStyle: endpointOverridden('S3') });

/**
 * The S3 client of the buckets an event is about: in organization mode, of the account and region the flow acts in
 * (`inActingAccount`). Path-style addressing when an endpoint override is set (LocalStack).
 */
export const s3Client = inActingAccount((where) => new S3Client({ ...s3Options(), ...where }));

/** The S3 client of the function's own account, for its own buckets (the forensics bucket), whatever account it acts in. */
export const ownS3Client = onFirstUse(() => new S3Client(s3Options()));

export type { Grant, Owner, PublicAccessBlockConfiguration, Tag };

/** The bucket is gone (or was never there): a normal outcome, not a failure. */
export class BucketNotFoundError extends MlGuardError {
  override readonly name = 'BucketNotFoundError';
}

/** Calls `read`, returning `undefined` when S3 answers with one of the errors that mean "not configured". */
async function unlessNotConfigured<T>(read: () => Promise<T>, notConfigured: string[]): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    const name = errorName(error);
    if (name === 'NoSuchBucket') throw new BucketNotFoundError('the bucket does not exist', { cause: error });
    if (notConfigured.includes(name)) return undefined;
    throw error;
  }
}

export interface BucketRef {
  bucket: string;
  /** The account that must own the bucket: S3 refuses (403) rather than act on a same-named bucket of another account. */
  expectedOwner?: string;
}

const ids = ({ bucket, expectedOwner }: BucketRef) => ({
  Bucket: bucket,
  ...(expectedOwner ? { ExpectedBucketOwner: expectedOwner } : {}),
});

export async function getBucketTags(ref: BucketRef): Promise<Tag[]> {
  const out = await unlessNotConfigured(() => s3Client().send(new GetBucketTaggingCommand(ids(ref))), ['NoSuchTagSet']);
  return out?.TagSet ?? [];
}

export async function getPublicAccessBlock(ref: BucketRef): Promise<PublicAccessBlockConfiguration | undefined> {
  const out = await unlessNotConfigured(
    () => s3Client().send(new GetPublicAccessBlockCommand(ids(ref))),
    ['NoSuchPublicAccessBlockConfiguration'],
  );
  return out?.PublicAccessBlockConfiguration;
}

export async function getBucketPolicy(ref: BucketRef): Promise<string | undefined> {
  const out = await unlessNotConfigured(() => s3Client().send(new GetBucketPolicyCommand(ids(ref))), ['NoSuchBucketPolicy']);
  return out?.Policy;
}

export async function getBucketAcl(ref: BucketRef): Promise<{ owner?: Owner; grants: Grant[] }> {
  const out = await unlessNotConfigured(() => s3Client().send(new GetBucketAclCommand(ids(ref))), []);
  return { ...(out?.Owner ? { owner: out.Owner } : {}), grants: out?.Grants ?? [] };
}

/** `BucketOwnerEnforced`, `BucketOwnerPreferred`, `ObjectWriter`, or undefined when no ownership controls are set. */
export async function getObjectOwnership(ref: BucketRef): Promise<string | undefined> {
  const out = await unlessNotConfigured(
    () => s3Client().send(new GetBucketOwnershipControlsCommand(ids(ref))),
    ['OwnershipControlsNotFoundError'],
  );
  return out?.OwnershipControls?.Rules?.[0]?.ObjectOwnership;
}

export const ALL_PUBLIC_ACCESS_BLOCKED: Required<PublicAccessBlockConfiguration> = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

export async function blockAllPublicAccess(ref: BucketRef): Promise<void> {
  await s3Client().send(new PutPublicAccessBlockCommand({ ...ids(ref), PublicAccessBlockConfiguration: ALL_PUBLIC_ACCESS_BLOCKED }));
}

export async function putBucketAcl(ref: BucketRef, owner: Owner, grants: Grant[]): Promise<void> {
  await s3Client().send(new PutBucketAclCommand({ ...ids(ref), AccessControlPolicy: { Owner: owner, Grants: grants } }));
}

/**
 * Puts the ACL where ACLs still apply: a bucket whose object ownership is BucketOwnerEnforced refuses every ACL but the
 * owner's (S3's `AccessControlListNotSupported`), and its ACL grants nothing: that is `acls-disabled`.
 */
export async function putBucketAclWhereEnabled(ref: BucketRef, owner: Owner, grants: Grant[]): Promise<'put' | 'acls-disabled'> {
  try {
    await putBucketAcl(ref, owner, grants);
    return 'put';
  } catch (error) {
    if (errorName(error) === 'AccessControlListNotSupported') return 'acls-disabled';
    throw error;
  }
}

export async function putBucketPolicy(ref: BucketRef, policy: string): Promise<void> {
  await s3Client().send(new PutBucketPolicyCommand({ ...ids(ref), Policy: policy }));
}

export async function deleteBucketPolicy(ref: BucketRef): Promise<void> {
  await s3Client().send(new DeleteBucketPolicyCommand(ids(ref)));
}

/** PutBucketTagging replaces the whole tag set: pass the merged set. */
export async function putBucketTags(ref: BucketRef, tags: Tag[]): Promise<void> {
  await s3Client().send(new PutBucketTaggingCommand({ ...ids(ref), Tagging: { TagSet: tags } }));
}

/**
 * Writes an object to a bucket of the function's own account (the evidence bucket), with its own credentials, never a
 * member role's; only if the key is free (`If-None-Match: *`), so a retry or a replay never writes a second version:
 * S3's 412 `PreconditionFailed` means the key was written already, which is `already-exists`. A checksum (CRC32) goes
 * with every put: S3 requires one (or Content-MD5) on a bucket with Object Lock retention.
 */
export async function putObjectOnce(bucket: string, key: string, body: string, contentType: string): Promise<'written' | 'already-exists'> {
  try {
    await ownS3Client().send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: contentType,
        IfNoneMatch: '*',
        ChecksumAlgorithm: 'CRC32',
      }),
    );
    return 'written';
  } catch (error) {
    if (errorName(error) === 'PreconditionFailed') return 'already-exists';
    throw error;
  }
}

/** Writes a JSON document that a person can read back to undo a change (a resource's prior state): see putObjectOnce. */
export function putJsonObject(bucket: string, key: string, document: unknown): Promise<'written' | 'already-exists'> {
  return putObjectOnce(bucket, key, JSON.stringify(document, null, 2), 'application/json');
}
