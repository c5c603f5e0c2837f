import * as z from 'zod/mini';
import { ConfigError } from './errors.js';
import { describeIssues } from './events/describe-issues.js';

export type RemediationMode = 'dry-run' | 'enforce';

const snsTopicArn = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
const bucketName = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const Environment = z.object({
  TOPIC_ARN: z.optional(z.string().check(z.regex(snsTopicArn, 'expected an SNS topic ARN'))),
  REMEDIATION_MODE: z._default(z.enum(['dry-run', 'enforce']), 'dry-run'),
  EXEMPT_TAG_KEY: z._default(z.string().check(z.minLength(1), z.maxLength(128)), 'ml-guard:exempt'),
  FORENSICS_BUCKET: z.optional(z.string().check(z.regex(bucketName, 'expected an S3 bucket name'))),
  PROTECTED_PRINCIPALS: z._default(z.string(), ''),
  SEVERITY_THRESHOLD: z._default(
    z.pipe(
      z.string().check(z.regex(/^(10(\.0+)?|\d(\.\d+)?)$/, 'expected a number from 0 to 10')),
      z.transform(Number),
    ),
    4,
  ),
  AWS_LAMBDA_FUNCTION_NAME: z.optional(z.string()),
});

export interface Config {
  mode: RemediationMode;
  /** SNS topic for notifications; when unset (local dry-run only) the notification is returned, not sent. */
  topicArn: string | undefined;
  exemptTagKey: string;
  forensicsBucket: string | undefined;
  /** Role or user ARNs or names that no function may change (each function adds the project's own roles). */
  protectedPrincipals: string[];
  /** GuardDuty findings below this severity are left alone (GuardDuty's medium band starts at 4). */
  severityThreshold: number;
  /** Every other variable the function was given, for function-specific settings. */
  env: Readonly<Record<string, string | undefined>>;
}

export interface ConfigRequirements {
  /** Variables that must be set when REMEDIATION_MODE is `enforce`. */
  requiredToEnforce?: readonly ('TOPIC_ARN' | 'FORENSICS_BUCKET')[];
}

/** Reads and checks the environment once, at cold start; a wrong value stops the function with a clear error. */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
  requirements: ConfigRequirements = {},
): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = Environment.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(`invalid environment: ${describeIssues(parsed.error.issues)}`, { cause: parsed.error });
  }
  const e = parsed.data;
  const config: Config = {
    mode: e.REMEDIATION_MODE,
    topicArn: e.TOPIC_ARN,
    exemptTagKey: e.EXEMPT_TAG_KEY,
    forensicsBucket: e.FORENSICS_BUCKET,
    protectedPrincipals: e.PROTECTED_PRINCIPALS.split(',')
      .map((p) => p.trim())
      .filter(Boolean),
    severityThreshold: e.SEVERITY_THRESHOLD,
    env,
  };
  if (config.mode === 'enforce') {
    const missing = ['TOPIC_ARN', ...(requirements.requiredToEnforce ?? [])].filter((name) => !present[name]);
    if (missing.length) {
      throw new ConfigError(`invalid environment: ${missing.join(', ')} must be set when REMEDIATION_MODE is enforce`);
    }
  }
  return config;
}
