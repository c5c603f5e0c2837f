import { MAX_CALL_MS } from './aws/client-options.js';
import { ConfigError } from './errors.js';
import { describeIssues } from './events/describe-issues.js';
import { parseProtectedEntry } from './principals.js';
import { STEP_KINDS } from './remediation/step-kinds.js';
import { type Schema, safeParse } from './schema.js';

/**
 * The time one SDK call can take at worst (MAX_CALL_MS), and a few seconds to journal and notify: a step started with
 * this much left finishes, and is reported, before the function times out.
 */
export const DEFAULT_TIME_RESERVE_MS = MAX_CALL_MS + 5_000;

export type RemediationMode = 'dry-run' | 'enforce';

const snsTopicArn = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
const bucketName = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** A GuardDuty severity: 0 to 10. */
const severity = /^(10(\.0+)?|\d(\.\d+)?)$/;

/**
 * The start of the member role names (`<prefix>-<function>`), as the member stack takes it: IAM role names are 64
 * characters at most and the longest function name has 29; its forwarding rules' names take letters, digits, . _ - only.
 */
const MEMBER_ROLE_PREFIX = /^[A-Za-z0-9._-]{1,34}$/;
const ACCOUNT_ID = /^\d{12}$/;

/** The items of a comma-separated list, trimmed; empty items are skipped (the template joins lists). */
const listOf = (v: string) =>
  v
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);

/** `111122223333=enforce,444455556666=dry-run` as a map, or undefined when an item is not so or names an account twice. */
function accountModesOf(v: string): Record<string, RemediationMode> | undefined {
  const modes: Record<string, RemediationMode> = {};
  for (const item of listOf(v)) {
    const m = /^(\d{12})\s*=\s*(dry-run|enforce)$/.exec(item);
    if (!m?.[1] || m[1] in modes) return undefined;
    modes[m[1]] = m[2] as RemediationMode;
  }
  return modes;
}

/** A comma-separated list of Config rule names (AWS Config: 1 to 128 characters, not only spaces); empty items are skipped. */
const customRuleList = (v: string) =>
  v
    .split(',')
    .map((n) => n.trim())
    .every((n) => n.length <= 128);

/**
 * The shared variables, checked by hand rather than with a zod schema: this runs at every cold start, and building
 * the schema cost about a millisecond there. Each check gives the message the schema gave.
 */
function readEnvironment(present: Readonly<Record<string, string>>) {
  const problems: string[] = [];
  const read = <T>(name: string, fallback: T, accepts: (v: string) => boolean, problem: string, convert: (v: string) => T): T => {
    const v = present[name];
    if (v === undefined) return fallback;
    if (accepts(v)) return convert(v);
    problems.push(`${name}: ${problem}`);
    return fallback;
  };
  const text = (v: string) => v;
  const matching = (pattern: RegExp) => (v: string) => pattern.test(v);
  const stepKinds = (name: string) =>
    read(
      name,
      [] as string[],
      (v) => listOf(v).every((k) => STEP_KINDS.includes(k)),
      `expected step kinds, separated by commas, among ${STEP_KINDS.join(', ')}`,
      listOf,
    );
  const e = {
    TOPIC_ARN: read<string | undefined>('TOPIC_ARN', undefined, matching(snsTopicArn), 'expected an SNS topic ARN', text),
    REMEDIATION_MODE: read<RemediationMode>(
      'REMEDIATION_MODE',
      'dry-run',
      (v) => v === 'dry-run' || v === 'enforce',
      'expected one of "dry-run", "enforce"',
      (v) => v as RemediationMode,
    ),
    EXEMPT_TAG_KEY: read('EXEMPT_TAG_KEY', 'ml-guard:exempt', (v) => v.length <= 128, 'too big (maximum 128)', text),
    FORENSICS_BUCKET: read<string | undefined>('FORENSICS_BUCKET', undefined, matching(bucketName), 'expected an S3 bucket name', text),
    AUDIT_BUCKET: read<string | undefined>('AUDIT_BUCKET', undefined, matching(bucketName), 'expected an S3 bucket name', text),
    PROTECTED_PRINCIPALS: present.PROTECTED_PRINCIPALS ?? '',
    SEVERITY_THRESHOLD: read('SEVERITY_THRESHOLD', 4, matching(severity), 'expected a number from 0 to 10', Number),
    S3_EXFILTRATION_SEVERITY_THRESHOLD: read(
      'S3_EXFILTRATION_SEVERITY_THRESHOLD',
      7,
      matching(severity),
      'expected a number from 0 to 10',
      Number,
    ),
    CONTAIN_S3_EXFILTRATION: read(
      'CONTAIN_S3_EXFILTRATION',
      true,
      (v) => v === 'true' || v === 'false',
      'expected "true" or "false"',
      (v) => v === 'true',
    ),
    // DynamoDB table names: 3 to 255 of a-z, A-Z, 0-9, '_', '-', '.'.
    JOURNAL_TABLE: read<string | undefined>(
      'JOURNAL_TABLE',
      undefined,
      matching(/^[A-Za-z0-9_.-]{3,255}$/),
      'expected a DynamoDB table name',
      text,
    ),
    JOURNAL_RETENTION_DAYS: read(
      'JOURNAL_RETENTION_DAYS',
      90,
      matching(/^[1-9]\d{0,4}$/),
      'expected a whole number of days from 1 to 99999',
      Number,
    ),
    CUSTOM_CONFIG_RULES: read(
      'CUSTOM_CONFIG_RULES',
      [] as string[],
      customRuleList,
      'expected Config rule names (1 to 128 characters each), separated by commas',
      (v) =>
        v
          .split(',')
          .map((n) => n.trim())
          .filter(Boolean),
    ),
    MEMBER_ROLE_PREFIX: read<string | undefined>(
      'MEMBER_ROLE_PREFIX',
      undefined,
      matching(MEMBER_ROLE_PREFIX),
      "expected the start of an IAM role name: 1 to 34 letters, digits, '.', '_' or '-' (as the member stack's)",
      text,
    ),
    MANAGED_ACCOUNTS: read(
      'MANAGED_ACCOUNTS',
      [] as string[],
      (v) => listOf(v).every((id) => ACCOUNT_ID.test(id)),
      'expected 12-digit account ids, separated by commas',
      listOf,
    ),
    ACCOUNT_MODES: read(
      'ACCOUNT_MODES',
      {} as Readonly<Record<string, RemediationMode>>,
      (v) => accountModesOf(v) !== undefined,
      'expected <12-digit account id>=<dry-run|enforce>, separated by commas, each account once',
      (v) => accountModesOf(v) ?? {},
    ),
    APPROVAL_REQUIRED: stepKinds('APPROVAL_REQUIRED'),
    APPROVAL_ACT_ON_EXPIRY: stepKinds('APPROVAL_ACT_ON_EXPIRY'),
    // One week at most: an approval older than that is no longer about the same incident.
    APPROVAL_TIMEOUT_MINUTES: read(
      'APPROVAL_TIMEOUT_MINUTES',
      60,
      (v) => /^[1-9]\d{0,4}$/.test(v) && Number(v) <= 10_080,
      'expected a whole number of minutes from 1 to 10080',
      Number,
    ),
    APPROVAL_SCHEDULER_ROLE_ARN: read<string | undefined>(
      'APPROVAL_SCHEDULER_ROLE_ARN',
      undefined,
      matching(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/),
      'expected an IAM role ARN',
      text,
    ),
    TIME_RESERVE_MS: read(
      'TIME_RESERVE_MS',
      DEFAULT_TIME_RESERVE_MS,
      matching(/^\d{1,7}$/),
      'expected a whole number of milliseconds',
      Number,
    ),
  };
  if (problems.length) {
    const shown = problems.slice(0, 5);
    if (problems.length > 5) shown.push(`and ${problems.length - 5} more`);
    throw new ConfigError(`invalid environment: ${shown.join('; ')}`);
  }
  return e;
}

export interface Config {
  mode: RemediationMode;
  /** SNS topic for notifications; when unset (local dry-run only) the notification is returned, not sent. */
  topicArn: string | undefined;
  exemptTagKey: string;
  forensicsBucket: string | undefined;
  /** The evidence bucket that keeps an audit record of every event closed (under `audit/`); none written when unset. */
  auditBucket: string | undefined;
  /** Role or user ARNs or names that no function may change (each function adds the project's own roles). */
  protectedPrincipals: string[];
  /** GuardDuty findings below this severity are left alone (GuardDuty's medium band starts at 4). */
  severityThreshold: number;
  /**
   * S3 findings of data leaving or being changed (`S3_EXFILTRATION_FINDINGS`) at or above this severity have their caller
   * contained (rotate-credentials, stop-compromised-training-job); below it they are only notified. GuardDuty's high
   * band starts at 7.
   */
  s3ExfiltrationSeverityThreshold: number;
  /** False: S3 exfiltration findings are only notified, whatever their severity. */
  containS3Exfiltration: boolean;
  /** The DynamoDB table of the action journal; when unset (local runs) the journal lives in memory for one invocation. */
  journalTable: string | undefined;
  /** How long journal records are kept (DynamoDB TTL). */
  journalRetentionDays: number;
  /**
   * No new step or target is started with less time than this left in the invocation: the work left is journaled,
   * notified, and the invocation fails so that Lambda's retry continues it.
   */
  timeReserveMs: number;
  /**
   * Custom AWS Config rules (owner CUSTOM_LAMBDA or CUSTOM_POLICY), by name, that the function takes as it takes its
   * managed rules: for teams that wrote their own "bucket must not be public" rule.
   */
  customConfigRules: string[];
  /**
   * Organization mode, when set: the functions act in the account and region an event is about, with the role
   * `<memberRolePrefix>-<function>` there (the member stack). Unset: single-account mode, where an event about another
   * account than the function's own is refused.
   */
  memberRolePrefix: string | undefined;
  /** Organization mode: the only accounts acted in, when not empty (empty: any account whose member role can be assumed). */
  managedAccounts: readonly string[];
  /**
   * The mode of each member account named here, instead of `mode` (for example enforce in a sandbox, dry-run in
   * production); the function's own account always takes `mode` (see `modeIn`).
   */
  accountModes: Readonly<Record<string, RemediationMode>>;
  /** Which steps wait for a person's approval in enforce mode, for how long, and what happens when nobody answers. */
  approval: ApprovalSettings;
}

export interface ApprovalSettings {
  /**
   * Step kinds that wait for a person's approval (APPROVAL_REQUIRED). The first such step of a plan, and every step after
   * it, are journaled `awaiting-approval`; the steps before it run. Empty: nothing waits.
   */
  required: ReadonlySet<string>;
  /** How long an approval may be answered, from the time it is asked. */
  timeoutMinutes: number;
  /**
   * Step kinds that run when their approval expires unanswered (containment by default); the held steps of other kinds
   * are escalated: notified again, at a higher severity, and not run.
   */
  actOnExpiry: ReadonlySet<string>;
  /** The role EventBridge Scheduler assumes to deliver an approval's expiry to the function; unset, nothing expires it by itself. */
  schedulerRoleArn: string | undefined;
}

export interface ConfigRequirements {
  /** Variables that must be set when REMEDIATION_MODE is `enforce`. */
  requiredToEnforce?: readonly ('TOPIC_ARN' | 'FORENSICS_BUCKET')[];
}

/** Reads and checks the environment once, at cold start; a wrong value stops the function with a clear error. */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env, requirements: ConfigRequirements = {}): Config {
  const present = presentIn(env);
  const e = readEnvironment(present);
  const config: Config = {
    mode: e.REMEDIATION_MODE,
    topicArn: e.TOPIC_ARN,
    exemptTagKey: e.EXEMPT_TAG_KEY,
    forensicsBucket: e.FORENSICS_BUCKET,
    auditBucket: e.AUDIT_BUCKET,
    protectedPrincipals: [...protectedPrincipalsOf(e.PROTECTED_PRINCIPALS), ...memberRolesOf(e.MEMBER_ROLE_PREFIX)],
    severityThreshold: e.SEVERITY_THRESHOLD,
    s3ExfiltrationSeverityThreshold: e.S3_EXFILTRATION_SEVERITY_THRESHOLD,
    containS3Exfiltration: e.CONTAIN_S3_EXFILTRATION,
    journalTable: e.JOURNAL_TABLE,
    journalRetentionDays: e.JOURNAL_RETENTION_DAYS,
    timeReserveMs: e.TIME_RESERVE_MS,
    customConfigRules: e.CUSTOM_CONFIG_RULES,
    memberRolePrefix: e.MEMBER_ROLE_PREFIX,
    managedAccounts: e.MANAGED_ACCOUNTS,
    accountModes: e.ACCOUNT_MODES,
    approval: {
      required: new Set(e.APPROVAL_REQUIRED),
      timeoutMinutes: e.APPROVAL_TIMEOUT_MINUTES,
      actOnExpiry: new Set(e.APPROVAL_ACT_ON_EXPIRY),
      schedulerRoleArn: e.APPROVAL_SCHEDULER_ROLE_ARN,
    },
  };
  // An approval lives in the journal: a journal record that expired before the approval could not be answered.
  if (config.approval.required.size > 0 && config.approval.timeoutMinutes > config.journalRetentionDays * 24 * 60) {
    throw new ConfigError(
      `invalid environment: APPROVAL_TIMEOUT_MINUTES (${config.approval.timeoutMinutes}) is longer than the journal keeps an event (JOURNAL_RETENTION_DAYS ${config.journalRetentionDays}): an approval could not be answered once its record expired`,
    );
  }
  const actsUnasked = e.APPROVAL_ACT_ON_EXPIRY.filter((k) => !config.approval.required.has(k));
  if (actsUnasked.length) {
    throw new ConfigError(
      `invalid environment: APPROVAL_ACT_ON_EXPIRY names ${actsUnasked.join(', ')}, which APPROVAL_REQUIRED does not list (only a step that waits for approval can expire)`,
    );
  }
  // In single-account mode no other account is acted in: an account list there is a mistake, not a setting.
  const orgOnly = [config.managedAccounts.length ? 'MANAGED_ACCOUNTS' : '', Object.keys(config.accountModes).length ? 'ACCOUNT_MODES' : ''];
  if (!config.memberRolePrefix && orgOnly.some(Boolean)) {
    throw new ConfigError(
      `invalid environment: ${orgOnly.filter(Boolean).join(', ')} applies only in organization mode: set MEMBER_ROLE_PREFIX (the stack parameter MemberRolePrefix) too`,
    );
  }
  const unmanaged = Object.keys(config.accountModes).filter((a) => config.managedAccounts.length && !config.managedAccounts.includes(a));
  if (unmanaged.length) {
    throw new ConfigError(`invalid environment: ACCOUNT_MODES names ${unmanaged.join(', ')}, which MANAGED_ACCOUNTS does not list`);
  }
  // An account in enforce mode acts as the central default would in enforce mode: the same settings must be there.
  const enforcing = config.mode === 'enforce' ? 'REMEDIATION_MODE is enforce' : enforcedAccounts(config);
  if (enforcing) {
    const missing = ['TOPIC_ARN', ...(requirements.requiredToEnforce ?? [])].filter((name) => !present[name]);
    if (missing.length) {
      throw new ConfigError(`invalid environment: ${missing.join(', ')} must be set when ${enforcing}`);
    }
  }
  environments.set(config, env);
  return config;
}

function enforcedAccounts(config: Config): string | undefined {
  const accounts = Object.entries(config.accountModes).flatMap(([account, mode]) => (mode === 'enforce' ? [account] : []));
  return accounts.length ? `ACCOUNT_MODES enforces in ${accounts.join(', ')}` : undefined;
}

/**
 * The mode in an account: its ACCOUNT_MODES entry, else REMEDIATION_MODE. The function's own account always takes
 * REMEDIATION_MODE: its role's write permissions follow RemediationMode (template.yaml), so a dry-run stack cannot change
 * its own account whatever ACCOUNT_MODES says.
 */
export function modeIn(config: Config, account: string, ownAccount: string): RemediationMode {
  if (account === ownAccount) return config.mode;
  return config.accountModes[account] ?? config.mode;
}

/**
 * The PROTECTED_PRINCIPALS entries, checked once for every function: an entry that is neither an IAM user or role name
 * nor an IAM user, role or assumed-role ARN (a group ARN, a typo) would silently protect nothing, so it stops the
 * function at cold start. The template joins the stack's roles and the owner's list: an empty item is skipped.
 */
function protectedPrincipalsOf(list: string): string[] {
  const entries = list
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const unusable = entries.filter((entry) => parseProtectedEntry(entry) === undefined);
  if (unusable.length) {
    throw new ConfigError(
      `invalid environment: PROTECTED_PRINCIPALS: ${unusable.map((e) => JSON.stringify(e)).join(', ')} is not an IAM user or role name, nor an IAM user, role or assumed-role ARN`,
    );
  }
  return entries;
}

/** The functions that have a member role (`<MEMBER_ROLE_PREFIX>-<function>`) in each member account. */
export const MEMBER_ROLE_FUNCTIONS = ['quarantine-public-bucket', 'stop-compromised-training-job', 'rotate-credentials', 'notify'] as const;

/**
 * The member roles, by name, in every account: no function may change ml-guard's own roles (the member stack denies it
 * too), so a finding about one is only notified.
 */
function memberRolesOf(prefix: string | undefined): string[] {
  return prefix ? MEMBER_ROLE_FUNCTIONS.map((f) => `${prefix}-${f}`) : [];
}

/** The variables that are set: an empty one counts as unset (CloudFormation passes empty parameters as ""). */
function presentIn(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
}

/** Checks the environment against a schema; a wrong value is a ConfigError naming the variable, raised at cold start. */
export function parseEnvironment<T>(schema: Schema<T>, env: Readonly<Record<string, string | undefined>>): T {
  const parsed = safeParse(schema, presentIn(env));
  if (!parsed.success) throw new ConfigError(`invalid environment: ${describeIssues(parsed.error.issues)}`, { cause: parsed.error });
  return parsed.data;
}

/**
 * The environment each config was loaded from, kept out of `Config` itself: nothing reads a variable from it but a
 * function's settings reader, once per config.
 */
const environments = new WeakMap<Config, Readonly<Record<string, string | undefined>>>();

/**
 * A function's own settings, typed, read once per config from the environment it was loaded from: the handler calls
 * it at cold start (a wrong value stops the function there) and every later call returns the same object.
 */
export function settingsReader<S>(load: (env: Readonly<Record<string, string | undefined>>) => S): (config: Config) => S {
  const cache = new WeakMap<Config, S>();
  return (config) => {
    let settings = cache.get(config);
    if (settings === undefined) {
      const env = environments.get(config);
      if (!env) throw new ConfigError('settings asked of a config that loadConfig did not make');
      settings = load(env);
      cache.set(config, settings);
    }
    return settings;
  };
}
