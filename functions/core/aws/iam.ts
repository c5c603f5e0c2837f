/**
 * IAM and Secrets Manager, as rotate-credentials (and its undo) call them: one function per intent, with IAM's and
 * Secrets Manager's documented errors mapped to outcomes (IAM API reference: GetUser, ListUsers, ListUserTags,
 * ListAccessKeys, GetAccessKeyLastUsed, GetUserPolicy, GetRole, ListRoleTags, GetRolePolicy, UpdateAccessKey,
 * CreateAccessKey, PutUserPolicy, PutRolePolicy; Secrets Manager API reference: DescribeSecret, GetSecretValue,
 * PutSecretValue).
 *
 * Every call that names a user passes `UserName`: without it, IAM acts on the user whose key signs the request, that
 * is on this function's own credentials.
 */

import { inspect } from 'node:util';
import {
  CreateAccessKeyCommand,
  GetAccessKeyLastUsedCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListRoleTagsCommand,
  ListUsersCommand,
  ListUserTagsCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  type Tag,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { DescribeSecretCommand, GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { errorName, MlGuardError } from '../errors.js';
import { clientOptions, inActingAccount } from './client-options.js';

export type { Tag };

/** IAM and Secrets Manager of the account the event is about (in organization mode, the member role's; IAM is global). */
export const iamClient = inActingAccount((where) => new IAMClient({ ...clientOptions, ...where }));
export const secretsManagerClient = inActingAccount((where) => new SecretsManagerClient({ ...clientOptions, ...where }));

/** The user, role or secret named does not exist (IAM `NoSuchEntity`, Secrets Manager `ResourceNotFoundException`). */
export class EntityNotFoundError extends MlGuardError {
  override readonly name = 'EntityNotFoundError';
}

/** IAM refused a new access key because the user already has two (the documented quota). */
export class AccessKeyLimitError extends MlGuardError {
  override readonly name = 'AccessKeyLimitError';
}

/**
 * A secret value that never shows: JSON, string conversion and `util.inspect` (console.log, logger) give
 * `[redacted]`; only `reveal()` gives the value, and only the call that stores it uses it.
 */
export class SecretText {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toJSON(): string {
    return '[redacted]';
  }
  toString(): string {
    return '[redacted]';
  }
  [inspect.custom](): string {
    return '[redacted]';
  }
}

const isNotFound = (error: unknown) => ['NoSuchEntityException', 'NoSuchEntity', 'ResourceNotFoundException'].includes(errorName(error));

async function orNotFound<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isNotFound(error)) throw new EntityNotFoundError(`${what} does not exist`, { cause: error });
    throw error;
  }
}

async function unlessNotFound<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Pages through an IAM list call: `IsTruncated` says whether to go on (IAM may return fewer items than asked). */
async function allPages<T>(
  page: (marker: string | undefined) => Promise<{ items: T[]; isTruncated?: boolean; marker?: string }>,
): Promise<T[]> {
  const items: T[] = [];
  let marker: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const out = await page(marker);
    items.push(...out.items);
    if (!out.isTruncated || !out.marker || out.marker === marker) return items;
    marker = out.marker;
  }
  throw new Error('IAM kept answering IsTruncated after 1000 pages');
}

export interface IamPrincipal {
  name: string;
  id: string;
  arn: string;
  path: string;
}

// ------------------------------------------------------------------------------------------------ users

export async function getUser(userName: string): Promise<IamPrincipal> {
  const out = await orNotFound(`IAM user ${userName}`, () => iamClient().send(new GetUserCommand({ UserName: userName })));
  const u = out.User;
  return { name: u?.UserName ?? userName, id: u?.UserId ?? '', arn: u?.Arn ?? '', path: u?.Path ?? '/' };
}

/** The user with this id (`AIDA...`, as AWS Config names users), or undefined. ListUsers is the only call that finds it. */
export async function findUserById(userId: string): Promise<IamPrincipal | undefined> {
  const users = await allPages(async (marker) => {
    const out = await iamClient().send(new ListUsersCommand({ ...(marker ? { Marker: marker } : {}), MaxItems: 1000 }));
    return { items: out.Users ?? [], isTruncated: out.IsTruncated, marker: out.Marker };
  });
  const u = users.find((user) => user.UserId === userId);
  return u?.UserName ? { name: u.UserName, id: u.UserId ?? userId, arn: u.Arn ?? '', path: u.Path ?? '/' } : undefined;
}

export async function listUserTags(userName: string): Promise<Tag[]> {
  return orNotFound(`IAM user ${userName}`, () =>
    allPages(async (marker) => {
      const out = await iamClient().send(new ListUserTagsCommand({ UserName: userName, ...(marker ? { Marker: marker } : {}) }));
      return { items: out.Tags ?? [], isTruncated: out.IsTruncated, marker: out.Marker };
    }),
  );
}

export interface AccessKey {
  accessKeyId: string;
  status: 'Active' | 'Inactive' | 'Expired' | string;
  createDate?: Date;
  /** When it was last used (GetAccessKeyLastUsed): null when never; absent when not read. */
  lastUsed?: Date | null;
}

export async function listAccessKeys(userName: string): Promise<AccessKey[]> {
  return orNotFound(`IAM user ${userName}`, () =>
    allPages(async (marker) => {
      const out = await iamClient().send(new ListAccessKeysCommand({ UserName: userName, ...(marker ? { Marker: marker } : {}) }));
      const items = (out.AccessKeyMetadata ?? []).flatMap((k) =>
        k.AccessKeyId
          ? [{ accessKeyId: k.AccessKeyId, status: k.Status ?? 'unknown', ...(k.CreateDate ? { createDate: k.CreateDate } : {}) }]
          : [],
      );
      return { items, isTruncated: out.IsTruncated, marker: out.Marker };
    }),
  );
}

/**
 * When the key was last used: a date, or null when IAM has no record of its use (never used, or not since IAM began
 * tracking in April 2015). The request names only the key: the answer's user is checked against `userName`, so that
 * a key id of another user can never count as this user's.
 */
export async function getAccessKeyLastUsed(userName: string, accessKeyId: string): Promise<Date | null> {
  const out = await iamClient().send(new GetAccessKeyLastUsedCommand({ AccessKeyId: accessKeyId }));
  if (out.UserName !== undefined && out.UserName !== userName) {
    throw new Error(`IAM says access key ${accessKeyId} belongs to ${out.UserName}, not ${userName}`);
  }
  return out.AccessKeyLastUsed?.LastUsedDate ?? null;
}

/** An inline policy of the user, as JSON text, or undefined when the user has none of that name. */
export async function getUserPolicy(userName: string, policyName: string): Promise<string | undefined> {
  const out = await unlessNotFound(() => iamClient().send(new GetUserPolicyCommand({ UserName: userName, PolicyName: policyName })));
  return out?.PolicyDocument === undefined ? undefined : decodePolicy(out.PolicyDocument);
}

/** Turns an access key to Inactive (reversible; the key is kept as evidence: ml-guard never deletes one). */
export async function deactivateAccessKey(userName: string, accessKeyId: string): Promise<void> {
  await orNotFound(`access key ${accessKeyId} of IAM user ${userName}`, () =>
    iamClient().send(new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId, Status: 'Inactive' })),
  );
}

export interface NewAccessKey {
  accessKeyId: string;
  secretAccessKey: SecretText;
}

/** Creates an active access key for the user. IAM allows two keys per user (active or not): a third is refused. */
export async function createAccessKey(userName: string): Promise<NewAccessKey> {
  try {
    const out = await iamClient().send(new CreateAccessKeyCommand({ UserName: userName }));
    const key = out.AccessKey;
    if (!key?.AccessKeyId || !key.SecretAccessKey) throw new Error('CreateAccessKey returned no key');
    return { accessKeyId: key.AccessKeyId, secretAccessKey: new SecretText(key.SecretAccessKey) };
  } catch (error) {
    if (['LimitExceededException', 'LimitExceeded'].includes(errorName(error))) {
      throw new AccessKeyLimitError(`IAM user ${userName} already has 2 access keys, the most IAM allows`, { cause: error });
    }
    if (isNotFound(error)) throw new EntityNotFoundError(`IAM user ${userName} does not exist`, { cause: error });
    throw error;
  }
}

export async function putUserPolicy(userName: string, policyName: string, document: string): Promise<void> {
  await orNotFound(`IAM user ${userName}`, () =>
    iamClient().send(new PutUserPolicyCommand({ UserName: userName, PolicyName: policyName, PolicyDocument: document })),
  );
}

// ------------------------------------------------------------------------------------------------ roles

export async function getRole(roleName: string): Promise<IamPrincipal> {
  const out = await orNotFound(`IAM role ${roleName}`, () => iamClient().send(new GetRoleCommand({ RoleName: roleName })));
  const r = out.Role;
  return { name: r?.RoleName ?? roleName, id: r?.RoleId ?? '', arn: r?.Arn ?? '', path: r?.Path ?? '/' };
}

export async function listRoleTags(roleName: string): Promise<Tag[]> {
  return orNotFound(`IAM role ${roleName}`, () =>
    allPages(async (marker) => {
      const out = await iamClient().send(new ListRoleTagsCommand({ RoleName: roleName, ...(marker ? { Marker: marker } : {}) }));
      return { items: out.Tags ?? [], isTruncated: out.IsTruncated, marker: out.Marker };
    }),
  );
}

export async function getRolePolicy(roleName: string, policyName: string): Promise<string | undefined> {
  const out = await unlessNotFound(() => iamClient().send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName })));
  return out?.PolicyDocument === undefined ? undefined : decodePolicy(out.PolicyDocument);
}

/** IAM answers `UnmodifiableEntity` for a service-linked role: its policies belong to the service. */
export async function putRolePolicy(roleName: string, policyName: string, document: string): Promise<void> {
  await orNotFound(`IAM role ${roleName}`, () =>
    iamClient().send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: policyName, PolicyDocument: document })),
  );
}

/** IAM returns inline policy documents URL-encoded (RFC 3986); a document that is not encoded is returned as is. */
export function decodePolicy(document: string): string {
  try {
    return decodeURIComponent(document);
  } catch {
    return document;
  }
}

// ------------------------------------------------------------------------------------------------ secrets

export interface SecretMetadata {
  arn: string;
  name: string;
  tags: { Key?: string; Value?: string }[];
  /** Set when the secret is scheduled for deletion: it can then be neither read nor written. */
  deletedDate?: Date;
  rotationEnabled: boolean;
}

export async function describeSecret(secretId: string): Promise<SecretMetadata> {
  const out = await orNotFound(`secret ${secretId}`, () => secretsManagerClient().send(new DescribeSecretCommand({ SecretId: secretId })));
  return {
    arn: out.ARN ?? secretId,
    name: out.Name ?? secretId,
    tags: out.Tags ?? [],
    ...(out.DeletedDate ? { deletedDate: out.DeletedDate } : {}),
    rotationEnabled: out.RotationEnabled === true,
  };
}

/**
 * What the secret's current value holds, as far as ml-guard can tell:
 * - `access-key`: a `{"AccessKeyId": ..., "SecretAccessKey": ...}` JSON object, the format ml-guard rotates;
 * - `none`: no current value;
 * - `other`: any other value (not JSON, JSON of another shape, a binary value), with the ids among `keyIds` that
 *   appear in its text (in any case): such a value may hold a key in a way ml-guard cannot rotate.
 */
export type SecretContent = { format: 'access-key'; accessKeyId: string } | { format: 'none' } | { format: 'other'; mentions: string[] };

/**
 * Reads what the secret's current value holds (see `SecretContent`). The value itself is dropped here and never leaves
 * this function. A binary value is never `access-key`: ml-guard writes text, which would break its readers.
 */
export async function readSecretContent(secretArn: string, keyIds: readonly string[]): Promise<SecretContent> {
  const out = await unlessNotFound(() => secretsManagerClient().send(new GetSecretValueCommand({ SecretId: secretArn })));
  const text = out?.SecretString ?? (out?.SecretBinary ? Buffer.from(out.SecretBinary).toString('utf8') : '');
  if (!text) return { format: 'none' };
  const id = out?.SecretString === undefined ? undefined : accessKeyIdOf(text);
  if (id) return { format: 'access-key', accessKeyId: id };
  const upper = text.toUpperCase();
  return { format: 'other', mentions: keyIds.filter((k) => upper.includes(k.toUpperCase())) };
}

/** The `AccessKeyId` of a `{"AccessKeyId": ..., "SecretAccessKey": ...}` JSON object, or undefined. */
function accessKeyIdOf(text: string): string | undefined {
  try {
    const value: unknown = JSON.parse(text);
    const id = value && typeof value === 'object' ? (value as { AccessKeyId?: unknown }).AccessKeyId : undefined;
    return typeof id === 'string' && id ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Stores the key as the secret's new current value (Secrets Manager moves AWSCURRENT to it and keeps the old value
 * as AWSPREVIOUS). Returns the new version id.
 */
export async function storeAccessKeyInSecret(secretArn: string, key: NewAccessKey): Promise<string | undefined> {
  const out = await secretsManagerClient().send(
    new PutSecretValueCommand({
      SecretId: secretArn,
      SecretString: JSON.stringify({ AccessKeyId: key.accessKeyId, SecretAccessKey: key.secretAccessKey.reveal() }),
    }),
  );
  return out.VersionId;
}
