import * as s3 from '../core/aws/s3.js';
import { loadConfig } from '../core/config.js';
import { createHandler } from '../core/handler.js';
import { remediate, type Remediation } from '../core/remediation/remediate.js';
import { observeBucket, type BucketState, type S3Adapter } from './observe.js';
import { bucketRef, planQuarantine } from './plan.js';
import { quarantineRunners } from './runners.js';
import { bucketLimitOf } from './settings.js';
import type { QuarantineStep } from './steps.js';
import { FUNCTION_NAME, selectBuckets, type BucketTarget } from './targets.js';

export const quarantinePublicBucket: Remediation<BucketTarget, BucketState, QuarantineStep, S3Adapter> = {
  selectTargets: selectBuckets,
  observe: observeBucket,
  plan: planQuarantine,
  describeTarget: bucketRef,
  runners: quarantineRunners,
  targetLimit: bucketLimitOf,
};

const config = loadConfig(process.env, { requiredToEnforce: ['FORENSICS_BUCKET'] });
// A wrong MAX_BUCKETS_PER_EVENT stops the function here, at cold start.
bucketLimitOf(config);

export const handler = createHandler(FUNCTION_NAME, (event, invocation) =>
  remediate(event, quarantinePublicBucket, { functionName: FUNCTION_NAME, config, aws: s3, ...invocation }),
);
