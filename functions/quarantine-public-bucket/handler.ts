import * as s3 from '../core/aws/s3.js';
import { ConfigComplianceChange } from '../core/events/config-compliance.js';
import { GuardDutyFinding } from '../core/events/guardduty.js';
import { remediationHandler } from '../core/remediation/handler.js';
import type { Remediation } from '../core/remediation/remediate.js';
import { type BucketState, observeTarget, type S3Adapter } from './observe.js';
import { planTarget } from './plan.js';
import { runners } from './runners.js';
import { bucketLimitOf } from './settings.js';
import type { QuarantineStep } from './steps.js';
import { type BucketTarget, describeTarget, FUNCTION_NAME, PUBLIC_BUCKET_RULES, placeOf, selectTargets } from './targets.js';

export const quarantinePublicBucket: Remediation<BucketTarget, BucketState, QuarantineStep, S3Adapter> = {
  details: { guardduty: GuardDutyFinding, config: ConfigComplianceChange },
  selectTargets,
  configRules: PUBLIC_BUCKET_RULES,
  observe: observeTarget,
  plan: planTarget,
  describeTarget,
  placeOf,
  runners,
  targetLimit: bucketLimitOf,
};

// A wrong MAX_BUCKETS_PER_EVENT stops the function at cold start.
export const handler = remediationHandler(FUNCTION_NAME, quarantinePublicBucket, s3, {
  requiredToEnforce: ['FORENSICS_BUCKET'],
  settings: bucketLimitOf,
});
