import * as s3 from '../core/aws/s3.js';
import { loadConfig } from '../core/config.js';
import { createHandler } from '../core/handler.js';
import { type Remediation, remediate } from '../core/remediation/remediate.js';
import { type BucketState, observeTarget, type S3Adapter } from './observe.js';
import { planTarget } from './plan.js';
import { runners } from './runners.js';
import { bucketLimitOf } from './settings.js';
import type { QuarantineStep } from './steps.js';
import { type BucketTarget, describeTarget, FUNCTION_NAME, selectTargets } from './targets.js';

export const quarantinePublicBucket: Remediation<BucketTarget, BucketState, QuarantineStep, S3Adapter> = {
  selectTargets,
  observe: observeTarget,
  plan: planTarget,
  describeTarget,
  runners,
  targetLimit: bucketLimitOf,
};

const config = loadConfig(process.env, { requiredToEnforce: ['FORENSICS_BUCKET'] });
// A wrong MAX_BUCKETS_PER_EVENT stops the function here, at cold start.
bucketLimitOf(config);

export const handler = createHandler(FUNCTION_NAME, (event, invocation) =>
  remediate(event, quarantinePublicBucket, { functionName: FUNCTION_NAME, config, aws: s3, ...invocation }),
);
