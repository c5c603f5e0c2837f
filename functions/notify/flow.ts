import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { recordAudit } from '../core/audit/sink.js';
import type { Config } from '../core/config.js';
import { describeError } from '../core/errors.js';
import { DETAIL_SCHEMAS } from '../core/events/details.js';
import { isSampleFinding } from '../core/events/guardduty.js';
import type { ParsedEvent } from '../core/events/parse.js';
import { describeEvent, type EventFacts } from '../core/notify/describe-event.js';
import { formatNotification } from '../core/notify/format.js';
import { deliver } from '../core/notify/publish.js';
import { logger } from '../core/observability.js';
import { type Acting, actingFor, identifiedAt, placeOfEvent, refusalFor, within } from '../core/remediation/accounts.js';
import { ignore, intake, reportHandled } from '../core/remediation/intake.js';
import type { EventResult } from '../core/remediation/result.js';
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
  /** The account the function runs in (from its ARN); without it, the account the event was delivered in. */
  ownAccount?: string;
}

// Flood control and the CloudTrail lookup (and their SDK clients) are loaded by the first event that needs them, not at
// cold start: an alarm never reads CloudTrail, and a local run without STATE_TABLE has no flood control.
const defaultAws: NotifyAws = {
  dynamo: async () => (await import('./flood.js')).dynamoClient(),
  cloudTrail: async (region) => (await import('../core/aws/cloudtrail.js')).cloudTrailClient(region),
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

  const received = await intake(raw, base, DETAIL_SCHEMAS);
  if ('ignored' in received) return received.ignored;
  const { ids } = received;
  // What is read about the event (the Config rule's source, who changed the resource) is read in its account and region:
  // with the notify member role in organization mode; not at all in an account ml-guard does not act in.
  const place = placeOfEvent(received.event);
  const at = { functionName: FUNCTION_NAME, ownAccount: options.ownAccount ?? received.event.envelope.account, eventId: ids.eventId };
  const refused = refusalFor(place, config, at.ownAccount);
  const event = await identifiedAt(received.event, place, config, at);

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
    await audited(result, event, config, now);
    reportHandled(result);
    return result;
  }

  const facts = describeEvent(event);
  // A rule about the account itself (CLOUD_TRAIL_ENABLED) names the account id, which no CloudTrail event has as a resource.
  if (event.kind === 'config' && event.compliance.resourceType !== 'AWS::::Account') {
    const { resourceId, awsRegion } = event.compliance;
    facts.facts.push(
      ...(refused
        ? ([['last change', `not looked up in CloudTrail: ${refused}`]] as EventFacts['facts'])
        : await whoChanged(aws, resourceId, awsRegion, now, await actingFor(FUNCTION_NAME, place, config, at.ownAccount, at.eventId))),
    );
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
  await audited(result, event, config, now);
  reportHandled(result);
  return result;
}

/**
 * The audit record of a notified or held-back event. notify keeps no journal, so a failed write does not fail the
 * invocation: Lambda's retry would publish the notification again. It is logged as an error and counted
 * (`audit-failed`, which the AuditRecordsAlarm watches), and the result says so.
 */
async function audited(result: EventResult, event: ParsedEvent, config: Config, now: Date): Promise<void> {
  const audit = await recordAudit(config, { event, result, now });
  if (audit) result.audit = audit;
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

/**
 * Who changed the resource last, from CloudTrail, in the account and region `acting` says (organization mode); a failure
 * (the member role not assumed included) is said plainly, never hidden.
 */
async function whoChanged(
  aws: NotifyAws,
  resourceId: string,
  region: string,
  now: Date,
  acting: Acting | undefined,
): Promise<EventFacts['facts']> {
  const [{ latestWriteCalls }, { describeWriteCalls }] = await Promise.all([
    import('../core/aws/cloudtrail.js'),
    import('./cloudtrail.js'),
  ]);
  try {
    // The member role first: a refusal then names the role and what to deploy.
    await acting?.credentials?.();
    const calls = await within(acting, async () => latestWriteCalls(await aws.cloudTrail(region), resourceId, now));
    return describeWriteCalls(calls, resourceId);
  } catch (error) {
    logger.warn('CloudTrail lookup failed', { error: describeError(error) });
    return [['last change', `unknown: the CloudTrail lookup of ${resourceId} failed (${describeError(error)})`]];
  }
}
