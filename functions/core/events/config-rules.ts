import type { ConfigComplianceChange } from './config-compliance.js';

/**
 * The names an AWS Config managed rule gets: its own (`s3-bucket-public-read-prohibited`), a conformance pack's
 * `<rule>-conformance-pack-<id>` and Security Hub's `securityhub-<rule>-<id>`. The EventBridge rules in template.yaml
 * match the same names (a test keeps both in step through the sample events).
 */
export function managedRuleNames(rules: readonly string[]): (name: string) => boolean {
  const names = rules.map((r) => r.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  const pattern = new RegExp(`^(?:(?:${names})(?:-conformance-pack-.+)?|securityhub-(?:${names})-.+)$`);
  return (name) => pattern.test(name);
}

/** What compliance changes a function acts on: its rules, the resource type they evaluate, and how to name both. */
export interface RuleScope {
  /** From `managedRuleNames`. */
  matches: (ruleName: string) => boolean;
  /** `quarantine-public-bucket handles`, `notify reports`: the end of "Config rule X is not one that ...". */
  handledBy: string;
  /** Checked when given; the reason names it. */
  resourceType?: string;
  /** What the resource is called in a reason (`bucket`); by default its type. */
  noun?: string;
}

/**
 * Why a compliance change is not one the function acts on, or undefined: another rule, another resource type, or a
 * change to anything but NON_COMPLIANT (a resource that became compliant needs nothing).
 */
export function outOfScope(c: ConfigComplianceChange, scope: RuleScope): string | undefined {
  if (!scope.matches(c.configRuleName)) return `Config rule ${c.configRuleName} is not one that ${scope.handledBy}`;
  if (scope.resourceType && c.resourceType !== scope.resourceType) return `resource type ${c.resourceType} is not ${scope.resourceType}`;
  const compliance = c.newEvaluationResult.complianceType;
  if (compliance !== 'NON_COMPLIANT') return `${scope.noun ?? c.resourceType} ${c.resourceId} is ${compliance}, not NON_COMPLIANT`;
  return undefined;
}
