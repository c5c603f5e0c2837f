import * as v from 'valibot';
import { parseEnvironment, settingsReader } from '../core/config.js';

/** The settings of rotate-credentials alone (template parameters AccessKeySecretTagKey, MaxAccessKeyAgeDays). */
export interface Settings {
  /** The tag of an IAM user whose value names the Secrets Manager secret (name or ARN) holding the user's key. */
  secretTagKey: string;
  /** For Config ACCESS_KEYS_ROTATED (and listed custom rules): active keys older than this many days are deactivated (and rotated). */
  maxAccessKeyAgeDays: number;
}

/**
 * The tag a secret must carry, with the user's name as its value, before ml-guard reads or writes it. Fixed (not a
 * setting) because the function's role allows GetSecretValue and PutSecretValue only on secrets carrying it.
 */
export const SECRET_USER_TAG = 'ml-guard:access-key-user';

const Environment = v.object({
  // IAM tag keys are 1 to 128 characters.
  ACCESS_KEY_SECRET_TAG_KEY: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(128)), 'ml-guard:access-key-secret'),
  // ACCESS_KEYS_ROTATED's maxAccessKeyAge is a whole number of days (default 90).
  MAX_ACCESS_KEY_AGE_DAYS: v.optional(
    v.pipe(v.string(), v.regex(/^[1-9]\d{0,3}$/, 'expected a whole number of days from 1 to 9999'), v.transform(Number)),
    '90',
  ),
});

/** Reads and checks the settings; a wrong value is a ConfigError naming the variable, raised at cold start. */
export function loadSettings(env: Readonly<Record<string, string | undefined>>): Settings {
  const e = parseEnvironment(Environment, env);
  return { secretTagKey: e.ACCESS_KEY_SECRET_TAG_KEY, maxAccessKeyAgeDays: e.MAX_ACCESS_KEY_AGE_DAYS };
}

/** The settings of a loaded config (read once per config). */
export const settingsOf = settingsReader(loadSettings);
