import { partitionOf } from '../core/aws/partition.js';
import type { Config } from '../core/config.js';
import { type ManagedRuleId, matchRule } from '../core/events/config-rules.js';
import { isFindingTypeIn, PUBLIC_BUCKET_FINDINGS } from '../core/events/finding-types.js';
import type { ParsedEvent } from '../core/events/parse.js';
import type { Place } from '../core/remediation/accounts.js';
import type { Selection } from '../core/remediation/remediate.js';
import type { TargetRef } from '../core/remediation/types.js';

export const FUNCTION_NAME = 'quarantine-public-bucket';

/**
 * AWS Config managed rules that find public buckets. `S3_BUCKET_POLICY_GRANTEE_CHECK` is not one: it flags grants to
 * principals outside an allowed list, which need not be public, and blocking public access would not change them.
 */
export const PUBLIC_BUCKET_RULES = [
  'S3_BUCKET_PUBLIC_READ_PROHIBITED',
  'S3_BUCKET_PUBLIC_WRITE_PROHIBITED',
  'S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED',
] as const satisfies readonly ManagedRuleId[];

export interface BucketTarget {
  bucket: string;
  /**
   * The account the event says owns the bucket (every request's `ExpectedBucketOwner`: S3 refuses requests for a bucket
   * of another account), and the region the event is about: where the function acts.
   */
  account: string;
  region: string;
  /** What to record in the `ml-guard:trigger` tag: the finding or the rule. */
  trigger: string;
  /** The partition of the bucket's ARN (`aws`, `aws-cn`, `aws-us-gov`); `aws` when absent. */
  partition?: string;
}

export function selectTargets(event: ParsedEvent, config: Config): Selection<BucketTarget> {
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
          account: f.accountId,
          region: f.region,
          trigger: `guardduty:${f.id}`,
          partition: f.partition ?? partitionOf(f.region),
        })),
      };
    }
    case 'config': {
      const c = event.compliance;
      const match = matchRule(c, event.rule, {
        managed: PUBLIC_BUCKET_RULES,
        custom: config.customConfigRules,
        handledBy: `${FUNCTION_NAME} handles`,
        noun: 'bucket',
      });
      if ('outside' in match) return { action: 'ignore', reason: match.outside };
      // A custom rule may evaluate any resource type: only a bucket is a target.
      if (c.resourceType !== 'AWS::S3::Bucket')
        return { action: 'ignore', reason: `resource type ${c.resourceType} is not AWS::S3::Bucket` };
      return {
        action: 'remediate',
        targets: [
          {
            bucket: c.resourceId,
            account: c.awsAccountId,
            region: c.awsRegion,
            trigger: `config:${c.configRuleName}`,
            partition: partitionOf(c.awsRegion),
          },
        ],
      };
    }
    case 'alarm':
      return { action: 'ignore', reason: `CloudWatch alarms are not handled by ${FUNCTION_NAME}` };
    case 'cloudtrail':
      return { action: 'ignore', reason: `CloudTrail API calls are not handled by ${FUNCTION_NAME}` };
  }
}

/** The account and region of a bucket, as the event names them. */
export function placeOf(target: BucketTarget): Place {
  return { account: target.account, region: target.region };
}

/** Names a bucket before it is read: for the result, and as its key in the journal. */
export function describeTarget(target: BucketTarget): TargetRef {
  return { type: 'AWS::S3::Bucket', id: target.bucket, arn: `arn:${target.partition ?? 'aws'}:s3:::${target.bucket}` };
}
