import { partitionOf } from '../core/aws/partition.js';
import type { Config } from '../core/config.js';
import type { AlarmMetric, AlarmStateChange } from '../core/events/cloudwatch-alarm.js';
import { COMPROMISED_ROLE_FINDINGS, isFindingTypeIn } from '../core/events/finding-types.js';
import type { Envelope, ParsedEvent } from '../core/events/parse.js';
import { describeS3Exfiltration, isS3ExfiltrationFinding, s3ContainmentDeclined, serviceCallerOf } from '../core/events/s3-exfiltration.js';
import type { Place } from '../core/remediation/accounts.js';
import type { Selection } from '../core/remediation/remediate.js';
import type { TargetRef } from '../core/remediation/types.js';
import { isRoleName, protectedEntryFor, type RoleRef, roleRef } from './roles.js';
import { settingsOf } from './settings.js';

export const FUNCTION_NAME = 'stop-compromised-training-job';

/** The namespace SageMaker publishes training-job instance metrics to, with a `Host` dimension `<job>/algo-<n>`. */
export const TRAINING_JOBS_NAMESPACE = '/aws/sagemaker/TrainingJobs';
const HOST = /^(.+)\/algo-\d+$/;
/** SageMaker job names: 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit. */
const JOB_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

interface TargetBase {
  account: string;
  region: string;
  partition: string;
  /** The value of the `ml-guard:stopped-by` tag: `guardduty:<finding id>` or `cloudwatch:<alarm name>`. */
  trigger: string;
  /** What the event itself says that a person should know. */
  notes: string[];
}

/** A role named by a credential-compromise finding: stop the SageMaker work running with it. */
export interface RoleTarget extends TargetBase {
  kind: 'role';
  role: RoleRef;
  /** The PROTECTED_PRINCIPALS entry naming the role, when it is protected: then nothing is read or changed. */
  protectedBy?: string;
}

/** An alarm whose metrics name training jobs: stop those jobs. */
export interface AlarmTarget extends TargetBase {
  kind: 'alarm';
  alarmName: string;
  alarmArn?: string;
  jobNames: string[];
}

export type StopTarget = RoleTarget | AlarmTarget;

/** The account and region of the jobs to stop, as the event names them. */
export function placeOf(target: StopTarget): Place {
  return { account: target.account, region: target.region };
}

export function describeTarget(target: StopTarget): TargetRef {
  return target.kind === 'role'
    ? { type: 'AWS::IAM::Role', id: target.role.name, arn: target.role.arn }
    : { type: 'AWS::CloudWatch::Alarm', id: target.alarmName, ...(target.alarmArn ? { arn: target.alarmArn } : {}) };
}

/**
 * From a validated event, what to stop: the role of a credential-compromise finding at or above SEVERITY_THRESHOLD,
 * or the role that called S3 in an S3 exfiltration finding at or above S3_EXFILTRATION_SEVERITY_THRESHOLD (never a
 * service-linked role: rotate-credentials notifies it); the training jobs an alarm names. The EventBridge rules in
 * template.yaml route the same events (severity included), except for what a rule cannot express, which is declined
 * here with a reason: a finding that names no valid role name, and an alarm whose metrics name no training job (or
 * only jobs of other accounts).
 */
export function selectTargets(event: ParsedEvent, config: Config): Selection<StopTarget> {
  switch (event.kind) {
    case 'guardduty':
      return selectRole(event.finding, config);
    case 'alarm':
      return selectAlarm(event.envelope, event.alarm, config);
    case 'config':
      return { action: 'ignore', reason: `AWS Config events are not handled by ${FUNCTION_NAME}` };
    case 'cloudtrail':
      return { action: 'ignore', reason: `CloudTrail API calls are not handled by ${FUNCTION_NAME}` };
  }
}

type Finding = Extract<ParsedEvent, { kind: 'guardduty' }>['finding'];

function selectRole(f: Finding, config: Config): Selection<StopTarget> {
  const isS3 = isS3ExfiltrationFinding(f);
  const declined = isS3 ? s3ContainmentDeclined(f, config) : checkCredentialFinding(f);
  if (declined) return { action: 'ignore', reason: declined };
  const key = f.resource.accessKeyDetails;
  if (key?.userType !== 'AssumedRole') {
    return {
      action: 'ignore',
      reason: `the principal of GuardDuty finding ${f.id} has userType ${key?.userType ?? '(none)'}, not AssumedRole`,
    };
  }
  if (!isS3 && f.severity < config.severityThreshold) {
    return {
      action: 'ignore',
      reason: `GuardDuty finding ${f.id} has severity ${f.severity}, below SEVERITY_THRESHOLD ${config.severityThreshold}`,
    };
  }
  const service = isS3 ? serviceCallerOf(key) : undefined;
  if (service) return { action: 'ignore', reason: `${service} (rotate-credentials notifies it)` };
  const name = key.userName ?? '';
  if (!isRoleName(name)) {
    return {
      action: 'ignore',
      reason: `GuardDuty finding ${f.id} names no valid role (accessKeyDetails.userName: ${JSON.stringify(key.userName ?? null)})`,
    };
  }
  const partition = f.partition || partitionOf(f.region);
  const role = roleRef(name, f.accountId, partition);
  const notes: string[] = [];
  if (isS3) notes.push(`the role's credentials were used for ${describeS3Exfiltration(f)}`);
  const protectedBy = protectedEntryFor(role, config.protectedPrincipals);
  return {
    action: 'remediate',
    targets: [
      {
        kind: 'role',
        role,
        account: f.accountId,
        region: f.region,
        partition,
        trigger: `guardduty:${f.id}`,
        notes,
        ...(protectedBy ? { protectedBy } : {}),
      },
    ],
  };
}

/** Why a credential-compromise finding is not one this function acts on (its type, or a resource other than an access key). */
function checkCredentialFinding(f: Finding): string | undefined {
  if (!isFindingTypeIn(COMPROMISED_ROLE_FINDINGS, f.type))
    return `GuardDuty finding type ${f.type} is not one that ${FUNCTION_NAME} handles`;
  if (f.resource.resourceType !== 'AccessKey') {
    return `GuardDuty finding ${f.id} is about resource type ${f.resource.resourceType}, not AccessKey`;
  }
  return undefined;
}

function selectAlarm(envelope: Envelope, alarm: AlarmStateChange, config: Config): Selection<StopTarget> {
  const { alarmNamePrefix } = settingsOf(config);
  if (!alarm.alarmName.startsWith(alarmNamePrefix)) {
    return { action: 'ignore', reason: `alarm ${alarm.alarmName} does not start with ALARM_NAME_PREFIX "${alarmNamePrefix}"` };
  }
  if (alarm.state.value !== 'ALARM') {
    return { action: 'ignore', reason: `alarm ${alarm.alarmName} changed to ${alarm.state.value}, not ALARM` };
  }
  const alarmArn = envelope.resources.find((r) => r.includes(':cloudwatch:'));
  const ref: TargetRef = { type: 'AWS::CloudWatch::Alarm', id: alarm.alarmName, ...(alarmArn ? { arn: alarmArn } : {}) };
  if (alarm.configuration?.alarmRule !== undefined) {
    return {
      action: 'notify',
      reason: `composite alarm ${alarm.alarmName} names no metric, so no training job: nothing was stopped; look at the alarms its rule combines: ${alarm.configuration.alarmRule}`,
      targets: [ref],
    };
  }
  const { jobNames, foreign } = trainingJobsOf(alarm.configuration?.metrics ?? [], envelope.account);
  if (jobNames.length === 0) {
    const why = foreign.length
      ? `its training-job metrics belong to other accounts (${foreign.join(', ')})`
      : 'its metrics name no training job';
    return { action: 'ignore', reason: `alarm ${alarm.alarmName}: ${why}` };
  }
  const notes = foreign.length
    ? [`metrics of other accounts (${foreign.join(', ')}) were left out: ml-guard stops jobs only in the alarm's account`]
    : [];
  return {
    action: 'remediate',
    targets: [
      {
        kind: 'alarm',
        alarmName: alarm.alarmName,
        ...(alarmArn ? { alarmArn } : {}),
        jobNames,
        account: envelope.account,
        region: envelope.region,
        partition: partitionOfArn(alarmArn) ?? partitionOf(envelope.region),
        trigger: `cloudwatch:${alarm.alarmName}`,
        notes,
      },
    ],
  };
}

/**
 * The training jobs an alarm's metrics name, in order, without repeats: the `Host` dimension (`<job>/algo-<n>`) of
 * the /aws/sagemaker/TrainingJobs namespace, or a `TrainingJobName` dimension in any namespace. Metric-math alarms
 * list every metric they use in `metrics[]` (expressions have no metricStat); a metric of another account
 * (cross-account alarms set `accountId`) is left out and reported.
 */
export function trainingJobsOf(metrics: readonly AlarmMetric[], account: string): { jobNames: string[]; foreign: string[] } {
  const jobNames: string[] = [];
  const foreign: string[] = [];
  for (const m of metrics) {
    const metric = m.metricStat?.metric;
    if (!metric) continue;
    const dimensions = metric.dimensions ?? {};
    const names: string[] = [];
    const host = metric.namespace === TRAINING_JOBS_NAMESPACE ? HOST.exec(dimensions.Host ?? '')?.[1] : undefined;
    if (host) names.push(host);
    if (dimensions.TrainingJobName) names.push(dimensions.TrainingJobName);
    const valid = names.filter((n) => JOB_NAME.test(n));
    if (valid.length === 0) continue;
    const metricAccount = (m as { accountId?: unknown }).accountId;
    if (typeof metricAccount === 'string' && metricAccount !== account) {
      if (!foreign.includes(metricAccount)) foreign.push(metricAccount);
      continue;
    }
    for (const n of valid) if (!jobNames.includes(n)) jobNames.push(n);
  }
  return { jobNames, foreign };
}

function partitionOfArn(arn: string | undefined): string | undefined {
  return arn ? /^arn:(aws[a-z-]*):/.exec(arn)?.[1] : undefined;
}
