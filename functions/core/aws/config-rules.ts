import type { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { describeError } from '../errors.js';
import { identifiedByName, type RuleIdentity } from '../events/config-rules.js';
import { logger } from '../observability.js';
import { boundText, QUOTED_VALUE_MAX } from '../text.js';
import { actingIn, clientOptions, inActingAccount } from './client-options.js';

/** What reading a rule's source needs (compared with the roles in template.yaml). */
export const configRuleIamActions = ['config:DescribeConfigRules'] as const;

/** How long a rule's source is trusted in a warm container: a rule is rarely re-created under the same name. */
export const SOURCE_TTL_MS = 5 * 60_000;
/** How long a failure to read it stands, so that a burst of events does not repeat a failing (or throttled) call. */
export const UNREAD_TTL_MS = 60_000;

interface Cached {
  identity: Promise<RuleIdentity>;
  until: number;
}

const cache = new Map<string, Cached>();
let client: (() => ConfigServiceClient) | undefined;
let commands: typeof import('./config-service-sdk.js') | undefined;

/**
 * What the Config rule of this name checks, from its source (DescribeConfigRules: `Owner`, `SourceIdentifier`,
 * `InputParameters`), read once per rule name and kept for SOURCE_TTL_MS in this container. When it cannot be read
 * (denied, throttled, the rule is gone), the rule is judged by its name and the identity says why. Never throws.
 * The Config client is loaded by the first compliance change, not at cold start. In organization mode the rule is read
 * in the account and region the flow acts in (`actIn`), and kept per account and region.
 */
export function identifyRule(name: string, now: number = Date.now()): Promise<RuleIdentity> {
  const where = actingIn();
  const key = where ? `${where.account}/${where.region}/${name}` : name;
  const cached = cache.get(key);
  if (cached && cached.until > now) return cached.identity;
  const entry: Cached = { identity: readSource(name), until: now + SOURCE_TTL_MS };
  cache.set(key, entry);
  void entry.identity.then((identity) => {
    if (identity.from === 'name') entry.until = now + UNREAD_TTL_MS;
  });
  return entry.identity;
}

/** Forgets every rule read so far (tests, which reuse one container). */
export function forgetRuleSources(): void {
  cache.clear();
}

async function readSource(name: string): Promise<RuleIdentity> {
  try {
    commands ??= await import('./config-service-sdk.js');
    const { ConfigServiceClient } = commands;
    client ??= inActingAccount((where) => new ConfigServiceClient({ ...clientOptions, ...where }));
    const out = await client().send(new commands.DescribeConfigRulesCommand({ ConfigRuleNames: [name] }));
    const rule = out.ConfigRules?.find((r) => r.ConfigRuleName === name);
    if (!rule?.Source?.Owner) return unread(name, 'DescribeConfigRules returned no source for it');
    const parameters = parametersOf(rule.InputParameters);
    return {
      name,
      owner: rule.Source.Owner,
      ...(rule.Source.SourceIdentifier ? { identifier: rule.Source.SourceIdentifier } : {}),
      ...(parameters ? { parameters } : {}),
      from: 'source',
    };
  } catch (error) {
    const named = (error as { name?: unknown } | null)?.name;
    return unread(
      name,
      named === 'NoSuchConfigRuleException' ? 'no rule of that name exists now (NoSuchConfigRuleException)' : describeError(error),
    );
  }
}

function unread(name: string, why: string): RuleIdentity {
  const identity = identifiedByName(name, boundText(why, QUOTED_VALUE_MAX));
  logger.warn('Config rule source not read: judged by its name', { rule: boundText(name, QUOTED_VALUE_MAX), why: identity.unread });
  return identity;
}

/** `InputParameters` is a JSON object of strings (`{"maxAccessKeyAge":"90"}`); anything else is no parameters. */
function parametersOf(text: string | undefined): Record<string, string> | undefined {
  if (!text) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    const entries = Object.entries(parsed).filter(
      (e): e is [string, string | number] => typeof e[1] === 'string' || typeof e[1] === 'number',
    );
    return Object.fromEntries(entries.map(([k, v]) => [k, String(v)]));
  } catch {
    return undefined;
  }
}
