import type { Config } from '../core/config.js';
import type { ConfigComplianceChange } from '../core/events/config-compliance.js';
import { type ManagedRuleId, matchRule, type RuleIdentity } from '../core/events/config-rules.js';
import { COMPROMISED_CREDENTIAL_FINDINGS, isFindingTypeIn, ROOT_CREDENTIAL_USAGE } from '../core/events/finding-types.js';
import type { GuardDutyFinding } from '../core/events/guardduty.js';
import type { ParsedEvent } from '../core/events/parse.js';
import { describeS3Exfiltration, isS3ExfiltrationFinding, s3ContainmentDeclined, serviceCallerOf } from '../core/events/s3-exfiltration.js';
import { isPrincipalName } from '../core/principals.js';
import type { Place } from '../core/remediation/accounts.js';
import type { Selection } from '../core/remediation/remediate.js';
import type { TargetRef } from '../core/remediation/types.js';

export const FUNCTION_NAME = 'rotate-credentials';

/**
 * The AWS Config managed rules about a user's access keys: keys older than the rule's `maxAccessKeyAge`, and keys (or
 * a password) unused for longer than its `maxCredentialUsageAge`. A custom rule listed in CUSTOM_CONFIG_RULES is taken
 * as the first (keys older than MAX_ACCESS_KEY_AGE_DAYS).
 */
export const ACCESS_KEY_RULES = ['ACCESS_KEYS_ROTATED', 'IAM_USER_UNUSED_CREDENTIALS_CHECK'] as const satisfies readonly ManagedRuleId[];

/** `IAM_USER_UNUSED_CREDENTIALS_CHECK`'s `maxCredentialUsageAge` when the rule sets none (or was not read). */
export const DEFAULT_MAX_CREDENTIAL_USAGE_AGE_DAYS = 90;

/** IAM user ids, as AWS Config names users: `AIDA` and 16 or more upper-case letters and digits. */
const USER_ID = /^AIDA[A-Z0-9]{12,124}$/;

interface TargetBase {
  /** The account and region the event is about: where the function acts (IAM is global; Secrets Manager is regional). */
  account: string;
  region: string;
  /** `guardduty:<finding id>` or `config:<rule>`. */
  trigger: string;
  /**
   * Why a finding that is not about credentials as such contains them: for an S3 exfiltration finding, what the caller
   * did to which bucket and objects (`describeS3Exfiltration`). The plan gives it as its first note.
   */
  cause?: string;
}

/** An IAM user named by a finding: the access key it names is contained, the user's sessions revoked. */
export interface UserKeyTarget extends TargetBase {
  kind: 'user-key';
  userName: string;
  /** The last activity the finding saw (`service.eventLastSeen`, else `updatedAt`): sessions used then must be denied. */
  seenUntil?: string;
  /** The key the finding names; absent when the finding names none. `ASIA...` ids are temporary credentials. */
  accessKeyId?: string;
  /** The user's unique id the finding names (`principalId`, `AIDA...`), to check that the live user is still that one. */
  principalId?: string;
}

/** An IAM role named by a finding (`userType: AssumedRole`): its sessions are revoked. */
export interface RoleTarget extends TargetBase {
  kind: 'role';
  roleName: string;
  seenUntil?: string;
  /** The role's unique id the finding names (`principalId` is `<AROA...>:<session>`), to check that the live role is still that one. */
  principalId?: string;
}

/** The account's root user: no API can contain it, so a person is told at once what to do. */
export interface RootTarget extends TargetBase {
  kind: 'root';
  accessKeyId?: string;
  /** What the finding says was done with the root credentials: API and source IP. */
  activity?: string;
}

/** Any other principal (federated users, unknown types): notified only. */
export interface OtherPrincipalTarget extends TargetBase {
  kind: 'other';
  userType: string;
  principal: string;
}

/** An IAM user AWS Config found with access keys older than the rule's maximum age, or unused for too long. */
export interface StaleKeysTarget extends TargetBase {
  kind: 'stale-keys';
  /** The user's id (`AIDA...`): Config names users by id, so the name is read from IAM. */
  userId: string;
  rule: string;
  /** `age`: active keys created too long ago (ACCESS_KEYS_ROTATED). `unused`: active keys not used for too long. */
  check: 'age' | 'unused';
  /** The rule's own limit in days (`maxAccessKeyAge`, `maxCredentialUsageAge`), when its source was read and sets one. */
  ruleMaxDays?: number;
}

export type CredentialTarget = UserKeyTarget | RoleTarget | RootTarget | OtherPrincipalTarget | StaleKeysTarget;

/** The account and region of a principal, as the event names them. */
export function placeOf(target: CredentialTarget): Place {
  return { account: target.account, region: target.region };
}

/** The root user and other principals: only a person can act, so nothing is read or changed in any account. */
export function readsNothing(target: CredentialTarget): boolean {
  return target.kind === 'root' || target.kind === 'other';
}

export function describeTarget(target: CredentialTarget): TargetRef {
  switch (target.kind) {
    case 'user-key':
      return { type: 'AWS::IAM::User', id: target.userName };
    case 'role':
      return { type: 'AWS::IAM::Role', id: target.roleName };
    case 'root':
      return { type: 'AWS account root user', id: target.account };
    case 'other':
      return { type: `${target.userType} principal`, id: target.principal };
    case 'stale-keys':
      return { type: 'AWS::IAM::User', id: target.userId };
  }
}

/**
 * From a validated event, the one principal to act on: the caller of a credential-compromise finding, or of an S3
 * exfiltration finding at or above S3_EXFILTRATION_SEVERITY_THRESHOLD (an AWS service or a service-linked role caller is
 * only notified). The EventBridge rules in template.yaml route the same events; the function checks the type and the
 * thresholds again.
 */
export function selectTargets(event: ParsedEvent, config: Config): Selection<CredentialTarget> {
  switch (event.kind) {
    case 'guardduty':
      return selectFromFinding(event.finding, config);
    case 'config':
      return selectFromConfig(event.compliance, event.rule, config);
    case 'alarm':
      return { action: 'ignore', reason: `CloudWatch alarms are not handled by ${FUNCTION_NAME}` };
    case 'cloudtrail':
      return { action: 'ignore', reason: `CloudTrail API calls are not handled by ${FUNCTION_NAME}` };
  }
}

function selectFromFinding(f: GuardDutyFinding, config: Config): Selection<CredentialTarget> {
  const isRootUsage = f.type === ROOT_CREDENTIAL_USAGE;
  const isS3 = isS3ExfiltrationFinding(f);
  const declined = isS3 ? s3ContainmentDeclined(f, config) : checkCredentialFinding(f, config, isRootUsage);
  if (declined) return { action: 'ignore', reason: declined };
  const key = f.resource.accessKeyDetails;
  const base = {
    account: f.accountId,
    region: f.region,
    trigger: `guardduty:${f.id}`,
    ...(isS3 ? { cause: describeS3Exfiltration(f) } : {}),
  };
  const lastSeen = f.service.eventLastSeen || f.updatedAt;
  const seen = lastSeen ? { seenUntil: lastSeen } : {};
  const accessKeyId = key?.accessKeyId || undefined;
  const userType = key?.userType || 'unknown';
  const name = key?.userName || key?.principalId || undefined;

  if (isRootUsage || userType === 'Root') {
    const call = f.service.action?.awsApiCallAction;
    const ip = call?.remoteIpDetails?.ipAddressV4 ?? call?.remoteIpDetails?.ipAddressV6;
    const activity = [call?.api ? `API ${call.api}` : undefined, ip ? `from ${ip}` : undefined].filter(Boolean).join(' ');
    return {
      action: 'remediate',
      targets: [{ kind: 'root', ...base, ...(accessKeyId ? { accessKeyId } : {}), ...(activity ? { activity } : {}) }],
    };
  }

  const service = isS3 ? serviceCallerOf(key) : undefined;
  if (service) {
    return {
      action: 'notify',
      reason: `${base.cause}: ${service}`,
      targets: [{ type: `${userType} principal`, id: name ?? '(not named)' }],
    };
  }
  if (userType === 'IAMUser' || userType === 'AssumedRole') {
    const principal = key?.userName ?? '';
    if (!isPrincipalName(principal)) {
      return {
        action: 'notify',
        reason: `GuardDuty finding ${f.id} names no valid ${userType === 'IAMUser' ? 'user' : 'role'} (accessKeyDetails.userName: ${JSON.stringify(key?.userName ?? null)}): nothing was changed; a person must find the principal in CloudTrail`,
        targets: [],
      };
    }
    const uniqueId = uniqueIdOf(userType, key?.principalId);
    const id = uniqueId ? { principalId: uniqueId } : {};
    return userType === 'IAMUser'
      ? {
          action: 'remediate',
          targets: [{ kind: 'user-key', ...base, ...seen, userName: principal, ...(accessKeyId ? { accessKeyId } : {}), ...id }],
        }
      : { action: 'remediate', targets: [{ kind: 'role', ...base, ...seen, roleName: principal, ...id }] };
  }
  return { action: 'remediate', targets: [{ kind: 'other', ...base, userType, principal: name ?? '(not named)' }] };
}

/**
 * Why a credential-compromise finding is not acted on, or undefined: a type this function does not handle, a resource
 * other than an access key, or a severity below SEVERITY_THRESHOLD (root credential usage counts whatever its severity).
 */
function checkCredentialFinding(f: GuardDutyFinding, config: Config, isRootUsage: boolean): string | undefined {
  if (!isRootUsage && !isFindingTypeIn(COMPROMISED_CREDENTIAL_FINDINGS, f.type)) {
    return `GuardDuty finding type ${f.type} is not one that ${FUNCTION_NAME} handles`;
  }
  if (f.resource.resourceType !== 'AccessKey') {
    return `GuardDuty finding ${f.id} is about a ${f.resource.resourceType}, not an access key`;
  }
  if (!isRootUsage && f.severity < config.severityThreshold) {
    return `GuardDuty finding ${f.id} has severity ${f.severity}, below SEVERITY_THRESHOLD ${config.severityThreshold}`;
  }
  return undefined;
}

/**
 * The unique id of the user (`AIDA...`) or role (`AROA...`, before the `:<session>` of an assumed role's principalId)
 * the finding names, or undefined when it names none. IAM gives a principal deleted and re-created under the same name
 * a new unique id (IAM user guide, "IAM identifiers"): the id tells whether the live principal is the one GuardDuty saw.
 */
function uniqueIdOf(userType: 'IAMUser' | 'AssumedRole', principalId: string | null | undefined): string | undefined {
  const id = userType === 'AssumedRole' ? principalId?.split(':')[0] : principalId;
  const prefix = userType === 'IAMUser' ? 'AIDA' : 'AROA';
  return id && new RegExp(`^${prefix}[A-Z0-9]{12,124}$`).test(id) ? id : undefined;
}

function selectFromConfig(c: ConfigComplianceChange, identity: RuleIdentity | undefined, config: Config): Selection<CredentialTarget> {
  const match = matchRule(c, identity, {
    managed: ACCESS_KEY_RULES,
    custom: config.customConfigRules,
    handledBy: `${FUNCTION_NAME} handles`,
    noun: 'user',
  });
  if ('outside' in match) return { action: 'ignore', reason: match.outside };
  // A custom rule may evaluate any resource type: only a user is a target.
  if (c.resourceType !== 'AWS::IAM::User') return { action: 'ignore', reason: `resource type ${c.resourceType} is not AWS::IAM::User` };
  const ref = { type: 'AWS::IAM::User', id: c.resourceId };
  if (!USER_ID.test(c.resourceId)) {
    return {
      action: 'notify',
      reason: `Config names the user ${JSON.stringify(c.resourceId)}, which is not an IAM user id (AIDA...): nothing was changed`,
      targets: [ref],
    };
  }
  const unused = match.rule === 'IAM_USER_UNUSED_CREDENTIALS_CHECK';
  const ruleMaxDays = daysParameter(match.identity, unused ? 'maxCredentialUsageAge' : 'maxAccessKeyAge');
  return {
    action: 'remediate',
    targets: [
      {
        kind: 'stale-keys',
        account: c.awsAccountId,
        region: c.awsRegion,
        trigger: `config:${c.configRuleName}`,
        userId: c.resourceId,
        rule: c.configRuleName,
        check: unused ? 'unused' : 'age',
        ...(ruleMaxDays === undefined ? {} : { ruleMaxDays }),
      },
    ],
  };
}

/** A rule parameter that is a whole number of days (1 to 9999), or undefined. */
function daysParameter(identity: RuleIdentity, name: string): number | undefined {
  const value = identity.parameters?.[name];
  return value !== undefined && /^[1-9]\d{0,3}$/.test(value.trim()) ? Number(value.trim()) : undefined;
}
