import * as v from 'valibot';
import { parseEnvironment, settingsReader } from '../core/config.js';

/** The settings of this function alone, from its environment (template parameters AlarmNamePrefix, MaxJobsPerEvent). */
export interface Settings {
  /** Only alarms whose name starts with this are acted on (the EventBridge rule filters on the same prefix). */
  alarmNamePrefix: string;
  /** An event that would stop more jobs than this stops none of them: a person decides. */
  maxJobsPerEvent: number;
}

const Environment = v.object({
  // CloudWatch alarm names are 1 to 255 characters.
  ALARM_NAME_PREFIX: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(255)), 'ml-guard-'),
  MAX_JOBS_PER_EVENT: v.optional(
    v.pipe(v.string(), v.regex(/^[1-9]\d{0,3}$/, 'expected a whole number from 1 to 9999'), v.transform(Number)),
    '25',
  ),
});

/** Reads and checks the settings; a wrong value is a ConfigError naming the variable, raised at cold start. */
export function loadSettings(env: Readonly<Record<string, string | undefined>>): Settings {
  const e = parseEnvironment(Environment, env);
  return { alarmNamePrefix: e.ALARM_NAME_PREFIX, maxJobsPerEvent: e.MAX_JOBS_PER_EVENT };
}

/** The settings of a loaded config (read once per config). */
export const settingsOf = settingsReader(loadSettings);
