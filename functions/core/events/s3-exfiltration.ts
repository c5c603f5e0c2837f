import type { Config } from '../config.js';
import { oneLine, QUOTED_VALUE_MAX, safePrefix } from '../text.js';
import { isFindingTypeIn, S3_EXFILTRATION_FINDINGS } from './finding-types.js';
import type { GuardDutyFinding } from './guardduty.js';

/**
 * S3 data leaving the account (issue 12 §2): which S3 findings have their caller contained, which callers never are,
 * and what a finding says was read. Pure.
 *
 * GuardDuty names the caller of an S3 finding in `resource.accessKeyDetails` whether its `resourceType` is `S3Bucket`
 * (the finding comes from S3 data events: GetObject, PutObject, DeleteObject...) or `AccessKey` (from management
 * events), and the buckets in `resource.s3BucketDetails` (GuardDuty user guide, "GuardDuty S3 Protection finding
 * types"); so the resource type is not checked.
 */

/** True when the finding is of an S3 exfiltration type (`S3_EXFILTRATION_FINDINGS`), whatever the settings. */
export function isS3ExfiltrationFinding(f: Pick<GuardDutyFinding, 'type'>): boolean {
  return isFindingTypeIn(S3_EXFILTRATION_FINDINGS, f.type);
}

/**
 * Why the caller of an S3 exfiltration finding is not contained, by the settings alone: containment turned off, or a
 * severity below S3_EXFILTRATION_SEVERITY_THRESHOLD. Undefined when it is contained (the finding then reaches
 * rotate-credentials, and stop-compromised-training-job for a role; notify leaves it to them).
 */
export function s3ContainmentDeclined(f: Pick<GuardDutyFinding, 'id' | 'severity'>, config: Config): string | undefined {
  if (!config.containS3Exfiltration) {
    return `GuardDuty finding ${f.id}: containment of S3 exfiltration is turned off (CONTAIN_S3_EXFILTRATION is false): it is only notified`;
  }
  if (f.severity < config.s3ExfiltrationSeverityThreshold) {
    return `GuardDuty finding ${f.id} has severity ${f.severity}, below S3_EXFILTRATION_SEVERITY_THRESHOLD ${config.s3ExfiltrationSeverityThreshold}: it is only notified`;
  }
  return undefined;
}

/** True when the finding is an S3 exfiltration finding whose caller ml-guard contains (the remediation functions' own). */
export function isContainedS3Finding(f: Pick<GuardDutyFinding, 'id' | 'type' | 'severity'>, config: Config): boolean {
  return isS3ExfiltrationFinding(f) && s3ContainmentDeclined(f, config) === undefined;
}

/** Service-linked roles are named `AWSServiceRoleFor<service>` (IAM user guide, "Using service-linked roles"). */
const SERVICE_LINKED_ROLE = /^AWSServiceRoleFor/;

/**
 * Why the caller a finding names must never be contained, or undefined: an AWS service acting for the account
 * (`userType: AWSService`, as CloudTrail's userIdentity says for a call a service makes itself), or a service-linked
 * role, which only its service can assume and whose policies IAM lets no one change. Containing either would stop the
 * service (replication, backups, analytics) without stopping whoever made it read the data.
 */
export function serviceCallerOf(key: GuardDutyFinding['resource']['accessKeyDetails']): string | undefined {
  const name = key?.userName || key?.principalId || '(not named)';
  if (key?.userType === 'AWSService') {
    return `the caller is an AWS service (userType AWSService, ${name}): ml-guard never contains a service; find in CloudTrail which configuration or principal made it act (replication, a job, a shared bucket policy)`;
  }
  if (key?.userType === 'AssumedRole' && SERVICE_LINKED_ROLE.test(key.userName ?? '')) {
    return `the caller is the service-linked role ${name}, which only its AWS service can assume and IAM lets no one change: ml-guard never contains it; find in CloudTrail what made the service act`;
  }
  return undefined;
}

/** The most objects a notification names; the rest are counted. */
export const MAX_OBJECTS_NAMED = 10;

export interface S3Access {
  /** The buckets the finding names (`resource.s3BucketDetails[].name`). */
  buckets: string[];
  /** `<bucket>/<key>` of the objects the finding names, at most MAX_OBJECTS_NAMED, each cut to QUOTED_VALUE_MAX. */
  objects: string[];
  /** How many more objects the finding names. */
  moreObjects: number;
}

/**
 * The buckets and objects an S3 finding names. The objects are in `s3BucketDetails[].s3ObjectDetails[]` (`key`, or
 * `objectArn`; GuardDuty API reference, "S3BucketDetail", "S3ObjectDetail"), when the finding gives them: read without
 * trusting their shape (the event schema does not check them, so a malformed list cannot make the finding rejected).
 */
export function s3AccessOf(f: GuardDutyFinding): S3Access {
  const buckets: string[] = [];
  const all: string[] = [];
  for (const bucket of f.resource.s3BucketDetails ?? []) {
    if (!buckets.includes(bucket.name)) buckets.push(bucket.name);
    const details: unknown = (bucket as Record<string, unknown>).s3ObjectDetails;
    for (const object of Array.isArray(details) ? details : []) {
      const named = objectName(bucket.name, object);
      if (named && !all.includes(named)) all.push(named);
    }
  }
  return { buckets, objects: all.slice(0, MAX_OBJECTS_NAMED), moreObjects: Math.max(0, all.length - MAX_OBJECTS_NAMED) };
}

function objectName(bucket: string, object: unknown): string | undefined {
  if (typeof object !== 'object' || object === null) return undefined;
  const { key, objectArn } = object as { key?: unknown; objectArn?: unknown };
  const name = typeof key === 'string' && key ? `${bucket}/${key}` : typeof objectArn === 'string' && objectArn ? objectArn : undefined;
  if (!name) return undefined;
  const line = oneLine(name);
  return line.length > QUOTED_VALUE_MAX ? `${safePrefix(line, QUOTED_VALUE_MAX - 1)}…` : line;
}

/** The objects, in words: `b/k1, b/k2 and 3 more`; undefined when the finding names none. */
export function describeObjects(access: S3Access): string | undefined {
  if (access.objects.length === 0) return undefined;
  return `${access.objects.join(', ')}${access.moreObjects ? ` and ${access.moreObjects} more` : ''}`;
}

/**
 * One sentence for the result and the notification: what the S3 finding says the caller did, and to which bucket and
 * objects. `S3 exfiltration (GuardDuty Exfiltration:S3/AnomalousBehavior, severity 8): GetObject on S3 bucket b`.
 */
export function describeS3Exfiltration(f: GuardDutyFinding): string {
  const access = s3AccessOf(f);
  const api = f.service.action?.awsApiCallAction?.api;
  const where = access.buckets.length ? `S3 bucket ${access.buckets.join(', ')}` : 'a bucket the finding does not name';
  const objects = describeObjects(access);
  return `S3 exfiltration (GuardDuty ${f.type}, severity ${f.severity}): ${api ? `${api} on ` : ''}${where}${objects ? ` (objects: ${objects})` : ''}`;
}
