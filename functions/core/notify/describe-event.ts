import { auditCallKind, calledResource, callerOf } from '../events/audit-calls.js';
import type { CloudTrailApiCall } from '../events/cloudtrail-api-call.js';
import type { AlarmStateChange } from '../events/cloudwatch-alarm.js';
import { describeRule } from '../events/config-rules.js';
import { type GuardDutyFinding, isSampleFinding, severityLabel } from '../events/guardduty.js';
import type { ParsedEvent } from '../events/parse.js';
import { describeObjects, s3AccessOf } from '../events/s3-exfiltration.js';
import type { Severity } from '../severity.js';
import { describeAlarm } from './describe-alarm.js';

/** The facts about an incoming event that every notification repeats, in words and as data. */
export interface EventFacts {
  source: 'guardduty' | 'config' | 'cloudwatch' | 'cloudtrail';
  /** One line: what happened. */
  headline: string;
  severity: Severity;
  account: string;
  region: string;
  /** Label and value pairs a person reads top to bottom (labels are unique). */
  facts: [string, string][];
  consoleUrl?: string;
  /** What a person can do next, most useful first (shown under "What to do" and as chat next steps). */
  nextSteps?: string[];
}

/** Pure: the facts of an event, from the event alone. */
export function describeEvent(event: ParsedEvent): EventFacts {
  switch (event.kind) {
    case 'guardduty':
      return describeFinding(event.finding);
    case 'config':
      return describeCompliance(event);
    case 'alarm':
      return describeAlarmEvent(event.alarm, event.envelope.account, event.envelope.region, event.envelope.time);
    case 'cloudtrail':
      return describeCall(event.call, event.envelope.account);
  }
}

/** A CloudTrail management event: who did what to which resource, from where, and when. */
function describeCall(call: CloudTrailApiCall, envelopeAccount: string): EventFacts {
  const kind = auditCallKind(call);
  const caller = callerOf(call);
  const resource = calledResource(call);
  const who = caller.arn ?? caller.type;
  const facts: [string, string][] = [
    ['call', `${call.eventSource} ${call.eventName}${resource ? ` on ${resource}` : ''}`],
    ['who', `${caller.type}${caller.arn ? ` ${caller.arn}` : ''}`],
  ];
  if (caller.issuer) facts.push(['session issued by', caller.issuer]);
  if (call.userIdentity.accessKeyId) facts.push(['access key', call.userIdentity.accessKeyId]);
  if (call.sourceIPAddress) facts.push(['source IP', call.sourceIPAddress]);
  if (call.userAgent) facts.push(['user agent', call.userAgent]);
  facts.push(['when', call.eventTime]);
  if (call.errorCode) facts.push(['outcome', `failed with ${call.errorCode}: nothing was changed, but someone tried`]);
  const account = call.recipientAccountId ?? call.userIdentity.accountId ?? envelopeAccount;
  const valid = isAwsRegion(call.awsRegion);
  const link =
    valid && call.eventID
      ? consoleUrl(call.awsRegion, `cloudtrailv2/home?region=${call.awsRegion}#/events/${encodeURIComponent(call.eventID)}`)
      : undefined;
  const what =
    kind === 'audit-tampering' ? 'turned a monitor off' : kind === 'ml-asset-deleted' ? 'stopped or deleted an ML asset' : 'made a call';
  return {
    source: 'cloudtrail',
    headline: `${who} ${what}: ${call.eventName}${resource ? ` ${resource}` : ''}`,
    severity: kind === 'audit-tampering' ? 'HIGH' : 'MEDIUM',
    account,
    region: call.awsRegion,
    facts: valid ? facts : [...facts, noLink(call.awsRegion)],
    ...(link ? { consoleUrl: link } : {}),
    nextSteps:
      kind === 'audit-tampering'
        ? [
            "Confirm with the caller whether this was intended; if not, turn the monitor back on and treat the caller's credentials as compromised",
          ]
        : [
            "Confirm with the caller whether this was intended; if not, restore the asset from its artifacts and treat the caller's credentials as compromised",
          ],
  };
}

const SEVERITY_WORDS: Record<ReturnType<typeof severityLabel>, string> = {
  LOW: 'low',
  MEDIUM: 'medium',
  HIGH: 'high',
  CRITICAL: 'critical',
};

function describeFinding(f: GuardDutyFinding): EventFacts {
  const key = f.resource.accessKeyDetails;
  const action = f.service.action;
  const call = action?.awsApiCallAction;
  const ip = call?.remoteIpDetails ?? remoteIpOf(action);
  const label = severityLabel(f.severity);
  const facts: [string, string][] = [
    ['finding', f.id],
    ['severity', `${f.severity} (${label})`],
  ];
  if (f.title) facts.push(['title', f.title]);
  const resource = describeFindingResource(f);
  if (resource) facts.push(['resource', resource]);
  const objects = describeObjects(s3AccessOf(f));
  if (objects) facts.push(['objects', objects]);
  if (key?.userName || key?.principalId) {
    facts.push(['principal', `${key.userName ?? key.principalId} (${key.userType ?? 'unknown type'})`]);
  }
  if (key?.accessKeyId) facts.push(['access key', key.accessKeyId]);
  const address = ip?.ipAddressV4 ?? ip?.ipAddressV6;
  if (address) facts.push(['source IP', `${address}${ip?.country?.countryName ? ` (${ip.country.countryName})` : ''}`]);
  const org = organizationOf(ip);
  if (org) facts.push(['network', org]);
  if (call?.api) facts.push(['API called', `${call.serviceName ? `${call.serviceName} ` : ''}${call.api}`]);
  if (call?.callerType) facts.push(['caller type', call.callerType]);
  const seen = [f.service.eventFirstSeen, f.service.eventLastSeen].filter(Boolean);
  if (seen.length === 2 && seen[0] !== seen[1]) facts.push(['seen', `${seen[0]} to ${seen[1]}`]);
  else if (seen[0]) facts.push(['seen', String(seen[0])]);
  if (f.service.count && f.service.count > 1) facts.push(['occurrences', String(f.service.count)]);
  if (isSampleFinding(f)) facts.push(['sample', 'yes: made by "Generate sample findings", names placeholder resources']);
  const link = isAwsRegion(f.region)
    ? consoleUrl(f.region, `guardduty/home?region=${f.region}#/findings?macros=current&fId=${encodeURIComponent(f.id)}`)
    : undefined;
  if (!link) facts.push(noLink(f.region));
  return {
    source: 'guardduty',
    headline: `GuardDuty finding ${f.type}`,
    severity: label,
    account: f.accountId,
    region: f.region,
    facts,
    ...(link ? { consoleUrl: link } : {}),
    nextSteps: [
      `Decide whether this ${SEVERITY_WORDS[label]}-severity activity was expected; if it was, archive the finding or add a GuardDuty suppression rule`,
    ],
  };
}

/** The resource a finding is about, in words: `AWS::EC2::Instance i-0abc`, `S3 bucket a, b`. */
function describeFindingResource(f: GuardDutyFinding): string | undefined {
  const r = f.resource as Record<string, unknown> & GuardDutyFinding['resource'];
  const named = (path: string[]): string | undefined => {
    let value: unknown = r;
    for (const p of path) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[p] : undefined;
    return typeof value === 'string' && value ? value : undefined;
  };
  const buckets = (r.s3BucketDetails ?? []).map((b) => b.name);
  if (buckets.length) return `S3 bucket ${buckets.join(', ')}`;
  const instance = named(['instanceDetails', 'instanceId']);
  if (instance) return `EC2 instance ${instance}`;
  const eks = named(['eksClusterDetails', 'name']);
  if (eks) return `EKS cluster ${eks}`;
  const fn = named(['lambdaDetails', 'functionName']);
  if (fn) return `Lambda function ${fn}`;
  const db = named(['rdsDbInstanceDetails', 'dbInstanceIdentifier']);
  if (db) return `RDS DB instance ${db}`;
  const ecs = named(['ecsClusterDetails', 'name']);
  if (ecs) return `ECS cluster ${ecs}`;
  const user = r.accessKeyDetails?.userName;
  if (r.resourceType === 'AccessKey' && user) return `IAM principal ${user}`;
  return r.resourceType;
}

type RemoteIp = NonNullable<NonNullable<NonNullable<GuardDutyFinding['service']['action']>['awsApiCallAction']>['remoteIpDetails']>;

/** The remote address of network, port-probe and login actions, which carry it in other places than API calls. */
function remoteIpOf(action: GuardDutyFinding['service']['action']): RemoteIp | undefined {
  const a = (action ?? {}) as Record<string, unknown>;
  for (const kind of ['networkConnectionAction', 'kubernetesApiCallAction', 'rdsLoginAttemptAction']) {
    const details = (a[kind] as { remoteIpDetails?: RemoteIp } | undefined)?.remoteIpDetails;
    if (details) return details;
  }
  const probe = (a.portProbeAction as { portProbeDetails?: { remoteIpDetails?: RemoteIp }[] } | undefined)?.portProbeDetails?.[0];
  return probe?.remoteIpDetails;
}

function organizationOf(ip: RemoteIp | undefined): string | undefined {
  const org = (ip as { organization?: { asnOrg?: unknown; isp?: unknown } } | undefined)?.organization;
  const name = typeof org?.asnOrg === 'string' ? org.asnOrg : typeof org?.isp === 'string' ? org.isp : undefined;
  return name || undefined;
}

function describeCompliance(event: Extract<ParsedEvent, { kind: 'config' }>): EventFacts {
  const c = event.compliance;
  const facts: [string, string][] = [
    ['rule', event.rule ? describeRule(event.rule) : c.configRuleName],
    ['resource', `${c.resourceType} ${c.resourceId}`],
    ['compliance', `${c.oldEvaluationResult?.complianceType ?? 'unknown'} -> ${c.newEvaluationResult.complianceType}`],
  ];
  if (c.newEvaluationResult.annotation) facts.push(['annotation', c.newEvaluationResult.annotation]);
  if (c.newEvaluationResult.resultRecordedTime) facts.push(['evaluated', c.newEvaluationResult.resultRecordedTime]);
  const valid = isAwsRegion(c.awsRegion);
  const link = valid
    ? consoleUrl(c.awsRegion, `config/home?region=${c.awsRegion}#/rules/details?configRuleName=${encodeURIComponent(c.configRuleName)}`)
    : undefined;
  // A rule about the account itself (CLOUD_TRAIL_ENABLED) names the account id: CloudTrail has no such resource name.
  const history =
    valid && c.resourceType !== 'AWS::::Account'
      ? consoleUrl(c.awsRegion, `cloudtrail/home?region=${c.awsRegion}#/events?ResourceName=${encodeURIComponent(c.resourceId)}`)
      : undefined;
  return {
    source: 'config',
    headline: `${c.resourceId} is ${c.newEvaluationResult.complianceType} (AWS Config rule ${c.configRuleName})`,
    severity: c.newEvaluationResult.complianceType === 'NON_COMPLIANT' ? 'MEDIUM' : 'INFO',
    account: c.awsAccountId,
    region: c.awsRegion,
    facts: valid ? facts : [...facts, noLink(c.awsRegion)],
    ...(link ? { consoleUrl: link } : {}),
    nextSteps: history ? [`See every recorded change to ${c.resourceId} in CloudTrail event history: ${history}`] : [],
  };
}

function describeAlarmEvent(a: AlarmStateChange, account: string, region: string, time: string): EventFacts {
  const alarm = describeAlarm(a, time);
  const valid = isAwsRegion(region);
  const link = valid ? consoleUrl(region, `cloudwatch/home?region=${region}#alarmsV2:alarm/${encodeURIComponent(a.alarmName)}`) : undefined;
  const steps = alarm.nextSteps(valid ? region : undefined);
  return {
    source: 'cloudwatch',
    headline: `CloudWatch alarm ${a.alarmName} is ${a.state.value}`,
    severity: a.state.value === 'ALARM' ? 'HIGH' : 'INFO',
    account,
    region,
    facts: valid ? alarm.facts : [...alarm.facts, noLink(region)],
    ...(link ? { consoleUrl: link } : {}),
    nextSteps: steps,
  };
}

function noLink(region: string): [string, string] {
  return ['console', `no link: "${region}" is not an AWS Region name`];
}

/** `us-east-1`, `eu-central-2`, `cn-north-1`, `us-gov-west-1`, `ap-southeast-7`... */
export function isAwsRegion(region: string): boolean {
  return /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(region);
}

/** The AWS console host for a region, including the China and GovCloud partitions. */
export function consoleUrl(region: string, path: string): string {
  if (region.startsWith('cn-')) return `https://console.amazonaws.cn/${path}`;
  if (region.startsWith('us-gov-')) return `https://console.amazonaws-us-gov.com/${path}`;
  return `https://${region}.console.aws.amazon.com/${path}`;
}
