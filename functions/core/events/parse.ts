import { InvalidEventError, UnsupportedEventError } from '../errors.js';
import { type Schema, safeParse } from '../schema.js';
import { quoteValue } from '../text.js';
import type { CloudTrailApiCall } from './cloudtrail-api-call.js';
import type { AlarmStateChange } from './cloudwatch-alarm.js';
import type { ConfigComplianceChange } from './config-compliance.js';
import type { RuleIdentity } from './config-rules.js';
import { describeIssues } from './describe-issues.js';
import { EventBridgeEnvelope } from './envelope.js';
import type { GuardDutyFinding } from './guardduty.js';

/** The envelope fields every handler reads; extra keys of the event are kept too. */
export interface Envelope {
  version: string;
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  [key: string]: unknown;
}

export type ParsedEvent =
  | { kind: 'guardduty'; envelope: Envelope; finding: GuardDutyFinding }
  | {
      kind: 'config';
      envelope: Envelope;
      compliance: ConfigComplianceChange;
      /** What the rule checks, read from its source by the flow (`identifyRule`) before a function decides. */
      rule?: RuleIdentity;
    }
  | { kind: 'alarm'; envelope: Envelope; alarm: AlarmStateChange }
  | { kind: 'cloudtrail'; envelope: Envelope; call: CloudTrailApiCall };

function check<T>(schema: Schema<T>, value: unknown, label: string): T {
  const result = safeParse(schema, value);
  if (!result.success) {
    throw new InvalidEventError(`${label} rejected: ${describeIssues(result.error.issues)}`, { cause: result.error });
  }
  return result.data;
}

export type DetailKind = ParsedEvent['kind'];

/**
 * The schema of each kind's detail. A function imports those of the kinds it handles (`Remediation.details`), so that
 * they are read at cold start; the others are loaded by the first event of their kind (`core/events/details.ts`).
 */
export interface DetailSchemas {
  guardduty: Schema<GuardDutyFinding>;
  config: Schema<ConfigComplianceChange>;
  alarm: Schema<AlarmStateChange>;
  cloudtrail: Schema<CloudTrailApiCall>;
}

/** A valid envelope, the kind of its detail, and the detail not yet checked. */
export interface EnvelopeRead {
  kind: DetailKind;
  envelope: Envelope;
  detail: unknown;
}

/**
 * Validates an EventBridge event's envelope and names the kind of its detail. Throws InvalidEventError for a malformed
 * event and UnsupportedEventError for a well-formed event of a source or detail type ml-guard does not handle.
 */
export function readEnvelope(raw: unknown): EnvelopeRead {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InvalidEventError('event rejected: expected a JSON object (an EventBridge event)');
  }
  const { detail, ...envelope } = check(EventBridgeEnvelope, raw, 'EventBridge envelope');
  const source = envelope.source;
  const detailType = envelope['detail-type'];
  if (source === 'aws.guardduty' && detailType === 'GuardDuty Finding') return { kind: 'guardduty', envelope, detail };
  if (source === 'aws.config' && detailType === 'Config Rules Compliance Change') return { kind: 'config', envelope, detail };
  if (source === 'aws.cloudwatch' && detailType === 'CloudWatch Alarm State Change') return { kind: 'alarm', envelope, detail };
  // CloudTrail management events reach EventBridge with the source of their service (`aws.sagemaker`, `aws.cloudtrail`).
  if (detailType === 'AWS API Call via CloudTrail' && source.startsWith('aws.')) return { kind: 'cloudtrail', envelope, detail };
  throw new UnsupportedEventError(`events from source ${quoteValue(source)} with detail-type ${quoteValue(detailType)} are not handled`);
}

/** Validates the detail of an envelope read with the schema of its kind. Throws InvalidEventError when it is malformed. */
export function parseDetail<K extends DetailKind>(read: EnvelopeRead & { kind: K }, schema: DetailSchemas[K]): ParsedEvent {
  const { envelope, detail } = read;
  switch (read.kind) {
    case 'guardduty':
      return { kind: 'guardduty', envelope, finding: check(schema as DetailSchemas['guardduty'], detail, 'GuardDuty finding') };
    case 'config': {
      const compliance = check(schema as DetailSchemas['config'], detail, 'Config compliance change');
      return { kind: 'config', envelope, compliance };
    }
    case 'alarm':
      return { kind: 'alarm', envelope, alarm: check(schema as DetailSchemas['alarm'], detail, 'CloudWatch alarm state change') };
    default:
      return { kind: 'cloudtrail', envelope, call: check(schema as DetailSchemas['cloudtrail'], detail, 'CloudTrail API call') };
  }
}

/** The id people search for: the GuardDuty finding id, the Config rule and resource, or the alarm name. */
export function findingIdOf(event: ParsedEvent): string {
  switch (event.kind) {
    case 'guardduty':
      return event.finding.id;
    case 'config':
      return `${event.compliance.configRuleName}/${event.compliance.resourceId}`;
    case 'alarm':
      return event.alarm.alarmName;
    case 'cloudtrail':
      return `${event.call.eventName}/${event.call.eventID ?? event.envelope.id}`;
  }
}
