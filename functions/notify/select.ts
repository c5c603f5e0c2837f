import { partitionOf } from '../core/aws/partition.js';
import type { Config } from '../core/config.js';
import { auditCallKind, calledResource, callerOf } from '../core/events/audit-calls.js';
import { type ManagedRuleId, matchRule } from '../core/events/config-rules.js';
import {
  COMPROMISED_CREDENTIAL_FINDINGS,
  isFindingTypeIn,
  PUBLIC_BUCKET_FINDINGS,
  ROOT_CREDENTIAL_USAGE,
} from '../core/events/finding-types.js';
import type { GuardDutyFinding } from '../core/events/guardduty.js';
import type { ParsedEvent } from '../core/events/parse.js';
import { isContainedS3Finding } from '../core/events/s3-exfiltration.js';
import { servingTargetOf, watchesSageMakerEndpoint } from '../core/notify/describe-alarm.js';
import { isAwsRegion } from '../core/notify/describe-event.js';
import type { TargetRef } from '../core/remediation/types.js';
import { FUNCTION_NAME, type NotifySettings } from './settings.js';

/** The managed rules that keep the audit trail alive: a trail, its log file validation, log groups, buckets' logging. */
const AUDIT_TRAIL_RULES = [
  'CLOUD_TRAIL_ENABLED',
  'MULTI_REGION_CLOUD_TRAIL_ENABLED',
  'CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED',
  'CLOUDWATCH_LOG_GROUP_ENCRYPTED',
  'CW_LOGGROUP_RETENTION_PERIOD_CHECK',
  'S3_BUCKET_LOGGING_ENABLED',
] as const satisfies readonly ManagedRuleId[];

/**
 * AWS Config managed rules that no ml-guard function remediates: a person is told instead. The SageMaker rules; the
 * audit-trail rules; buckets' encryption and TLS; and S3_BUCKET_POLICY_GRANTEE_CHECK, whose grants to unlisted
 * principals need not be public, so quarantine-public-bucket does not take it. Custom rules listed in
 * CUSTOM_CONFIG_RULES are reported too.
 */
export const NOTIFY_CONFIG_RULES = [
  'SAGEMAKER_NOTEBOOK_NO_DIRECT_INTERNET_ACCESS',
  'SAGEMAKER_NOTEBOOK_INSTANCE_ROOT_ACCESS_CHECK',
  'SAGEMAKER_ENDPOINT_CONFIGURATION_KMS_KEY_CONFIGURED',
  ...AUDIT_TRAIL_RULES,
  'S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED',
  'S3_BUCKET_SSL_REQUESTS_ONLY',
  'S3_BUCKET_POLICY_GRANTEE_CHECK',
] as const satisfies readonly ManagedRuleId[];

/** The finding types some remediation handles (at or above the threshold): every other type is notified. */
export function isRemediatedFindingType(type: string): boolean {
  return (
    isFindingTypeIn(PUBLIC_BUCKET_FINDINGS, type) ||
    isFindingTypeIn(COMPROMISED_CREDENTIAL_FINDINGS, type) ||
    type === ROOT_CREDENTIAL_USAGE
  );
}

/** What flood control keys a notification on: one alarm, one finding, one Config rule and resource. */
export interface FloodSubject {
  key: string;
  /**
   * A level whose rise notifies even inside the window: GuardDuty's severity, or an alarm's state (1 in ALARM, 0 in OK),
   * so that an alarm entering ALARM after its return to OK was notified is never held back (no later event may come to
   * carry the count while it stays in ALARM), while a flapping alarm is still notified once per window. Config has none.
   */
  level?: number;
  /** The state to remember for a held-back repeat (alarm state, severity, compliance). */
  state: string;
}

export type NotifySelection =
  | { action: 'ignore'; reason: string }
  | { action: 'notify'; reason: string; targets: TargetRef[]; flood: FloodSubject };

/**
 * Pure: whether an event needs a person, and about what. The rules in template.yaml route exactly these events, but
 * for the S3 exfiltration findings whose caller the remediation functions contain (`isContainedS3Finding`): the rule
 * routes every S3 finding at or above SEVERITY_THRESHOLD, because it cannot also say "below
 * S3ExfiltrationSeverityThreshold" (EventBridge refuses a numeric range whose bounds are not in order, and the two
 * thresholds are independent parameters); those are declined here.
 */
export function selectNotification(event: ParsedEvent, config: Config, settings: NotifySettings): NotifySelection {
  switch (event.kind) {
    case 'guardduty':
      return selectFinding(event.finding, config);
    case 'config':
      return selectCompliance(event, config);
    case 'alarm':
      return selectAlarm(event, settings);
    case 'cloudtrail':
      return selectCall(event, settings);
  }
}

/**
 * GuardDuty's findings that someone blinds the auditors: notified at any severity (GuardDuty gives them 2, below every
 * threshold), marked as audit tampering.
 */
export const AUDIT_TAMPERING_FINDINGS = [
  'Stealth:IAMUser/CloudTrailLoggingDisabled',
  'Stealth:IAMUser/LoggingConfigurationModified',
  'Stealth:S3/ServerAccessLoggingDisabled',
  'Stealth:IAMUser/PasswordPolicyChange',
] as const;

const isAuditTamperingFinding = (type: string) => (AUDIT_TAMPERING_FINDINGS as readonly string[]).includes(type);

/**
 * A CloudTrail management event: someone turned a monitor off (always notified), or an ML asset was stopped or deleted
 * by anyone but ml-guard's own roles (whose responses are notified already), optionally only for assets named with
 * NOTIFY_ML_ASSET_PREFIXES. One notification per call, resource and caller in the flood-control window.
 */
function selectCall(event: Extract<ParsedEvent, { kind: 'cloudtrail' }>, settings: NotifySettings): NotifySelection {
  const call = event.call;
  const kind = auditCallKind(call);
  const name = `${call.eventSource} ${call.eventName}`;
  if (!kind) return { action: 'ignore', reason: `the CloudTrail call ${name} is not one that ${FUNCTION_NAME} reports` };
  const resource = calledResource(call);
  const caller = callerOf(call);
  if (kind === 'ml-asset-deleted') {
    const own = caller.issuer ?? caller.arn;
    if (own && settings.ownRoleArns.includes(own)) {
      return {
        action: 'ignore',
        reason: `${name} was made by ml-guard's own role ${own}: its response is notified by the function that made it`,
      };
    }
    if (settings.mlAssetPrefixes.length && !settings.mlAssetPrefixes.some((p) => resource?.startsWith(p))) {
      return {
        action: 'ignore',
        reason: `${name} on ${resource ?? '(unnamed)'}: the name starts with none of NOTIFY_ML_ASSET_PREFIXES (${settings.mlAssetPrefixes.join(', ')})`,
      };
    }
  }
  const { account } = event.envelope;
  return {
    action: 'notify',
    reason:
      kind === 'audit-tampering'
        ? `Audit tampering: ${name} turns a monitor off; a person must confirm it was intended`
        : `An ML asset was stopped or deleted (${name}) by someone other than ml-guard: a person should confirm it was intended`,
    targets: [{ type: call.eventSource, id: resource ?? call.eventName }],
    flood: {
      key: `cloudtrail#${account}#${call.awsRegion}#${call.eventName}#${resource ?? ''}#${caller.issuer ?? caller.arn ?? caller.type}`,
      state: call.errorCode ? `failed: ${call.errorCode}` : 'done',
    },
  };
}

function selectFinding(f: GuardDutyFinding, config: Config): NotifySelection {
  if (isAuditTamperingFinding(f.type)) {
    return {
      action: 'notify',
      reason: `Audit tampering: GuardDuty ${f.type} (notified at any severity): someone may be blinding the auditors; a person should look`,
      targets: findingTargets(f),
      flood: { key: `guardduty#${f.accountId}#${f.region}#${f.id}`, level: f.severity, state: `severity ${f.severity}` },
    };
  }
  if (isRemediatedFindingType(f.type)) {
    return { action: 'ignore', reason: `GuardDuty finding type ${f.type} is handled by a remediation function, not by ${FUNCTION_NAME}` };
  }
  if (isContainedS3Finding(f, config)) {
    return {
      action: 'ignore',
      reason: `GuardDuty finding ${f.id} (${f.type}, severity ${f.severity}) is at or above S3_EXFILTRATION_SEVERITY_THRESHOLD ${config.s3ExfiltrationSeverityThreshold}: rotate-credentials contains its caller and notifies, not ${FUNCTION_NAME}`,
    };
  }
  if (f.severity < config.severityThreshold) {
    return {
      action: 'ignore',
      reason: `GuardDuty finding ${f.id} has severity ${f.severity}, below the threshold ${config.severityThreshold}`,
    };
  }
  return {
    action: 'notify',
    reason: 'A GuardDuty finding that no ml-guard function acts on: a person should look',
    targets: findingTargets(f),
    flood: { key: `guardduty#${f.accountId}#${f.region}#${f.id}`, level: f.severity, state: `severity ${f.severity}` },
  };
}

/** The resources a finding names, as targets; the finding itself when it names none we know. */
function findingTargets(f: GuardDutyFinding): TargetRef[] {
  const partition = f.partition ?? 'aws';
  const r = f.resource as GuardDutyFinding['resource'] & Record<string, unknown>;
  const buckets = (r.s3BucketDetails ?? []).map((b) => ({
    type: 'AWS::S3::Bucket',
    id: b.name,
    arn: b.arn ?? `arn:${partition}:s3:::${b.name}`,
  }));
  if (buckets.length) return buckets;
  const instance = (r.instanceDetails as { instanceId?: unknown } | undefined)?.instanceId;
  if (typeof instance === 'string' && instance) return [{ type: 'AWS::EC2::Instance', id: instance }];
  const user = r.accessKeyDetails?.userName;
  if (r.resourceType === 'AccessKey' && user) return [{ type: 'IAM principal', id: user }];
  return [{ type: 'GuardDuty finding', id: f.id, ...(f.arn ? { arn: f.arn } : {}) }];
}

function selectCompliance(event: Extract<ParsedEvent, { kind: 'config' }>, config: Config): NotifySelection {
  const c = event.compliance;
  const match = matchRule(c, event.rule, {
    managed: NOTIFY_CONFIG_RULES,
    custom: config.customConfigRules,
    handledBy: `${FUNCTION_NAME} reports`,
  });
  if ('outside' in match) return { action: 'ignore', reason: match.outside };
  return {
    action: 'notify',
    reason: complianceReason(match.rule),
    targets: [{ type: c.resourceType, id: c.resourceId }],
    flood: {
      key: `config#${c.awsAccountId}#${c.awsRegion}#${c.configRuleName}#${c.resourceType}#${c.resourceId}`,
      state: c.newEvaluationResult.complianceType,
    },
  };
}

function complianceReason(rule: ManagedRuleId | 'custom'): string {
  if (rule === 'custom') return 'A resource broke a custom Config rule listed in CUSTOM_CONFIG_RULES: a person should look';
  if (rule.startsWith('SAGEMAKER_'))
    return 'A SageMaker resource broke a Config rule that no ml-guard function remediates: a person should look';
  if ((AUDIT_TRAIL_RULES as readonly ManagedRuleId[]).includes(rule)) {
    return 'A Config rule that keeps the audit trail alive is broken: activity may go unrecorded or unprotected; a person should look';
  }
  return 'A bucket broke a Config rule that no ml-guard function remediates: a person should look';
}

function selectAlarm(event: Extract<ParsedEvent, { kind: 'alarm' }>, settings: NotifySettings): NotifySelection {
  const a = event.alarm;
  const { account, region } = event.envelope;
  const entering = a.state.value === 'ALARM';
  const recovering = a.state.value === 'OK' && a.previousState?.value === 'ALARM';
  if (!entering && !recovering) {
    return {
      action: 'ignore',
      reason: `alarm ${a.alarmName} went ${a.previousState?.value ?? 'unknown'} -> ${a.state.value}: only entering ALARM and returning to OK are notified`,
    };
  }
  const named = a.alarmName.startsWith(settings.alarmNamePrefix);
  if (!named && !watchesSageMakerEndpoint(a)) {
    return {
      action: 'ignore',
      reason: `alarm ${a.alarmName} watches no SageMaker endpoint or Model Monitor metric and its name does not start with ${settings.alarmNamePrefix}`,
    };
  }
  const serving = servingTargetOf(a);
  const alarmRef: TargetRef = {
    type: 'AWS::CloudWatch::Alarm',
    id: a.alarmName,
    ...(event.envelope.resources[0] ? { arn: event.envelope.resources[0] } : {}),
  };
  return {
    action: 'notify',
    reason: entering
      ? `An ML serving or model-quality alarm entered ALARM: a person should look`
      : `An ML serving or model-quality alarm is back to OK`,
    targets: [serving.endpoint ? endpointRef(serving.endpoint, account, region) : alarmRef],
    flood: { key: `cloudwatch#${account}#${region}#${a.alarmName}`, level: entering ? 1 : 0, state: a.state.value },
  };
}

/** SageMaker writes endpoint names in lower case in their ARNs. */
function endpointRef(name: string, account: string, region: string): TargetRef {
  const ref: TargetRef = { type: 'AWS::SageMaker::Endpoint', id: name };
  if (!/^\d{12}$/.test(account) || !isAwsRegion(region)) return ref;
  return { ...ref, arn: `arn:${partitionOf(region)}:sagemaker:${region}:${account}:endpoint/${name.toLowerCase()}` };
}
