import * as z from 'zod/mini';
import { parseEnvironment, settingsReader } from '../core/config.js';

/** The settings of this function alone, from its environment (template parameters AlarmNamePrefix, MaxJobsPerEvent). */
export interface Settings {
  /** Only alarms whose name starts with this are acted on (the EventBridge rule filters on the same prefix). */
  alarmNamePrefix: string;
  /** An event that would stop more jobs than this stops none of them: a person decides. */
  maxJobsPerEvent: number;
}

const Environment = z.object({
  // CloudWatch alarm names are 1 to 255 characters.
  ALARM_NAME_PREFIX: z._default(z.string().check(z.minLength(1), z.maxLength(255)), 'ml-guard-'),
  MAX_JOBS_PER_EVENT: z._default(
    z.pipe(z.string().check(z.regex(/^[1-9]\d{0,3}$/, 'expected a whole number from 1 to 9999')), z.transform(Number)),
    25,
  ),
});

/** Reads and checks the settings; a wrong value is a ConfigError naming the variable, raised at cold start. */
export function loadSettings(env: Readonly<Record<string, string | undefined>>): Settings {
  const e = parseEnvironment(Environment, env);
  return { alarmNamePrefix: e.ALARM_NAME_PREFIX, maxJobsPerEvent: e.MAX_JOBS_PER_EVENT };
}

/** The settings of a loaded config (read once per config). */
export const settingsOf = settingsReader(loadSettings);
