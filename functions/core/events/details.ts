import { CloudTrailApiCall } from './cloudtrail-api-call.js';
import { AlarmStateChange } from './cloudwatch-alarm.js';
import { ConfigComplianceChange } from './config-compliance.js';
import { GuardDutyFinding } from './guardduty.js';
import { type DetailSchemas, type ParsedEvent, parseDetail, readEnvelope } from './parse.js';

/** Every kind's detail schema: notify handles them all; a remediation function loads this for a kind it does not handle. */
export const DETAIL_SCHEMAS: DetailSchemas = {
  guardduty: GuardDutyFinding,
  config: ConfigComplianceChange,
  alarm: AlarmStateChange,
  cloudtrail: CloudTrailApiCall,
};

/**
 * Validates an EventBridge event and its detail. Throws InvalidEventError for a malformed event and
 * UnsupportedEventError for a well-formed event of a source or detail type ml-guard does not handle.
 */
export function parseEvent(raw: unknown): ParsedEvent {
  const read = readEnvelope(raw);
  return parseDetail(read, DETAIL_SCHEMAS[read.kind]);
}
