import { auditIamActions } from '../../functions/core/audit/s3-sink.js';
import { configRuleIamActions } from '../../functions/core/aws/config-rules.js';
import { memberRoleIamActions } from '../../functions/core/aws/member-role.js';
import { loadConfig } from '../../functions/core/config.js';
import { InvalidEventError, UnsupportedEventError } from '../../functions/core/errors.js';
import type { ManagedRuleId, RuleIdentity } from '../../functions/core/events/config-rules.js';
import { parseEvent } from '../../functions/core/events/details.js';
import { journalIamActions } from '../../functions/core/journal/dynamodb.js';
import { approvalIamActions } from '../../functions/core/remediation/approval.js';
import type { Remediation } from '../../functions/core/remediation/remediate.js';
import type { Runners, StepBase } from '../../functions/core/remediation/types.js';
import { quarantinePublicBucket } from '../../functions/quarantine-public-bucket/handler.js';
import { observeIamActions as quarantineReads } from '../../functions/quarantine-public-bucket/observe.js';
import { rotateCredentials } from '../../functions/rotate-credentials/handler.js';
import { observeIamActions as rotateReads } from '../../functions/rotate-credentials/observe.js';
import { stopCompromisedTrainingJob } from '../../functions/stop-compromised-training-job/handler.js';
import {
  listIamActions as stopJobLists,
  observeIamActions as stopJobReads,
} from '../../functions/stop-compromised-training-job/observe.js';
import { notifyUnderTest } from '../notify/under-test.js';
import { withRule } from './with-rule.js';

/**
 * Each Lambda of the project as the template tests see it: its resources in template.yaml, what it reads, and
 * the remediation whose runners name the write actions it needs. Add a function here when you add one.
 */
export interface FunctionUnderTest {
  name: string;
  functionLogicalId: string;
  roleLogicalId: string;
  /** IAM actions the function calls whatever the mode (reads, and any write that is not a remediation). */
  alwaysActions: readonly string[];
  /** The remediation: its `selectTargets` must accept exactly the events the rules match; its runners' IAM actions are the enforce-only ones. */
  remediation?: Pick<Remediation<unknown, unknown, StepBase, unknown>, 'selectTargets' | 'details'> & {
    runners: Runners<StepBase, unknown>;
  };
  /** Actions granted only in organization mode (MemberRolePrefix set): the assumption of the function's member role. */
  organizationActions: readonly string[];
  /** Actions granted only when steps wait for approval in an enforced account: the schedule of its expiry. */
  approvalActions: readonly string[];
  /** Actions AWS authorizes only on `Resource: "*"` (List* calls, for example), that the role may grant so. */
  wildcardActions?: readonly string[];
  /** The managed Config rules the function takes: its Config rule in template.yaml routes what they evaluate. */
  configRules: readonly ManagedRuleId[];
  /** Decides, for a function without a remediation, whether it handles an event. */
  handles?: (event: unknown, rule?: RuleIdentity) => boolean;
  /** Events its rules route although the function declines them, because no rule can tell them apart (the function's docs say why). */
  routedButDeclined?: (event: unknown) => boolean;
}

/** What every function may do: write its logs and traces, notify, dead-letter, and keep its audit records. */
export const BASE_ACTIONS = [
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'sns:Publish',
  'sqs:SendMessage',
  ...auditIamActions,
];

export const FUNCTIONS: FunctionUnderTest[] = [
  {
    name: 'quarantine-public-bucket',
    functionLogicalId: 'QuarantinePublicBucketFunction',
    roleLogicalId: 'QuarantinePublicBucketRole',
    alwaysActions: [...quarantineReads, ...configRuleIamActions, ...journalIamActions],
    organizationActions: memberRoleIamActions,
    approvalActions: approvalIamActions,
    configRules: quarantinePublicBucket.configRules ?? [],
    remediation: quarantinePublicBucket as unknown as FunctionUnderTest['remediation'],
  },
  {
    name: 'stop-compromised-training-job',
    functionLogicalId: 'StopCompromisedTrainingJobFunction',
    roleLogicalId: 'StopCompromisedTrainingJobRole',
    alwaysActions: [...stopJobReads, ...journalIamActions],
    organizationActions: memberRoleIamActions,
    approvalActions: approvalIamActions,
    configRules: stopCompromisedTrainingJob.configRules ?? [],
    remediation: stopCompromisedTrainingJob as unknown as FunctionUnderTest['remediation'],
    wildcardActions: stopJobLists,
  },
  {
    name: 'rotate-credentials',
    functionLogicalId: 'RotateCredentialsFunction',
    roleLogicalId: 'RotateCredentialsRole',
    alwaysActions: [...rotateReads, ...configRuleIamActions, ...journalIamActions],
    organizationActions: memberRoleIamActions,
    approvalActions: approvalIamActions,
    configRules: rotateCredentials.configRules ?? [],
    remediation: rotateCredentials as unknown as FunctionUnderTest['remediation'],
    wildcardActions: ['iam:ListUsers'],
  },
  notifyUnderTest,
];

/** Whether the function acts on (or reports) an event, with the template's default parameters: what its rules must route to it. */
export function handlesEvent(f: FunctionUnderTest, raw: unknown, rule?: RuleIdentity): boolean {
  if (f.handles) return f.handles(raw, rule);
  try {
    return f.remediation?.selectTargets(withRule(parseEvent(raw), rule), loadConfig({})).action !== 'ignore';
  } catch (error) {
    if (error instanceof InvalidEventError || error instanceof UnsupportedEventError) return false;
    throw error;
  }
}
