import { AssumeRoleCommand, type AssumeRoleCommandOutput, STSClient } from '@aws-sdk/client-sts';
import { describeError, isTransient, MlGuardError } from '../errors.js';
import { type Credentials, clientOptions, onFirstUse } from './client-options.js';

/**
 * Role assumption in member accounts (organization mode only: the flow loads this module, and the STS client, with a
 * dynamic import, so that a single-account deployment never does).
 */

/** What assuming a member role needs: granted only in organization mode (template.yaml, condition OrganizationMode). */
export const memberRoleIamActions = ['sts:AssumeRole'] as const;

/** How long a member session lasts: STS's minimum; a function's invocation is shorter. */
export const SESSION_SECONDS = 900;
/** Credentials are renewed this long before they expire, so that a call never signs with credentials about to expire. */
export const RENEW_MARGIN_MS = 2 * 60_000;

/** The STS client, in the function's own region (the member role is global; STS is called from where the function runs). */
export const stsClient = onFirstUse(() => new STSClient({ ...clientOptions }));

/** The member role could not be assumed: not deployed, not trusted, or STS throttled (then `retryable`). */
export class MemberRoleError extends MlGuardError {
  override readonly name = 'MemberRoleError';
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean, options?: ErrorOptions) {
    super(message, options);
    this.retryable = retryable;
  }
}

/** `ml-guard-<event id>`, kept to what IAM takes in a session name (`[\w+=,.@-]`, 2 to 64 characters), for CloudTrail. */
export function sessionNameOf(eventId: string): string {
  return `ml-guard-${eventId}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}

interface Cached {
  credentials: Promise<Credentials>;
  /** When the credentials must be renewed (their expiry less the margin); unknown while STS has not answered. */
  renewAt?: number;
}

const cache = new Map<string, Cached>();

/** Forgets every credential (tests, which reuse one container). */
export function forgetMemberCredentials(): void {
  cache.clear();
}

/**
 * The credentials of a member role for calls in a region, assumed once per account and region in a warm container and
 * kept until RENEW_MARGIN_MS before they expire, never beyond. Concurrent callers share one AssumeRole. A failure is
 * not kept: the next call tries again. Throws MemberRoleError, saying what to deploy when STS refuses.
 */
export function memberCredentials(
  roleArn: string,
  region: string,
  sessionName: string,
  now: () => number = Date.now,
): Promise<Credentials> {
  const key = `${roleArn}|${region}`;
  const cached = cache.get(key);
  if (cached && (cached.renewAt === undefined || now() < cached.renewAt)) return cached.credentials;
  const entry: Cached = { credentials: assume(roleArn, sessionName) };
  cache.set(key, entry);
  entry.credentials.then(
    (c) => {
      entry.renewAt = (c.expiration?.getTime() ?? now()) - RENEW_MARGIN_MS;
    },
    () => {
      if (cache.get(key) === entry) cache.delete(key);
    },
  );
  return entry.credentials;
}

async function assume(roleArn: string, sessionName: string): Promise<Credentials> {
  let out: AssumeRoleCommandOutput;
  try {
    out = await stsClient().send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: SESSION_SECONDS }),
    );
  } catch (error) {
    const account = roleArn.split(':')[4];
    const transient = isTransient(error);
    const why = transient
      ? 'STS did not answer in time or throttled the call: a retry may succeed'
      : `deploy ml-guard's member stack in account ${account} (README "Deploying across an organization") with the same MemberRolePrefix, and check that ${account} is in the organization`;
    throw new MemberRoleError(`could not assume ${roleArn} (${describeError(error)}): ${why}`, transient, { cause: error });
  }
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
    throw new MemberRoleError(`STS answered AssumeRole of ${roleArn} without credentials`, false);
  }
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
}
