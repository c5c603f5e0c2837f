import * as v from 'valibot';
import { ConfigError } from '../core/errors.js';
import { describeIssues } from '../core/events/describe-issues.js';
import { safeParse } from '../core/schema.js';

export const FUNCTION_NAME = 'notify';

/** Defaults, the same as the template's parameters (a test keeps them in step). */
export const DEFAULT_WINDOW_MINUTES = 15;
export const DEFAULT_ALARM_NAME_PREFIX = 'ml-serving-';

/** What the notify function needs beyond the shared configuration. */
export interface NotifySettings {
  /** DynamoDB table of flood-control state; unset (a local run) means no flood control. */
  stateTable: string | undefined;
  /** At most one notification per alarm, finding or Config resource in this many minutes. */
  windowMinutes: number;
  /** Alarms whose name starts with this are notified whatever they watch (composite alarms, Metrics Insights...). */
  alarmNamePrefix: string;
  /** ML assets whose deletion is notified, by name prefix; empty: every asset. */
  mlAssetPrefixes: string[];
  /** ml-guard's own roles (their ARNs): what they stop or delete is ml-guard's own response, already notified. */
  ownRoleArns: string[];
}

const tableName = /^[A-Za-z0-9_.-]{3,255}$/;

const Environment = v.object({
  STATE_TABLE: v.optional(v.pipe(v.string(), v.regex(tableName, 'expected a DynamoDB table name'))),
  NOTIFY_WINDOW_MINUTES: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,5}$/, 'expected a whole number of minutes'),
      v.transform(Number),
      v.minValue(1, 'expected at least 1 minute'),
      v.maxValue(10080, 'expected at most 10080 minutes (a week)'),
    ),
    String(DEFAULT_WINDOW_MINUTES),
  ),
  NOTIFY_ALARM_NAME_PREFIX: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(255)), DEFAULT_ALARM_NAME_PREFIX),
  // Comma-separated; SageMaker names are at most 63 characters (an ARN-named model package, 256).
  NOTIFY_ML_ASSET_PREFIXES: v.optional(
    v.pipe(v.string(), v.regex(/^[^,]{0,256}(,[^,]{0,256})*$/, 'expected comma-separated name prefixes')),
    '',
  ),
  NOTIFY_OWN_ROLE_ARNS: v.optional(
    v.pipe(
      v.string(),
      v.regex(
        /^(arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+)?(,arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+)*$/,
        'expected IAM role ARNs',
      ),
    ),
    '',
  ),
});

const list = (text: string) =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/** Reads and checks the notify settings once, at cold start; a wrong value stops the function with a clear error. */
export function loadNotifySettings(env: Readonly<Record<string, string | undefined>> = process.env): NotifySettings {
  const present = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => v !== undefined && v !== '' && (k === 'STATE_TABLE' || k.startsWith('NOTIFY_'))),
  );
  const parsed = safeParse(Environment, present);
  if (!parsed.success) {
    throw new ConfigError(`invalid environment: ${describeIssues(parsed.error.issues)}`, { cause: parsed.error });
  }
  return {
    stateTable: parsed.data.STATE_TABLE,
    windowMinutes: parsed.data.NOTIFY_WINDOW_MINUTES,
    alarmNamePrefix: parsed.data.NOTIFY_ALARM_NAME_PREFIX,
    mlAssetPrefixes: list(parsed.data.NOTIFY_ML_ASSET_PREFIXES),
    ownRoleArns: list(parsed.data.NOTIFY_OWN_ROLE_ARNS),
  };
}
