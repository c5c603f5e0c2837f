import { ConfigServiceClient, DescribeConfigRulesCommand, NoSuchConfigRuleException, type Owner } from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import { MANAGED_RULES, type ManagedRuleId, managedRuleNamed } from '../../functions/core/events/config-rules.js';

/**
 * AWS Config as every test sees it (test/support/setup.ts answers it before each test): DescribeConfigRules says that a
 * rule under a managed rule's default, conformance-pack or Security Hub name is that managed rule, and that no other
 * rule exists. A test that needs another answer adds it with `configRules.on(...)` or `answerRule(...)`.
 */
export const configRules = mockClient(ConfigServiceClient);

/** The DescribeConfigRules entry of a rule, as AWS Config gives it. */
export function ruleEntry(name: string, source: { Owner: Owner; SourceIdentifier?: string }, inputParameters?: Record<string, string>) {
  return {
    ConfigRuleName: name,
    ConfigRuleArn: `arn:aws:config:us-east-2:123456789012:config-rule/config-rule-${name.length.toString(36)}abc12`,
    ConfigRuleId: 'config-rule-abc123',
    ConfigRuleState: 'ACTIVE' as const,
    Source: source,
    ...(inputParameters ? { InputParameters: JSON.stringify(inputParameters) } : {}),
  };
}

/** Answers DescribeConfigRules for a managed rule created under a name of its owner's choosing. */
export function answerRule(
  name: string,
  id: ManagedRuleId | { custom: 'CUSTOM_LAMBDA' | 'CUSTOM_POLICY' },
  inputParameters?: Record<string, string>,
) {
  const source =
    typeof id === 'string'
      ? { Owner: 'AWS' as Owner, SourceIdentifier: id }
      : {
          Owner: id.custom,
          ...(id.custom === 'CUSTOM_LAMBDA' ? { SourceIdentifier: 'arn:aws:lambda:us-east-2:123456789012:function:my-rule' } : {}),
        };
  configRules
    .on(DescribeConfigRulesCommand, { ConfigRuleNames: [name] })
    .resolves({ ConfigRules: [ruleEntry(name, source, inputParameters)] });
}

export function answerConfigRulesByName(): void {
  configRules.reset();
  configRules.on(DescribeConfigRulesCommand).callsFake((input: { ConfigRuleNames?: string[] }) => {
    const name = input.ConfigRuleNames?.[0] ?? '';
    const id = managedRuleNamed(name);
    if (!id)
      throw new NoSuchConfigRuleException({ message: `The ConfigRule '${name}' provided in the request is invalid.`, $metadata: {} });
    return { ConfigRules: [ruleEntry(name, { Owner: 'AWS', SourceIdentifier: id })] };
  });
}

/** Every managed rule ml-guard knows, as `[default name, identifier]`. */
export const MANAGED_RULE_NAMES = Object.entries(MANAGED_RULES).map(([id, r]) => [r.name, id as ManagedRuleId] as const);
