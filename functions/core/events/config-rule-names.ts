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
