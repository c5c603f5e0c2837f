import type { IamPrincipal, Tag } from '../core/aws/iam.js';
import { type PrincipalKind, parsePrincipalArn, protectedEntryFor } from '../core/principals.js';
import type { PlanContext } from '../core/remediation/remediate.js';
import type { StepText } from '../core/remediation/steps.js';
import type { Hold, Plan, TargetRef, Unreadable } from '../core/remediation/types.js';
import { isLongTermKey, isTemporaryKey } from './access-keys.js';
import { describeRevocation } from './describe-steps.js';
import type { CredentialState, RoleState, UserState } from './observe.js';
import { deactivate, type Held, nothingStale, planRotation, planStaleKeys } from './plan-keys.js';
import { coversSessions, REVOCATION_POLICY_NAME, revocationPolicy, revocationTime, revokedBefore } from './revocation.js';
import { type Settings, settingsOf } from './settings.js';
import type { RevokeRoleSessions, RevokeUserSessions, RotateStep } from './steps.js';
import {
  type CredentialTarget,
  describeTarget,
  type OtherPrincipalTarget,
  type RoleTarget,
  type RootTarget,
  type StaleKeysTarget,
  type UserKeyTarget,
} from './targets.js';

/**
 * Pure: from a principal and what was read of it, the steps that contain it (or why there are none).
 * - IAM user of a finding: revoke its sessions, rotate the key into its secret (when the secret holds it), deactivate it.
 * - Role of a finding: revoke its sessions, as the console's "Revoke active sessions" does.
 * - IAM user of a Config rule about its keys (ACCESS_KEYS_ROTATED, IAM_USER_UNUSED_CREDENTIALS_CHECK): deactivate its
 *   active keys older than the maximum age, or unused for longer than the rule allows, rotating the one
 *   its secret holds first.
 * - Root user and other principals: a person is told what to do.
 * The caller of an S3 exfiltration finding is a user or role like any other: the first note says what it did to which
 * bucket.
 */
export function planTarget(target: CredentialTarget, state: CredentialState, context: PlanContext): Plan<RotateStep> {
  return withCause(planPrincipal(target, state, context), target.cause);
}

function planPrincipal(target: CredentialTarget, state: CredentialState, context: PlanContext): Plan<RotateStep> {
  switch (target.kind) {
    case 'user-key':
    case 'stale-keys':
      return planUser(target, state as UserState, context);
    case 'role':
      return planRole(target, state as RoleState, context);
    case 'root':
      return planRoot(target);
    case 'other':
      return planOther(target);
  }
}

/** The plan with the finding's cause (what an S3 exfiltration finding says the caller did) as its first note. */
function withCause(plan: Plan<RotateStep>, cause: string | undefined): Plan<RotateStep> {
  return cause ? { ...plan, notes: [cause, ...(plan.notes ?? [])] } : plan;
}

// ------------------------------------------------------------------------------------------------ users

function planUser(target: UserKeyTarget | StaleKeysTarget, state: UserState, context: PlanContext): Plan<RotateStep> {
  const settings = settingsOf(context.config);
  const name = state.user?.name ?? (target.kind === 'user-key' ? target.userName : target.userId);
  const ref: TargetRef = { type: 'AWS::IAM::User', id: name, ...(state.user?.arn ? { arn: state.user.arn } : {}) };
  if (state.gone) {
    const why =
      target.kind === 'stale-keys' ? `no IAM user has the id ${target.userId} (deleted?)` : `the IAM user ${name} no longer exists`;
    return { target: ref, steps: [], hold: 'skipped', reason: why };
  }
  const refusal = refuse(
    'user',
    name,
    target.account,
    state.user,
    state.tags,
    context,
    target.kind === 'user-key' ? target.principalId : undefined,
  );
  if (refusal) return { target: ref, steps: [], hold: 'skipped', reason: refusal };

  const notes = describeUnreadable(state.unreadable);
  const { steps, held } =
    target.kind === 'user-key'
      ? { steps: planCompromisedKey(target, name, state, settings, context, notes) }
      : planStaleKeys(target, name, state, settings, context, notes);
  const unread = [!state.user && 'user', !state.tags && 'tags', target.kind === 'stale-keys' && !state.keys && 'access keys'].filter(
    (p) => p !== false,
  );
  const nothingToDo = target.kind === 'user-key' ? `${name} is already contained: nothing to change` : nothingStale(target, name, settings);
  return finish(ref, steps, notes, { parts: unread, unreadable: state.unreadable }, nothingToDo, held);
}

/** What a person calls each part of a principal's state that blocks a plan when it could not be read. */
const PART_LABEL: Record<string, string> = {
  user: 'the user',
  role: 'the role',
  tags: 'its tags',
  'access keys': 'its access keys',
};

/** What could not be read: the parts the plan needs (`parts`) and every failed read, with its error. */
interface Unread {
  parts: string[];
  unreadable: Unreadable[];
}

/**
 * The plan. When what decides whether the principal may be touched could not be read, it says so (`unverified`: the
 * executor holds it back in enforce mode; a dry-run still reports the steps it would take, and what it could not
 * read). When `held` says why its steps must not run, it is held back in both modes (a dry-run then reports what
 * enforce mode would do: nothing). A hold that only transient read failures caused (throttling, 5xx, timeout) is
 * retryable: the invocation fails after notifying, and Lambda's retry reads again.
 */
function finish(ref: TargetRef, steps: RotateStep[], notes: string[], unread: Unread, nothingToDo: string, held?: Held): Plan<RotateStep> {
  const reason = held?.reason ?? (steps.length === 0 ? nothingToDo : undefined);
  const unverified = unread.parts.length > 0 && {
    reason: `could not read ${unread.parts.map((p) => PART_LABEL[p] ?? p).join(', ')}: nothing changed, to be safe (the account, protection and exemption could not be checked)`,
    retryable: retryableRead([...unread.parts, ...(held?.byUnread ?? [])], unread.unreadable),
  };
  return {
    target: ref,
    steps,
    ...(held ? { hold: 'blocked' as Hold } : {}),
    ...(reason ? { reason } : {}),
    ...(notes.length ? { notes } : {}),
    ...(unverified ? { unverified } : {}),
    ...(held && retryableRead(held.byUnread ?? [], unread.unreadable) ? { retryable: true } : {}),
  };
}

/** True when some of the parts failed to read for a transient reason and none for a lasting one (AccessDenied, a KMS key refused). */
function retryableRead(parts: string[], unreadable: Unreadable[]): boolean {
  const failures = unreadable.filter((u) => parts.includes(u.part));
  return failures.length > 0 && failures.every((u) => u.transient);
}

/** A finding names one key of the user: revoke the user's sessions, rotate the key (when its secret holds it), deactivate it. */
function planCompromisedKey(
  target: UserKeyTarget,
  name: string,
  state: UserState,
  settings: Settings,
  context: PlanContext,
  notes: string[],
): RotateStep[] {
  const steps: RotateStep[] = [];
  const revoke = planRevocation('user', name, state.revocation, context.now, target.seenUntil, notes);
  if (revoke) steps.push(revoke);

  const id = target.accessKeyId;
  if (!id) {
    notes.push('the finding names no access key: no key was deactivated; find the key in CloudTrail');
    return steps;
  }
  if (isTemporaryKey(id)) {
    notes.push(
      `${id} is a temporary credential: the session revocation denies it; the long-term key that obtained it is not named by the finding, so no key was deactivated: look for it in CloudTrail (GetSessionToken or GetFederationToken by ${name})`,
    );
    return steps;
  }
  if (!isLongTermKey(id)) {
    notes.push(`${JSON.stringify(id)} is not an access key id: no key was deactivated`);
    return steps;
  }
  const key = state.keys?.find((k) => k.accessKeyId === id);
  if (state.keys && !key) {
    notes.push(`access key ${id} is not a key of ${name} (deleted, or of another user): no key was deactivated`);
    return steps;
  }
  if (key) {
    // An inactive key is rotated only where its secret still holds it (its consumers are broken until then).
    const rotation = key.status === 'Active' || state.secret ? planRotation(name, key, state, settings, notes) : undefined;
    if (rotation) steps.push(rotation);
  } else if (state.secret || !state.tags) {
    notes.push(
      `${name}'s access keys could not be listed, so whether a secret holds ${id} could not be checked: no replacement key is made`,
    );
  }
  if (key && key.status !== 'Active') notes.push(`access key ${id} is already ${key.status.toLowerCase()}`);
  else steps.push(deactivate(name, id, key ? undefined : 'its status could not be read'));
  return steps;
}

function planRole(target: RoleTarget, state: RoleState, context: PlanContext): Plan<RotateStep> {
  const name = state.role?.name ?? target.roleName;
  const ref: TargetRef = { type: 'AWS::IAM::Role', id: name, ...(state.role?.arn ? { arn: state.role.arn } : {}) };
  if (state.gone) return { target: ref, steps: [], hold: 'skipped', reason: `the IAM role ${name} no longer exists` };
  const refusal = refuse('role', name, target.account, state.role, state.tags, context, target.principalId);
  if (refusal) return { target: ref, steps: [], hold: 'skipped', reason: refusal };

  const path = state.role?.path;
  if (path?.startsWith('/aws-service-role/') || (!path && name.startsWith('AWSServiceRoleFor'))) {
    return {
      target: ref,
      steps: [],
      hold: 'notify-only',
      reason: `${name} is a service-linked role: IAM lets no one change its policies, so its sessions cannot be revoked; find out what used it (CloudTrail) and contain that instead`,
    };
  }
  if (path?.startsWith('/aws-reserved/sso.amazonaws.com/') || (!path && name.startsWith('AWSReservedSSO_'))) {
    return {
      target: ref,
      steps: [],
      hold: 'notify-only',
      reason: `${name} was made by IAM Identity Center from a permission set and cannot be edited in IAM: revoke the user's permission-set sessions in IAM Identity Center instead`,
    };
  }

  const notes = describeUnreadable(state.unreadable);
  const steps: RotateStep[] = [];
  const revoke = planRevocation('role', name, state.revocation, context.now, target.seenUntil, notes);
  if (revoke) {
    steps.push(revoke);
    notes.push(
      `every session of ${name} issued before now is denied, not only the attacker's: people must sign in again, and services that assume the role (EC2 instance profiles, Lambda, SageMaker) work again once they refresh their credentials`,
    );
  }
  const unread = [!state.role && 'role', !state.tags && 'tags'].filter((p) => p !== false);
  return finish(
    ref,
    steps,
    notes,
    { parts: unread, unreadable: state.unreadable },
    `the sessions of ${name} are already revoked: nothing to change`,
  );
}

// ------------------------------------------------------------------------------------------------ shared

/**
 * Why the principal must not be touched, or undefined: it belongs to another account, is not the principal the finding
 * names (same name, another unique id: deleted and re-created since), is protected, or carries the exemption tag.
 */
function refuse(
  kind: PrincipalKind,
  name: string,
  account: string,
  principal: IamPrincipal | undefined,
  tags: Tag[] | undefined,
  context: PlanContext,
  expectedId?: string,
): string | undefined {
  const what = `the IAM ${kind} ${name}`;
  const owner = principal?.arn ? parsePrincipalArn(principal.arn)?.account : undefined;
  if (owner && owner !== account) return `${what} belongs to account ${owner}, not ${account} which the event is about`;
  if (expectedId && principal?.id && principal.id !== expectedId) {
    return `${what} is not the one the finding names: its id is ${principal.id}, the finding's is ${expectedId} (deleted and re-created under the same name since?), so nothing is changed`;
  }
  const entry = protectedEntryFor({ kind, name, account }, context.config.protectedPrincipals);
  if (entry) return `${what} is protected (PROTECTED_PRINCIPALS: ${entry}): nothing is changed`;
  const exemptKey = context.config.exemptTagKey;
  const exemption = tags?.find((t) => t.Key === exemptKey);
  if (exemption) return `${what} carries the exemption tag ${exemptKey}=${exemption.Value ?? ''}`;
  return undefined;
}

type Existing = string | null | undefined;

/**
 * The step that puts AWSRevokeOlderSessions, or moves its time forward to now; undefined (with a note) when the
 * existing one already denies every session the finding saw in use.
 */
function planRevocation(
  kind: 'user',
  name: string,
  existing: Existing,
  now: Date,
  seenUntil: string | undefined,
  notes: string[],
): (RevokeUserSessions & StepText) | undefined;
function planRevocation(
  kind: 'role',
  name: string,
  existing: Existing,
  now: Date,
  seenUntil: string | undefined,
  notes: string[],
): (RevokeRoleSessions & StepText) | undefined;
function planRevocation(
  kind: PrincipalKind,
  name: string,
  existing: Existing,
  now: Date,
  seenUntil: string | undefined,
  notes: string[],
): ((RevokeUserSessions | RevokeRoleSessions) & StepText) | undefined {
  const issuedBefore = revocationTime(now);
  const policyName = REVOCATION_POLICY_NAME;
  const previousTime = existing ? revokedBefore(existing) : undefined;
  if (existing && coversSessions(existing, issuedBefore, seenUntil)) {
    notes.push(
      `the inline policy ${policyName} already denies the sessions of ${name} issued before ${previousTime}${seenUntil ? `, later than the last activity the finding saw (${seenUntil})` : ''}`,
    );
    return undefined;
  }
  const document = revocationPolicy(issuedBefore);
  const previous = existing === undefined ? {} : { previous: existing };
  const step: RevokeUserSessions | RevokeRoleSessions =
    kind === 'role'
      ? { kind: 'revokeRoleSessions', roleName: name, policyName, document, ...previous }
      : { kind: 'revokeUserSessions', userName: name, policyName, document, ...previous };
  return { ...step, ...describeRevocation(step, issuedBefore) };
}

// ------------------------------------------------------------------------------------------------ people only

function planRoot(target: RootTarget): Plan<RotateStep> {
  const key = target.accessKeyId;
  return {
    target: describeTarget(target),
    steps: [],
    hold: 'notify-only',
    severity: 'CRITICAL',
    reason: `the root user of account ${target.account} was used${target.activity ? ` (${target.activity})` : ''}: no API can disable or restrict it, so a person must act now`,
    notes: [
      'to do 1: confirm with the account owner whether this was them; if not, treat the whole account as compromised',
      'to do 2: sign in as the root user, change its password and make sure MFA is on (IAM console > Security credentials)',
      key && isLongTermKey(key)
        ? `to do 3: the call used the root access key ${key}: deactivate and delete it (the root user should have no access keys)`
        : 'to do 3: delete any root access keys (the root user should have none)',
      'to do 4: review CloudTrail for everything the root user did, and for new IAM users, roles, access keys and policies; undo what is not expected',
      'to do 5: if you cannot sign in, contact AWS Support at once',
    ],
  };
}

function planOther(target: OtherPrincipalTarget): Plan<RotateStep> {
  const federated = target.userType === 'FederatedUser';
  return {
    target: describeTarget(target),
    steps: [],
    hold: 'notify-only',
    reason: federated
      ? `${target.principal} is a federated user (credentials from GetFederationToken): no IAM change reaches it directly; a person must contain the IAM user that obtained it`
      : `the principal ${target.principal} is of type ${target.userType}, which ml-guard does not change: a person must look`,
    notes: federated
      ? [
          'find the IAM user that called GetFederationToken in CloudTrail; deactivate that key and deny its sessions issued before now (an inline policy on that user with aws:TokenIssueTime, as AWSRevokeOlderSessions does)',
        ]
      : ["find the principal in CloudTrail (the finding's principal id and access key) and contain it by hand"],
  };
}

function describeUnreadable(unreadable: UserState['unreadable']): string[] {
  const byError = new Map<string, string[]>();
  for (const { part, error } of unreadable) byError.set(error, [...(byError.get(error) ?? []), part]);
  return [...byError].map(([error, parts]) => `could not read the ${parts.join(', ')}: ${error}`);
}
