import type { AccessKey } from '../core/aws/iam.js';
import type { PlanContext } from '../core/remediation/remediate.js';
import type { StepText } from '../core/remediation/steps.js';
import { describeDeactivation, describeRotation, keyStatusCommand } from './describe-steps.js';
import type { SecretState, UserState } from './observe.js';
import type { Settings } from './settings.js';
import type { DeactivateAccessKey, RotateKeyIntoSecret, RotateStep } from './steps.js';
import { DEFAULT_MAX_CREDENTIAL_USAGE_AGE_DAYS, type StaleKeysTarget } from './targets.js';

/**
 * The access keys of an IAM user: which a Config rule finds stale, the rotation of the key a secret holds into it,
 * and the deactivations (never deletions). rotate-credentials' planner (plan.ts) puts them into its plans.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** Why a plan's steps must not run; `byUnread` names the parts whose failed read holds it. */
export interface Held {
  reason: string;
  byUnread?: string[];
}

/** Which keys a Config rule about a user's keys finds stale, and how to say why one is. */
interface StaleLimit {
  days: number;
  /** `older than 90 days`, `unused for more than 45 days`. */
  short: string;
  /** `older than 90 days (MAX_ACCESS_KEY_AGE_DAYS)`, `unused for more than 45 days (the rule's maxCredentialUsageAge)`. */
  phrase: string;
  isStale(key: AccessKey, now: number): boolean;
  why(key: AccessKey, now: number): string;
}

/**
 * ACCESS_KEYS_ROTATED (and custom rules): active keys created more than MAX_ACCESS_KEY_AGE_DAYS ago; the template
 * sets the rule's maxAccessKeyAge from the same parameter. IAM_USER_UNUSED_CREDENTIALS_CHECK: active keys not used (or,
 * never used, not created) within the rule's maxCredentialUsageAge; a key whose last use could not be read is not stale.
 */
function staleLimit(target: StaleKeysTarget, settings: Settings): StaleLimit {
  const created = (k: AccessKey, now: number) => `created ${day(k.createDate)}, ${daysSince(k.createDate, now)} days ago`;
  if (target.check === 'age') {
    const days = settings.maxAccessKeyAgeDays;
    return {
      days,
      short: `older than ${days} days`,
      phrase: `older than ${days} days (MAX_ACCESS_KEY_AGE_DAYS)`,
      isStale: (k, now) => k.createDate !== undefined && now - k.createDate.getTime() > days * DAY_MS,
      why: created,
    };
  }
  const days = target.ruleMaxDays ?? DEFAULT_MAX_CREDENTIAL_USAGE_AGE_DAYS;
  const source = target.ruleMaxDays === undefined ? "the rule's default maxCredentialUsageAge" : "the rule's maxCredentialUsageAge";
  const since = (k: AccessKey) => (k.lastUsed === null ? k.createDate : (k.lastUsed ?? undefined));
  return {
    days,
    short: `unused for more than ${days} days`,
    phrase: `unused for more than ${days} days (${source})`,
    isStale: (k, now) => {
      const from = since(k);
      return from !== undefined && now - from.getTime() > days * DAY_MS;
    },
    why: (k, now) =>
      k.lastUsed ? `last used ${day(k.lastUsed)}, ${daysSince(k.lastUsed, now)} days ago` : `never used; ${created(k, now)}`,
  };
}

export function nothingStale(target: StaleKeysTarget, name: string, settings: Settings): string {
  const limit = staleLimit(target, settings);
  const password =
    target.check === 'unused'
      ? "; if the rule found the user's console password unused, a person decides (ml-guard deletes no login profile)"
      : '';
  return `no active access key of ${name} is ${limit.phrase}: nothing to change${password}`;
}

/**
 * A Config rule about a user's keys (ACCESS_KEYS_ROTATED, IAM_USER_UNUSED_CREDENTIALS_CHECK): the active keys it
 * finds stale are deactivated, never deleted; the one a secret holds is rotated first. When the secret may hold one
 * that cannot be rotated, none is deactivated and `held` says why.
 */
export function planStaleKeys(
  target: StaleKeysTarget,
  name: string,
  state: UserState,
  settings: Settings,
  context: PlanContext,
  notes: string[],
): { steps: RotateStep[]; held?: Held } {
  const limit = staleLimit(target, settings);
  if (!state.keys) {
    return {
      steps: [described({ kind: 'deactivateAccessKey', userName: name }, limit.short)],
    };
  }
  const now = context.now.getTime();
  if (target.check === 'age' && target.ruleMaxDays !== undefined && target.ruleMaxDays !== limit.days) {
    notes.push(`the rule's maxAccessKeyAge is ${target.ruleMaxDays} days; keys are deactivated only when ${limit.phrase}`);
  }
  const stale = state.keys.filter((k) => k.status === 'Active' && limit.isStale(k, now));
  if (stale.length === 0) {
    if (target.check === 'age') {
      notes.push('the Config rule may use another maximum age than MAX_ACCESS_KEY_AGE_DAYS, or the key was rotated since it evaluated');
    }
    return { steps: [] };
  }
  const deactivateStale = (k: AccessKey) => deactivate(name, k.accessKeyId, limit.why(k, now));
  const unrotatable = holdForSecret(name, state, stale, notes);
  if (unrotatable)
    return {
      steps: stale.map(deactivateStale),
      held: { reason: unrotatable, ...(state.secret?.holds === undefined ? { byUnread: ['secret'] } : {}) },
    };

  const held = stale.find((k) => state.secret?.holds === k.accessKeyId);
  const steps: RotateStep[] = stale.filter((k) => k !== held).map(deactivateStale);
  if (held) {
    const rotation = planRotation(name, held, state, settings, notes);
    if (rotation) {
      // The secret's consumers use this key: it is deactivated only once its replacement is in the secret.
      steps.push(
        { ...rotation, critical: true },
        deactivate(name, held.accessKeyId, `${limit.why(held, now)}; only once its replacement is stored`),
      );
    } else {
      notes.push(
        `${held.accessKeyId} is left active: the secret ${state.secret?.metadata?.name ?? state.secret?.ref} holds it, and it is deactivated only once a replacement is stored there`,
      );
    }
  } else {
    notes.push(rotationNote(name, state, settings, stale));
  }
  return { steps };
}

/**
 * Why none of the old keys may be deactivated, or undefined: the secret the user's tag names (which exists, or may)
 * could not be read, so it may hold any of them; or its value is in a format ml-guard cannot rotate and names one of
 * them. Deactivating a key the secret holds would break its consumers, so every old key is held (a partial run would
 * be reported as remediated), with a note per key saying what a person should do.
 */
function holdForSecret(name: string, state: UserState, stale: AccessKey[], notes: string[]): string | undefined {
  const secret = state.secret;
  if (!secret || secret.missing || secret.refused) return undefined;
  const label = secretLabel(secret);
  const byHand = (id: string) => `rotate it into the secret by hand, then deactivate it (${keyStatusCommand(name, id, 'Inactive')})`;
  if (secret.holds === undefined) {
    for (const k of stale)
      notes.push(
        `${k.accessKeyId} is left active: the secret ${label} could not be read, so it may hold this key, whose consumers would break; ${byHand(k.accessKeyId)}`,
      );
    return `the secret ${label} could not be read, so it may hold any of the old keys: none was deactivated (see notes)`;
  }
  const mentioned = stale.filter((k) => secret.otherFormat?.mentions.includes(k.accessKeyId)).map((k) => k.accessKeyId);
  if (mentioned.length === 0) return undefined;
  for (const { accessKeyId: id } of stale) {
    notes.push(
      mentioned.includes(id)
        ? `${id} is left active: the secret ${label} holds it in ${OTHER_FORMAT}; ${byHand(id)}`
        : `${id} is left active with the others, although the secret ${label} does not mention it; deactivate it by hand unless something else uses it (${keyStatusCommand(name, id, 'Inactive')})`,
    );
  }
  return `the secret ${label} holds ${mentioned.join(', ')} in a format ml-guard cannot rotate: no key was deactivated (see notes)`;
}

const OTHER_FORMAT = 'a format ml-guard cannot rotate (not a {"AccessKeyId", "SecretAccessKey"} JSON value)';

/** The secret's name, or the tag's value when the secret was not described. */
function secretLabel(secret: SecretState): string {
  return secret.metadata?.name ?? secret.ref;
}

/**
 * The step that replaces `key` in the secret the user's tag names, when that secret holds it; otherwise a note saying
 * why there is no replacement. The two-key limit is IAM's to enforce: the step is planned, IAM refuses, and the
 * refusal is reported; no other key is ever deactivated or deleted to make room.
 */
export function planRotation(
  name: string,
  key: AccessKey,
  state: UserState,
  settings: Settings,
  notes: string[],
): (RotateKeyIntoSecret & StepText) | undefined {
  const secret = state.secret;
  const id = key.accessKeyId;
  if (!state.tags) {
    notes.push(`${name}'s tags could not be read: whether a secret holds ${id} is unknown, so no replacement is made`);
    return undefined;
  }
  if (!secret) {
    notes.push(
      `${name} has no tag ${settings.secretTagKey}: ${id} is deactivated without a replacement (tag the user with the secret that holds its key to have ml-guard rotate it)`,
    );
    return undefined;
  }
  const label = secretLabel(secret);
  // A key a finding names is deactivated even where the secret may hold it (planCompromisedKey): containment comes first.
  const consumersBreak = `its consumers break once ${id} is inactive (containment comes first: an attacker may hold the key); store a new key there by hand`;
  const why = secret.missing
    ? `the secret ${secret.ref} named by the tag ${settings.secretTagKey} does not exist`
    : secret.refused
      ? `the secret ${label} is not used because ${secret.refused}`
      : !secret.metadata || secret.holds === undefined
        ? `the secret ${label} could not be read, so it may hold ${id}: if it does, ${consumersBreak}`
        : secret.otherFormat?.mentions.includes(id)
          ? `the secret ${label} holds ${id} in ${OTHER_FORMAT}: ${consumersBreak}`
          : secret.exempt
            ? `the secret ${label} carries the exemption tag ${secret.exempt}, so ml-guard does not write to it`
            : secret.holds === null
              ? `the secret ${label} holds no {"AccessKeyId", "SecretAccessKey"} value`
              : undefined;
  if (why) {
    notes.push(`no replacement key: ${why}`);
    return undefined;
  }
  if (secret.holds !== id) {
    const other = state.keys?.find((k) => k.accessKeyId === secret.holds);
    notes.push(
      other?.status === 'Active'
        ? `the secret ${label} already holds another active key of ${name}, ${secret.holds}: no rotation needed (already rotated)`
        : `the secret ${label} holds ${secret.holds}, not ${id}: no rotation needed`,
    );
    return undefined;
  }
  const metadata = secret.metadata as NonNullable<typeof secret.metadata>;
  if (metadata.rotationEnabled)
    notes.push(
      `the secret ${metadata.name} also has Secrets Manager rotation turned on: its rotation function may replace the key ml-guard stores`,
    );
  const step: RotateKeyIntoSecret = {
    kind: 'rotateKeyIntoSecret',
    userName: name,
    replaces: id,
    secretArn: metadata.arn,
    secretName: metadata.name,
  };
  return { ...step, ...describeRotation(step, state.keys?.length ?? 0) };
}

/** For Config, when no stale key is the one the secret holds: why none is replaced. */
function rotationNote(name: string, state: UserState, settings: Settings, stale: AccessKey[]): string {
  const secret = state.secret;
  if (!state.tags) return `${name}'s tags could not be read: whether a secret holds one of the keys is unknown, so no replacement is made`;
  if (!secret) return `${name} has no tag ${settings.secretTagKey}: the keys are deactivated without a replacement`;
  if (secret.missing) return `no replacement key: the secret ${secret.ref} named by the tag ${settings.secretTagKey} does not exist`;
  if (secret.refused) return `no replacement key: the secret ${secretLabel(secret)} is not used because ${secret.refused}`;
  return `the secret ${secretLabel(secret)} holds none of the old keys (${stale.map((k) => k.accessKeyId).join(', ')}): no rotation needed`;
}

/** Deactivating a key of the user (never deleting it), and why. */
export function deactivate(userName: string, accessKeyId: string, why?: string): DeactivateAccessKey & StepText {
  return described({ kind: 'deactivateAccessKey', userName, accessKeyId }, why);
}

function described(step: DeactivateAccessKey, why?: string): DeactivateAccessKey & StepText {
  return { ...step, ...describeDeactivation(step, why) };
}

// ------------------------------------------------------------------------------------------------ roles

function day(date: Date | undefined): string {
  return date ? date.toISOString().slice(0, 10) : 'on an unknown date';
}

function daysSince(date: Date | undefined, now: number): number {
  return date ? Math.floor((now - date.getTime()) / DAY_MS) : 0;
}
