import * as aws from '../core/aws/iam.js';
import { unreadable as unread } from '../core/errors.js';
import { sameName } from '../core/principals.js';
import type { PlanContext } from '../core/remediation/remediate.js';
import type { Unreadable as UnreadPart } from '../core/remediation/types.js';
import { REVOCATION_POLICY_NAME } from './revocation.js';
import { SECRET_USER_TAG, settingsOf } from './settings.js';
import type { CredentialTarget, StaleKeysTarget, UserKeyTarget } from './targets.js';

export type IamAdapter = typeof aws;

/** IAM and Secrets Manager actions the reads need, whatever the mode (compared with the role in template.yaml). */
export const observeIamActions = [
  'iam:GetUser',
  'iam:ListUsers',
  'iam:ListUserTags',
  'iam:ListAccessKeys',
  'iam:GetAccessKeyLastUsed',
  'iam:GetUserPolicy',
  'iam:GetRole',
  'iam:ListRoleTags',
  'iam:GetRolePolicy',
  'secretsmanager:DescribeSecret',
  'secretsmanager:GetSecretValue',
] as const;

type Unreadable = UnreadPart[];

/** The secret a user's tag names, as far as it was read. */
export interface SecretState {
  /** The tag's value: the secret's name or ARN. */
  ref: string;
  metadata?: aws.SecretMetadata;
  /** The secret does not exist. */
  missing?: boolean;
  /**
   * The access key id the secret holds now as `{"AccessKeyId", "SecretAccessKey"}` JSON, the format ml-guard rotates;
   * null when it holds none in that format; undefined when its value was not read.
   */
  holds?: string | null;
  /** Set when the value is in another format: the ids of the user's keys that appear in it (it may hold those). */
  otherFormat?: { mentions: string[] };
  /** Why the secret's value was not read although the secret was (a rule, not an error). */
  refused?: string;
  /** The exemption tag the secret carries (`key=value`): it is read, never written. */
  exempt?: string;
}

/**
 * What was read of an IAM user. `undefined` means "not read" (see `unreadable`); for the revocation policy, `null`
 * means IAM answered that the user has none.
 */
export interface UserState {
  kind: 'user';
  gone: boolean;
  user?: aws.IamPrincipal;
  tags?: aws.Tag[];
  keys?: aws.AccessKey[];
  revocation?: string | null;
  secret?: SecretState;
  unreadable: Unreadable;
}

export interface RoleState {
  kind: 'role';
  gone: boolean;
  role?: aws.IamPrincipal;
  tags?: aws.Tag[];
  revocation?: string | null;
  unreadable: Unreadable;
}

/** The root user and other principals: nothing can be read or changed through IAM. */
export interface NothingRead {
  kind: 'none';
}

export type CredentialState = UserState | RoleState | NothingRead;

/** Reads the live principal: the event says what happened, only IAM says what is true now. */
export async function observeTarget(target: CredentialTarget, iam: IamAdapter, context: PlanContext): Promise<CredentialState> {
  switch (target.kind) {
    case 'user-key':
    case 'stale-keys':
      return observeUser(target, iam, context);
    case 'role':
      return observeRole(target.roleName, iam);
    case 'root':
    case 'other':
      return { kind: 'none' };
  }
}

const USER_PARTS = ['user', 'tags', 'access keys', 'revocation policy', 'secret'];

async function observeUser(target: UserKeyTarget | StaleKeysTarget, iam: IamAdapter, context: PlanContext): Promise<UserState> {
  const state: UserState = { kind: 'user', gone: false, unreadable: [] };
  const read = reader(state);

  if (target.kind === 'stale-keys') {
    await read('user', 'user', async () => {
      const user = await iam.findUserById(target.userId);
      if (!user) throw new aws.EntityNotFoundError(`no IAM user has the id ${target.userId}`);
      return user;
    });
    // Without a name nothing else can be read.
    if (!state.user) return state;
  } else {
    await read('user', 'user', () => iam.getUser(target.userName));
    if (state.gone) return state;
  }
  const userName = state.user?.name ?? (target.kind === 'user-key' ? target.userName : '');

  await Promise.all([
    read('tags', 'tags', () => iam.listUserTags(userName)),
    read('access keys', 'keys', () => iam.listAccessKeys(userName)),
    // A Config event revokes no session, so the revocation policy is not read for it.
    ...(target.kind === 'user-key'
      ? [read('revocation policy', 'revocation', async () => (await iam.getUserPolicy(userName, REVOCATION_POLICY_NAME)) ?? null)]
      : []),
  ]);
  if (state.gone) return state;
  if (target.kind === 'stale-keys' && target.check === 'unused' && state.keys) {
    await readLastUse(userName, state.keys, iam, state.unreadable);
  }

  const { secretTagKey } = settingsOf(context.config);
  const ref = state.tags?.find((t) => t.Key === secretTagKey)?.Value?.trim();
  if (ref) {
    state.secret = { ref };
    // The keys the value is searched for, should it be in another format than the one ml-guard rotates.
    const keyIds = new Set([
      ...(state.keys ?? []).map((k) => k.accessKeyId),
      ...(target.kind === 'user-key' && target.accessKeyId ? [target.accessKeyId] : []),
    ]);
    await observeSecret(
      state.secret,
      userName,
      [...keyIds],
      target.account,
      target.region,
      context.config.exemptTagKey,
      iam,
      state.unreadable,
    );
  }
  // A key's last use is read after the keys: its failures come right after theirs.
  const rank = (part: string) => USER_PARTS.indexOf(part.startsWith('last use of ') ? 'access keys' : part);
  state.unreadable.sort((a, b) => rank(a.part) - rank(b.part));
  return state;
}

/**
 * When each active key was last used, for a rule about unused credentials. A key whose last use cannot be read keeps
 * `lastUsed` absent, and the planner leaves it alone.
 */
async function readLastUse(userName: string, keys: aws.AccessKey[], iam: IamAdapter, unreadable: Unreadable): Promise<void> {
  await Promise.all(
    keys
      .filter((k) => k.status === 'Active')
      .map(async (key) => {
        try {
          key.lastUsed = await iam.getAccessKeyLastUsed(userName, key.accessKeyId);
        } catch (error) {
          unreadable.push(unread(`last use of ${key.accessKeyId}`, error));
        }
      }),
  );
}

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):(\d{12}):secret:.+$/;

/**
 * Reads the secret the user's tag names, and which key its value holds, only when the secret is in this account and
 * region and carries the tag ml-guard:access-key-user with the user's name: a user's own tag (which a compromised
 * user may be able to set) must never be enough to make ml-guard write a new key into a secret of its choosing.
 */
async function observeSecret(
  secret: SecretState,
  userName: string,
  keyIds: string[],
  account: string,
  region: string,
  exemptTagKey: string,
  iam: IamAdapter,
  unreadable: Unreadable,
) {
  const arn = SECRET_ARN.exec(secret.ref);
  if (arn && (arn[1] !== region || arn[2] !== account)) {
    secret.refused = `it is not a secret of account ${account} in ${region}, where the event is and this function acts`;
    return;
  }
  try {
    secret.metadata = await iam.describeSecret(secret.ref);
  } catch (error) {
    if (error instanceof aws.EntityNotFoundError) secret.missing = true;
    else unreadable.push(unread('secret', error));
    return;
  }
  const owner = secret.metadata.tags.find((t) => t.Key === SECRET_USER_TAG)?.Value;
  if (secret.metadata.deletedDate) {
    secret.refused = 'it is scheduled for deletion';
  } else if (owner === undefined || !sameName(owner, userName)) {
    secret.refused = `it does not carry the tag ${SECRET_USER_TAG}=${userName}${owner === undefined ? '' : ` (it says ${owner})`}`;
  }
  if (secret.refused) return;
  const exemption = secret.metadata.tags.find((t) => t.Key === exemptTagKey);
  if (exemption) secret.exempt = `${exemptTagKey}=${exemption.Value ?? ''}`;
  try {
    const content = await iam.readSecretContent(secret.metadata.arn, keyIds);
    secret.holds = content.format === 'access-key' ? content.accessKeyId : null;
    if (content.format === 'other') secret.otherFormat = { mentions: content.mentions };
  } catch (error) {
    unreadable.push(unread('secret', error));
  }
}

async function observeRole(roleName: string, iam: IamAdapter): Promise<RoleState> {
  const state: RoleState = { kind: 'role', gone: false, unreadable: [] };
  const read = reader(state);
  await read('role', 'role', () => iam.getRole(roleName));
  if (state.gone) return state;
  await Promise.all([
    read('tags', 'tags', () => iam.listRoleTags(roleName)),
    read('revocation policy', 'revocation', async () => (await iam.getRolePolicy(roleName, REVOCATION_POLICY_NAME)) ?? null),
  ]);
  const order = ['role', 'tags', 'revocation policy'];
  state.unreadable.sort((a, b) => order.indexOf(a.part) - order.indexOf(b.part));
  return state;
}

/** Reads one part of the state: "does not exist" marks the principal gone, any other error is reported. */
function reader<S extends { gone: boolean; unreadable: Unreadable }>(state: S) {
  return async <K extends keyof S>(part: string, key: K, get: () => Promise<S[K]>) => {
    try {
      state[key] = await get();
    } catch (error) {
      if (error instanceof aws.EntityNotFoundError) state.gone = true;
      else state.unreadable.push(unread(part, error));
    }
  };
}
