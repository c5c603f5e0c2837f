import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Config } from '../core/config.js';
import { describeError, InvalidEventError, UnsupportedEventError } from '../core/errors.js';
import { isSampleFinding } from '../core/events/guardduty.js';
import { findingIdOf, type ParsedEvent, parseEvent } from '../core/events/parse.js';
import { describeEvent, type EventFacts } from '../core/notify/describe-event.js';
import { formatNotification } from '../core/notify/format.js';
import { deliver } from '../core/notify/publish.js';
import { countOutcome, logger } from '../core/observability.js';
import { type EventResult, loggableResult } from '../core/remediation/result.js';
import { boundText, QUOTED_VALUE_MAX, REASON_MAX } from '../core/text.js';
import type { FloodDecision } from './flood.js';
import { selectNotification } from './select.js';
import { FUNCTION_NAME, type NotifySettings } from './settings.js';

/** The AWS clients the flow uses, injectable for tests. */
export interface NotifyAws {
  dynamo(): DynamoDBClient | Promise<DynamoDBClient>;
  cloudTrail(region: string): CloudTrailClient | Promise<CloudTrailClient>;
}

export interface NotifyOptions {
  config: Config;
  settings: NotifySettings;
  aws?: NotifyAws;
  now?: () => Date;
}

// Flood control and the CloudTrail lookup (and their SDK clients) are loaded by the first event that needs them, not at
// cold start: an alarm never reads CloudTrail, and a local run without STATE_TABLE has no flood control.
const defaultAws: NotifyAws = {
  dynamo: async () => (await import('./flood.js')).dynamoClient(),
  cloudTrail: async (region) => (await import('./cloudtrail.js')).cloudTrailClient(region),
};

/**
 * The notify flow: validate the event, decide whether it needs a person, hold back repeats (flood control), add who
 * changed a Config resource last (CloudTrail), format with the core formatter and publish. Changes no customer resource.
 * Never throws for bad input; throws only when the notification cannot be published, so Lambda retries.
 */
export async function notify(raw: unknown, options: NotifyOptions): Promise<EventResult> {
  const { config, settings } = options;
  const aws = options.aws ?? defaultAws;
  const base = { function: FUNCTION_NAME, mode: config.mode };

  let event: ParsedEvent;
  try {
    event = parseEvent(raw);
  } catch (error) {
    if (error instanceof InvalidEventError || error instanceof UnsupportedEventError)
      return ignore({ ...base, ...idsOf(raw) }, error.message);
    throw error;
  }
  const ids = { eventId: event.envelope.id, findingId: findingIdOf(event), source: event.kind === 'alarm' ? 'cloudwatch' : event.kind };
  logger.appendKeys({ eventId: boundText(ids.eventId, QUOTED_VALUE_MAX), findingId: boundText(ids.findingId, QUOTED_VALUE_MAX) });

  const selection = selectNotification(event, config, settings);
  if (selection.action === 'ignore') return ignore({ ...base, ...ids }, selection.reason);

  const now = (options.now ?? (() => new Date()))();
  let flood: FloodDecision | undefined;
  if (settings.stateTable) {
    const { decide } = await import('./flood.js');
    flood = await decide(await aws.dynamo(), selection.flood, {
      table: settings.stateTable,
      windowMinutes: settings.windowMinutes,
      now,
      eventId: ids.eventId,
    });
  }
  if (flood && !flood.send) {
    const result: EventResult = {
      status: 'suppressed',
      reason:
        `held back by flood control: ${ids.findingId} was notified at ${flood.lastNotifiedAt ?? 'an unknown time'}, within the ` +
        `${settings.windowMinutes}-minute window; ${flood.count} repeat(s) so far, reported with the next notification`,
      ...base,
      ...ids,
      targets: [],
    };
    countOutcome('suppressed');
    logger.info('event handled', { result: loggableResult(result) });
    return result;
  }

  const facts = describeEvent(event);
  if (event.kind === 'config') {
    facts.facts.push(...(await whoChanged(aws, event.compliance.resourceId, event.compliance.awsRegion, now)));
  }
  facts.facts.push(...floodFacts(flood, settings));
  const sample = event.kind === 'guardduty' && isSampleFinding(event.finding);
  const reason = sample
    ? 'GuardDuty sample finding (from "Generate sample findings"): it names placeholder resources; the wiring to this notification works'
    : selection.reason;
  const result: EventResult = {
    status: 'notified',
    reason,
    ...base,
    ...ids,
    targets: selection.targets.map((target) => ({ target, status: 'notified', steps: [] })),
  };
  result.notification = await deliver(formatNotification(result, facts), config.topicArn);
  countOutcome('notified');
  logger.info('event handled', { result: loggableResult(result) });
  return result;
}

function floodFacts(flood: FloodDecision | undefined, settings: NotifySettings): EventFacts['facts'] {
  if (!flood) return [['flood control', 'off: STATE_TABLE is not set, so repeats are not held back']];
  if (!flood.send) return [];
  if ('unavailable' in flood) return [['flood control', `unavailable (${flood.unavailable}): sent without checking for repeats`]];
  const held = flood.heldBack;
  if (!held) return [];
  const latest = held.latestState ? `; the latest: ${held.latestState}${held.latestAt ? ` at ${held.latestAt}` : ''}` : '';
  return [
    [
      'repeats held back',
      `${held.count} since the notification at ${held.lastNotifiedAt ?? 'an unknown time'} (flood control: one per ${settings.windowMinutes} minutes)${latest}`,
    ],
  ];
}

/** Who changed the resource last, from CloudTrail; a failure is said plainly, never hidden. */
async function whoChanged(aws: NotifyAws, resourceId: string, region: string, now: Date): Promise<EventFacts['facts']> {
  const { describeWriteCalls, latestWriteCalls } = await import('./cloudtrail.js');
  try {
    return describeWriteCalls(await latestWriteCalls(await aws.cloudTrail(region), resourceId, now), resourceId);
  } catch (error) {
    logger.warn('CloudTrail lookup failed', { error: describeError(error) });
    return [['last change', `unknown: the CloudTrail lookup of ${resourceId} failed (${describeError(error)})`]];
  }
}

/** An ignored event: its reason and ids, which may quote the input, are bounded (one log line, at most 256 KB). */
function ignore(base: Omit<EventResult, 'status' | 'reason' | 'targets'>, text: string): EventResult {
  const reason = boundText(text, REASON_MAX);
  const eventId = base.eventId === undefined ? undefined : boundText(base.eventId, QUOTED_VALUE_MAX);
  const result: EventResult = { status: 'ignored', reason, ...base, ...(eventId === undefined ? {} : { eventId }), targets: [] };
  logger.warn('event ignored', { reason, eventId });
  countOutcome('ignored');
  return result;
}

/** The event id of an event that failed validation, when it has a usable one, for the log line. */
function idsOf(raw: unknown): { eventId?: string } {
  if (raw && typeof raw === 'object' && 'id' in raw && typeof raw.id === 'string') return { eventId: raw.id };
  return {};
}
