import { AsyncLocalStorage } from 'node:async_hooks';

/** How long one HTTP request may take before the SDK abandons it (TimeoutError, then retried as transient). */
export const REQUEST_TIMEOUT_MS = 3_000;
/** How long opening a connection may take. */
export const CONNECTION_TIMEOUT_MS = 1_000;
/** Attempts per call, the first included. */
export const MAX_ATTEMPTS = 3;
/**
 * The longest one SDK call can take: every attempt timing out, plus the SDK's backoff between attempts (at most
 * about 1 s each at this count, a few seconds under adaptive throttling). The time budget keeps this much in hand
 * before it starts another step.
 */
export const MAX_CALL_MS = MAX_ATTEMPTS * (REQUEST_TIMEOUT_MS + CONNECTION_TIMEOUT_MS) + 3_000;

/**
 * Options every AWS client of ml-guard shares: adaptive retries for throttling (ThrottlingException, SlowDown,
 * 429/503); a request and connection timeout, so that a call that never answers fails in seconds instead of using
 * up the function's timeout; and the standard environment for everything else (AWS_REGION, AWS_PROFILE,
 * credentials, AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>, which the SDK reads itself).
 */
export const clientOptions = {
  retryMode: 'adaptive',
  maxAttempts: MAX_ATTEMPTS,
  // throwOnRequestTimeout: without it the SDK only warns when requestTimeout passes and keeps waiting.
  requestHandler: { requestTimeout: REQUEST_TIMEOUT_MS, connectionTimeout: CONNECTION_TIMEOUT_MS, throwOnRequestTimeout: true },
} as const;

/** True when an endpoint override (LocalStack or another AWS-compatible endpoint) applies to the service. */
export function endpointOverridden(serviceEnvSuffix: string, env: Readonly<Record<string, string | undefined>> = process.env) {
  return Boolean(env.AWS_ENDPOINT_URL || env[`AWS_ENDPOINT_URL_${serviceEnvSuffix}`]);
}

/**
 * A client made on first use and kept for the container's life: a cold start that never calls AWS builds none, and
 * warm invocations reuse its connections.
 */
export function onFirstUse<T>(create: () => T): () => T {
  let client: T | undefined;
  return () => {
    client ??= create();
    return client;
  };
}

/** Credentials as the SDK takes them: those of a member role are temporary, and expire. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/**
 * The account and region an adapter's calls go to while a target is handled in organization mode, with the
 * credentials there (the member role's, by `AssumeRole`); without `credentials`, the function's own (its own account).
 */
export interface ActingIn {
  account: string;
  region: string;
  credentials?: () => Promise<Credentials>;
}

const acting = new AsyncLocalStorage<ActingIn>();

/** Runs `work` with every client of `inActingAccount` going to `where`: the flow wraps a target's observe and execute. */
export function actIn<T>(where: ActingIn, work: () => Promise<T>): Promise<T> {
  return acting.run(where, work);
}

/** Where the calls go now, or undefined: the function's own account and region (single-account mode). */
export function actingIn(): ActingIn | undefined {
  return acting.getStore();
}

/**
 * The client of a service that is called in the account an event is about (S3 buckets, SageMaker jobs, IAM users...).
 * Outside `actIn` it is one client made on first use, as `onFirstUse` makes it (single-account mode: the function's own
 * credentials and region). Inside, it is a client for that account and region, made once and kept for the container's
 * life; its credentials are those of the `actIn` it is called in, so that they are renewed, never used past their
 * expiry. Central resources (the journal, SNS, the forensics bucket) use `onFirstUse` clients, never these.
 */
export function inActingAccount<T>(create: (where?: { region: string; credentials?: () => Promise<Credentials> }) => T): () => T {
  const own = onFirstUse(() => create());
  const clients = new Map<string, T>();
  return () => {
    const where = acting.getStore();
    if (!where) return own();
    const key = `${where.account}/${where.region}`;
    let client = clients.get(key);
    if (!client) {
      const credentials = where.credentials ? { credentials: currentCredentials } : {};
      client = create({ region: where.region, ...credentials });
      clients.set(key, client);
    }
    return client;
  };
}

/** The credentials of the `actIn` a call is made in: the client of an account is only ever used inside one for that account. */
async function currentCredentials(): Promise<Credentials> {
  const credentials = acting.getStore()?.credentials;
  if (!credentials) throw new Error('a member-account client was used outside the account it was made for');
  return credentials();
}
