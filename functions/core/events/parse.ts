import { InvalidEventError, UnsupportedEventError } from '../errors.js';
import { type Schema, safeParse } from '../schema.js';
import { quoteValue } from '../text.js';
import { CloudTrailApiCall } from './cloudtrail-api-call.js';
import { AlarmStateChange } from './cloudwatch-alarm.js';
import { ConfigComplianceChange } from './config-compliance.js';
import type { RuleIdentity } from './config-rules.js';
import { describeIssues } from './describe-issues.js';
import { EventBridgeEnvelope } from './envelope.js';
import { GuardDutyFinding } from './guardduty.js';

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

/**
 * Validates an EventBridge event and its detail. Throws InvalidEventError for a malformed event and
 * UnsupportedEventError for a well-formed event of a source or detail type ml-guard does not handle.
 */
export function parseEvent(raw: unknown): ParsedEvent {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InvalidEventError('event rejected: expected a JSON object (an EventBridge event)');
  }
  const { detail, ...envelope } = check(EventBridgeEnvelope, raw, 'EventBridge envelope');
  const source = envelope.source;
  const detailType = envelope['detail-type'];
  if (source === 'aws.guardduty' && detailType === 'GuardDuty Finding') {
    return { kind: 'guardduty', envelope, finding: check(GuardDutyFinding, detail, 'GuardDuty finding') };
  }
  if (source === 'aws.config' && detailType === 'Config Rules Compliance Change') {
    return { kind: 'config', envelope, compliance: check(ConfigComplianceChange, detail, 'Config compliance change') };
  }
  if (source === 'aws.cloudwatch' && detailType === 'CloudWatch Alarm State Change') {
    return { kind: 'alarm', envelope, alarm: check(AlarmStateChange, detail, 'CloudWatch alarm state change') };
  }
  // CloudTrail management events reach EventBridge with the source of their service (`aws.sagemaker`, `aws.cloudtrail`).
  if (detailType === 'AWS API Call via CloudTrail' && source.startsWith('aws.')) {
    return { kind: 'cloudtrail', envelope, call: check(CloudTrailApiCall, detail, 'CloudTrail API call') };
  }
  throw new UnsupportedEventError(`events from source ${quoteValue(source)} with detail-type ${quoteValue(detailType)} are not handled`);
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
