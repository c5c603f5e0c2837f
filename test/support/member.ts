import { journalIamActions } from '../../functions/core/journal/dynamodb.js';
import { floodIamActions } from '../../functions/notify/flood.js';
import { BASE_ACTIONS, FUNCTIONS, type FunctionUnderTest } from './functions.js';

/**
 * What a function does in the central account whichever account the event came from, with its own role: logs, traces,
 * notifications, dead letters, the action journal and notify's flood-control state.
 */
export const CENTRAL_ACTIONS: ReadonlySet<string> = new Set([...BASE_ACTIONS, ...journalIamActions, ...floodIamActions]);

/** Step kinds whose runner writes to the central account: the prior state goes to the central forensics bucket. */
export const CENTRAL_STEP_KINDS: ReadonlySet<string> = new Set(['savePriorState']);

/** A function as member-template.yaml serves it: its member role, and the actions it calls in a member account. */
export interface MemberFunction {
  f: FunctionUnderTest;
  /** `QuarantinePublicBucketMemberRole`. */
  roleLogicalId: string;
  /** `QuarantinePublicBucketCentralRoleArn`: the parameter naming the central role the member role trusts. */
  centralRoleParameter: string;
  /** `QuarantinePublicBucketRoleArn`: the central stack's output of that role's ARN. */
  centralRoleOutput: string;
  /** The actions the function calls in a member account whatever the mode (its reads there). */
  alwaysActions: string[];
  /** The actions its remediation steps call in a member account (granted in enforce mode only). */
  enforceActions: string[];
}

export const MEMBER_FUNCTIONS: MemberFunction[] = FUNCTIONS.map((f) => {
  const pascal = f.roleLogicalId.replace(/Role$/, '');
  const runners = Object.entries(f.remediation?.runners ?? {}).filter(([kind]) => !CENTRAL_STEP_KINDS.has(kind));
  return {
    f,
    roleLogicalId: `${pascal}MemberRole`,
    centralRoleParameter: `${pascal}CentralRoleArn`,
    centralRoleOutput: `${pascal}RoleArn`,
    alwaysActions: [...new Set(f.alwaysActions.filter((a) => !CENTRAL_ACTIONS.has(a)))],
    enforceActions: [...new Set(runners.flatMap(([, r]) => [...r.iamActions]).filter((a) => !CENTRAL_ACTIONS.has(a)))],
  };
});

/**
 * Whether an IAM policy's statements allow `action` on `resource`: an explicit Deny wins, then any Allow (IAM policy
 * evaluation within one account, identity policies only). Action and Resource wildcards `*` and `?` are matched;
 * a statement with a Condition that would apply throws, as this evaluator does not read conditions.
 */
export function allows(statements: readonly Record<string, unknown>[], action: string, resource: string): boolean {
  const applying = statements.filter(
    (s) =>
      listOf(s.Action).some((a) => wildcard(a.toLowerCase(), action.toLowerCase())) &&
      listOf(s.Resource).some((r) => wildcard(r, resource)),
  );
  const conditional = applying.find((s) => s.Condition !== undefined);
  if (conditional)
    throw new Error(`${String(conditional.Sid)} applies to ${action} on ${resource} under a condition this evaluator does not read`);
  if (applying.some((s) => s.Effect === 'Deny')) return false;
  return applying.some((s) => s.Effect === 'Allow');
}

const listOf = (value: unknown): string[] => (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');

function wildcard(pattern: string, value: string): boolean {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`).test(value);
}
