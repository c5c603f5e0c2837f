import * as v from 'valibot';
import { parseEnvironment, settingsReader } from '../core/config.js';
import type { TargetLimit } from '../core/remediation/remediate.js';

const Environment = v.object({
  MAX_BUCKETS_PER_EVENT: v.optional(
    v.pipe(v.string(), v.regex(/^[1-9]\d{0,3}$/, 'expected a whole number from 1 to 9999'), v.transform(Number)),
    '25',
  ),
});

/** An event naming more buckets than MAX_BUCKETS_PER_EVENT (template parameter MaxBucketsPerEvent) changes none. */
export function bucketLimit(env: Readonly<Record<string, string | undefined>>): TargetLimit {
  return { max: parseEnvironment(Environment, env).MAX_BUCKETS_PER_EVENT, setting: 'MAX_BUCKETS_PER_EVENT', noun: 'buckets' };
}

/** The limit of a loaded config (read once per config). */
export const bucketLimitOf = settingsReader(bucketLimit);
