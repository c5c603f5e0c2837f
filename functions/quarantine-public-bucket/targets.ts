import { partitionOf } from '../core/aws/partition.js';
import { managedRuleNames, outOfScope } from '../core/events/config-rules.js';
import { isFindingTypeIn, PUBLIC_BUCKET_FINDINGS } from '../core/events/finding-types.js';
import type { ParsedEvent } from '../core/events/parse.js';
import type { Selection } from '../core/remediation/remediate.js';
import type { TargetRef } from '../core/remediation/types.js';

export const FUNCTION_NAME = 'quarantine-public-bucket';

/** AWS Config managed rules that find public buckets. */
export const PUBLIC_BUCKET_RULES = [
  's3-bucket-public-read-prohibited',
  's3-bucket-public-write-prohibited',
  's3-bucket-level-public-access-prohibited',
] as const;

/** One of those rules, under any of the names a managed rule gets (see `managedRuleNames`). */
export const isPublicBucketRule = managedRuleNames(PUBLIC_BUCKET_RULES);

export interface BucketTarget {
  bucket: string;
  /** The account the event says owns the bucket; S3 refuses requests for a bucket of another account. */
  expectedOwner: string;
  /** What to record in the `ml-guard:trigger` tag: the finding or the rule. */
  trigger: string;
  /** The partition of the bucket's ARN (`aws`, `aws-cn`, `aws-us-gov`); `aws` when absent. */
  partition?: string;
}

export function selectTargets(event: ParsedEvent): Selection<BucketTarget> {
  switch (event.kind) {
    case 'guardduty': {
      const f = event.finding;
      if (!isFindingTypeIn(PUBLIC_BUCKET_FINDINGS, f.type)) {
        return { action: 'ignore', reason: `GuardDuty finding type ${f.type} is not one that ${FUNCTION_NAME} handles` };
      }
      const names = [...new Set((f.resource.s3BucketDetails ?? []).map((b) => b.name))];
      // A finding of a public-bucket type that names no bucket is doubtful, not foreign: a person is told.
      if (names.length === 0)
        return { action: 'notify', reason: 'the finding names no bucket: nothing was read or changed, a person should look' };
      return {
        action: 'remediate',
        targets: names.map((bucket) => ({
          bucket,
          expectedOwner: f.accountId,
          trigger: `guardduty:${f.id}`,
          partition: f.partition ?? partitionOf(f.region),
        })),
      };
    }
    case 'config': {
      const c = event.compliance;
      const outside = outOfScope(c, {
        matches: isPublicBucketRule,
        handledBy: `${FUNCTION_NAME} handles`,
        resourceType: 'AWS::S3::Bucket',
        noun: 'bucket',
      });
      if (outside) return { action: 'ignore', reason: outside };
      return {
        action: 'remediate',
        targets: [
          {
            bucket: c.resourceId,
            expectedOwner: c.awsAccountId,
            trigger: `config:${c.configRuleName}`,
            partition: partitionOf(c.awsRegion),
          },
        ],
      };
    }
    case 'alarm':
      return { action: 'ignore', reason: `CloudWatch alarms are not handled by ${FUNCTION_NAME}` };
  }
}

/** Names a bucket before it is read: for the result, and as its key in the journal. */
export function describeTarget(target: BucketTarget): TargetRef {
  return { type: 'AWS::S3::Bucket', id: target.bucket, arn: `arn:${target.partition ?? 'aws'}:s3:::${target.bucket}` };
}
