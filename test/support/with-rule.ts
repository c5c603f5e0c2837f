import type { RuleIdentity } from '../../functions/core/events/config-rules.js';
import type { ParsedEvent } from '../../functions/core/events/parse.js';

/** A compliance change with the identity the flow would read for its rule (DescribeConfigRules); other events as they are. */
export function withRule(event: ParsedEvent, rule?: RuleIdentity): ParsedEvent {
  return rule && event.kind === 'config' ? { ...event, rule } : event;
}
