/**
 * Options every AWS client of ml-guard shares: adaptive retries for throttling (ThrottlingException, SlowDown,
 * 429/503), and the standard environment for everything else (AWS_REGION, AWS_PROFILE, credentials,
 * AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>, which the SDK reads itself).
 */
export const clientOptions = { retryMode: 'adaptive', maxAttempts: 5 } as const;

/** True when an endpoint override (LocalStack or another AWS-compatible endpoint) applies to the service. */
export function endpointOverridden(serviceEnvSuffix: string, env: Readonly<Record<string, string | undefined>> = process.env) {
  return Boolean(env.AWS_ENDPOINT_URL || env[`AWS_ENDPOINT_URL_${serviceEnvSuffix}`]);
}
