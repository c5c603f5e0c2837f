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
