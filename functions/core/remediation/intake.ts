import { identifyRule } from '../aws/config-rules.js';
import { InvalidEventError, UnsupportedEventError } from '../errors.js';
import type { RuleIdentity } from '../events/config-rules.js';
import { type DetailSchemas, findingIdOf, type ParsedEvent, parseDetail, readEnvelope } from '../events/parse.js';
import { countOutcome, logger } from '../observability.js';
import { boundText, QUOTED_VALUE_MAX, REASON_MAX } from '../text.js';
import { type EventResult, loggableResult } from './result.js';

/** What every result of a function starts with. */
export type ResultBase = Omit<EventResult, 'status' | 'reason' | 'targets'>;

/** The ids of a valid event, in every result and (bounded) in every log line of its invocation. */
export interface EventIds {
  eventId: string;
  findingId: string;
  /** `guardduty`, `config` or `cloudwatch`. */
  source: string;
}

/**
 * The intake of every function: validates the event, or answers it with an `ignored` result that says why (logged
 * and counted, nothing else done); names the event's ids in the log lines that follow. Throws only for what is not
 * about the event. `details` are the detail schemas the function has at cold start (those of the kinds it handles);
 * the schema of another kind is loaded when an event of that kind comes, so that it is answered the same way.
 */
export async function intake(
  raw: unknown,
  base: ResultBase,
  details: Partial<DetailSchemas> = {},
): Promise<{ event: ParsedEvent; ids: EventIds } | { ignored: EventResult }> {
  let event: ParsedEvent;
  try {
    const read = readEnvelope(raw);
    const schema = details[read.kind] ?? (await import('../events/details.js')).DETAIL_SCHEMAS[read.kind];
    event = parseDetail(read, schema);
  } catch (error) {
    if (error instanceof InvalidEventError || error instanceof UnsupportedEventError) {
      return { ignored: ignore({ ...base, ...idsOf(raw) }, error.message) };
    }
    throw error;
  }
  const ids = { eventId: event.envelope.id, findingId: findingIdOf(event), source: event.kind === 'alarm' ? 'cloudwatch' : event.kind };
  logger.appendKeys({ eventId: boundText(ids.eventId, QUOTED_VALUE_MAX), findingId: boundText(ids.findingId, QUOTED_VALUE_MAX) });
  return { event, ids };
}

/**
 * The event, and for a Config compliance change the identity of its rule: rule names are chosen by whoever creates a
 * rule, so what it checks is read from its source (once per rule name in a warm container) before a function decides.
 */
export async function identified(
  event: ParsedEvent,
  identify: (ruleName: string) => Promise<RuleIdentity> = identifyRule,
): Promise<ParsedEvent> {
  if (event.kind !== 'config') return event;
  return { ...event, rule: await identify(event.compliance.configRuleName) };
}

/** An ignored event: its reason and ids, which may quote the input, are bounded (one log line, at most 256 KB). */
export function ignore(base: ResultBase, text: string): EventResult {
  const reason = boundText(text, REASON_MAX);
  const eventId = base.eventId === undefined ? undefined : boundText(base.eventId, QUOTED_VALUE_MAX);
  const findingId = base.findingId === undefined ? undefined : boundText(base.findingId, QUOTED_VALUE_MAX);
  const result: EventResult = {
    status: 'ignored',
    reason,
    ...base,
    ...(eventId === undefined ? {} : { eventId }),
    ...(findingId === undefined ? {} : { findingId }),
    targets: [],
  };
  logger.warn('event ignored', { reason, eventId });
  countOutcome('ignored');
  return result;
}

/** The end of every handled event: its outcome counted, and logged in one line (an error when a person must act). */
export function reportHandled(result: EventResult, level: 'info' | 'error' = 'info'): void {
  countOutcome(result.status);
  logger[level]('event handled', { result: loggableResult(result) });
}

/** The event id of an event that failed validation, when it has a usable one, for the log line. */
function idsOf(raw: unknown): { eventId?: string } {
  if (raw && typeof raw === 'object' && 'id' in raw && typeof raw.id === 'string') return { eventId: raw.id };
  return {};
}
