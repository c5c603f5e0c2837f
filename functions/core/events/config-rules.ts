import type { ConfigComplianceChange } from './config-compliance.js';

/**
 * The AWS Config managed rules ml-guard acts on or reports, by managed rule identifier (the rule's `Source` in
 * DescribeConfigRules): the name AWS gives a rule made from it by default, and the resource types it evaluates (AWS
 * Config developer guide, "List of AWS Config Managed Rules", one page per rule). The EventBridge rules in template.yaml
 * route compliance changes by these resource types; the functions decide by identifier.
 */
export const MANAGED_RULES = {
  S3_BUCKET_PUBLIC_READ_PROHIBITED: { name: 's3-bucket-public-read-prohibited', resourceType: 'AWS::S3::Bucket' },
  S3_BUCKET_PUBLIC_WRITE_PROHIBITED: { name: 's3-bucket-public-write-prohibited', resourceType: 'AWS::S3::Bucket' },
  S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED: { name: 's3-bucket-level-public-access-prohibited', resourceType: 'AWS::S3::Bucket' },
  S3_BUCKET_POLICY_GRANTEE_CHECK: { name: 's3-bucket-policy-grantee-check', resourceType: 'AWS::S3::Bucket' },
  ACCESS_KEYS_ROTATED: { name: 'access-keys-rotated', resourceType: 'AWS::IAM::User' },
  IAM_USER_UNUSED_CREDENTIALS_CHECK: { name: 'iam-user-unused-credentials-check', resourceType: 'AWS::IAM::User' },
  SAGEMAKER_NOTEBOOK_NO_DIRECT_INTERNET_ACCESS: {
    name: 'sagemaker-notebook-no-direct-internet-access',
    resourceType: 'AWS::SageMaker::NotebookInstance',
  },
  SAGEMAKER_NOTEBOOK_INSTANCE_ROOT_ACCESS_CHECK: {
    name: 'sagemaker-notebook-instance-root-access-check',
    resourceType: 'AWS::SageMaker::NotebookInstance',
  },
  SAGEMAKER_ENDPOINT_CONFIGURATION_KMS_KEY_CONFIGURED: {
    name: 'sagemaker-endpoint-configuration-kms-key-configured',
    resourceType: 'AWS::SageMaker::EndpointConfig',
  },
  // The rules that keep the audit trail alive. The two trail rules are periodic and evaluate the account itself.
  CLOUD_TRAIL_ENABLED: { name: 'cloudtrail-enabled', resourceType: 'AWS::::Account' },
  MULTI_REGION_CLOUD_TRAIL_ENABLED: { name: 'multi-region-cloudtrail-enabled', resourceType: 'AWS::::Account' },
  CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED: { name: 'cloud-trail-log-file-validation-enabled', resourceType: 'AWS::CloudTrail::Trail' },
  CLOUDWATCH_LOG_GROUP_ENCRYPTED: { name: 'cloudwatch-log-group-encrypted', resourceType: 'AWS::Logs::LogGroup' },
  CW_LOGGROUP_RETENTION_PERIOD_CHECK: { name: 'cw-loggroup-retention-period-check', resourceType: 'AWS::Logs::LogGroup' },
  S3_BUCKET_LOGGING_ENABLED: { name: 's3-bucket-logging-enabled', resourceType: 'AWS::S3::Bucket' },
  S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED: { name: 's3-bucket-server-side-encryption-enabled', resourceType: 'AWS::S3::Bucket' },
  S3_BUCKET_SSL_REQUESTS_ONLY: { name: 's3-bucket-ssl-requests-only', resourceType: 'AWS::S3::Bucket' },
} as const satisfies Record<string, { name: string; resourceType: string }>;

export type ManagedRuleId = keyof typeof MANAGED_RULES;

const MANAGED_IDS = Object.keys(MANAGED_RULES) as ManagedRuleId[];

/** What a Config rule checks. Rule names are chosen by whoever creates a rule; its source says what it is. */
export interface RuleIdentity {
  name: string;
  /** `AWS` for a managed rule, `CUSTOM_LAMBDA` or `CUSTOM_POLICY` for a custom one; absent when the source was not read. */
  owner?: string;
  /** The managed rule identifier (`S3_BUCKET_PUBLIC_READ_PROHIBITED`); for a custom Lambda rule, its function's ARN. */
  identifier?: string;
  /** The rule's parameters (`InputParameters`), when its source was read. */
  parameters?: Readonly<Record<string, string>>;
  /**
   * `source`: read with DescribeConfigRules. `name`: the source could not be read (`unread` says why; empty when it was
   * not looked up), so the name decides.
   */
  from: 'source' | 'name';
  unread?: string;
}

/**
 * The managed rule a rule name stands for, when its source cannot be read: the rule's default name, a conformance
 * pack's `<name>-conformance-pack-<id>` or Security Hub's `securityhub-<name>-<id>`. Any other name is unknown.
 */
export function managedRuleNamed(name: string): ManagedRuleId | undefined {
  return MANAGED_IDS.find((id) => {
    const rule = MANAGED_RULES[id].name;
    const pack = `${rule}-conformance-pack-`;
    const hub = `securityhub-${rule}-`;
    return name === rule || (name.startsWith(pack) && name.length > pack.length) || (name.startsWith(hub) && name.length > hub.length);
  });
}

/** The identity of a rule whose source was not read: by its name, with the reason. */
export function identifiedByName(name: string, unread: string): RuleIdentity {
  const id = managedRuleNamed(name);
  return { name, ...(id ? { identifier: id } : {}), from: 'name', unread };
}

/** How a rule is named in a reason or a notification: `s3-public (AWS managed rule S3_BUCKET_PUBLIC_READ_PROHIBITED)`. */
export function describeRule(rule: RuleIdentity): string {
  if (rule.from === 'name' && !rule.unread) return rule.name;
  if (rule.from === 'name') {
    const guess = rule.identifier ? `taken by its name for the managed rule ${rule.identifier}` : 'judged by its name';
    return `${rule.name} (its source could not be read: ${rule.unread}; ${guess})`;
  }
  if (rule.owner === 'AWS') return `${rule.name} (AWS managed rule ${rule.identifier ?? 'unknown'})`;
  return `${rule.name} (custom rule, ${rule.owner ?? 'owner unknown'})`;
}

/** What compliance changes a function acts on: its managed rules, the custom rules its owner adds, and how to name them. */
export interface RuleScope {
  managed: readonly ManagedRuleId[];
  /** Names of custom rules (CUSTOM_CONFIG_RULES) taken as if they were the function's managed rules. */
  custom: readonly string[];
  /** `quarantine-public-bucket handles`, `notify reports`: the end of "Config rule X is not one that ...". */
  handledBy: string;
  /** What the resource is called in a reason (`bucket`); by default its type. */
  noun?: string;
}

/** A compliance change a function takes: which of its rules it is (a managed identifier, or `custom`). */
export type RuleMatch = { rule: ManagedRuleId | 'custom'; identity: RuleIdentity } | { outside: string };

/**
 * Whether a compliance change is one the function acts on, and as which of its rules; otherwise why not: another
 * rule, another resource type, or a change to anything but NON_COMPLIANT (a resource that became compliant needs
 * nothing). A rule whose source was read is judged by its source alone; one whose source could not be read, by its name.
 */
export function matchRule(c: ConfigComplianceChange, identity: RuleIdentity | undefined, scope: RuleScope): RuleMatch {
  // Without an identity (the source was not looked up: a pure selection), the name decides and the reason names the rule alone.
  const rule = identity ?? identifiedByName(c.configRuleName, '');
  const which = ruleIn(rule, scope);
  if (!which) return { outside: `Config rule ${describeRule(rule)} is not one that ${scope.handledBy}` };
  if (which !== 'custom') {
    const expected = MANAGED_RULES[which].resourceType;
    if (c.resourceType !== expected) return { outside: `resource type ${c.resourceType} is not ${expected}` };
  }
  const compliance = c.newEvaluationResult.complianceType;
  if (compliance !== 'NON_COMPLIANT')
    return { outside: `${scope.noun ?? c.resourceType} ${c.resourceId} is ${compliance}, not NON_COMPLIANT` };
  return { rule: which, identity: rule };
}

function ruleIn(rule: RuleIdentity, scope: RuleScope): ManagedRuleId | 'custom' | undefined {
  const managed = scope.managed.find((id) => id === rule.identifier);
  const listed = scope.custom.includes(rule.name);
  if (rule.from === 'name') return managed ?? (listed ? 'custom' : undefined);
  if (rule.owner === 'AWS') return managed;
  return listed ? 'custom' : undefined;
}

/** The resource types a function's Config rule in template.yaml routes: those its managed rules evaluate. */
export function routedResourceTypes(managed: readonly ManagedRuleId[]): string[] {
  return [...new Set(managed.map((id) => MANAGED_RULES[id].resourceType))];
}
