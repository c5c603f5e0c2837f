import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Config } from '../config.js';
import { describeError, MlGuardError } from '../errors.js';
import { countOutcome, logger, metrics } from '../observability.js';
import type { AuditInput, AuditRecord } from './record.js';

/**
 * Where audit records go: the evidence bucket in a deployment (AUDIT_BUCKET), a file in a local run
 * (`npm run invoke -- ... --audit FILE`), a list in tests. A sink writes a record under its key at most once.
 */
export interface AuditSink {
  /** `s3://<bucket>/` or `file:<path>`: the key is appended. */
  readonly location: string;
  /** Writes the record under `key` unless a record is there already (then `already-written`: a retry or a duplicate). */
  write(key: string, record: AuditRecord): Promise<'written' | 'already-written'>;
}

/** Where an event's audit record is, as its result reports it. */
export interface AuditReport {
  location: string;
  outcome: 'written' | 'already-written' | 'failed';
  /** Why it could not be written: the invocation fails so that Lambda retries, and the retry writes it. */
  error?: string;
}

/** The audit record could not be written: the event is closed (nothing is repeated), and Lambda's retry writes it. */
export class AuditWriteError extends MlGuardError {
  override readonly name = 'AuditWriteError';
}

let chosen: AuditSink | undefined;

/** Sends every record to this sink instead of the configured one (a local run, a test); `undefined` restores it. */
export function useAuditSink(sink: AuditSink | undefined): void {
  chosen = sink;
}

/**
 * Writes the audit record of a closed event, if the function has a sink (AUDIT_BUCKET, or `useAuditSink`). The record
 * builder, the compliance mapping and the S3 writer are loaded here, by the first event that closes, not at cold
 * start. Never throws: a failure is logged as an error, counted (metric `audit-failed`, which an alarm watches) and
 * reported, for the caller to decide (the remediation flow fails the invocation so that Lambda retries it).
 */
export async function recordAudit(
  config: Config,
  input: AuditInput,
  options: { countTimeToContain?: boolean } = {},
): Promise<AuditReport | undefined> {
  const sink = chosen ?? (config.auditBucket ? await bucketSink(config.auditBucket) : undefined);
  if (!sink) return undefined;
  let location = sink.location;
  try {
    const { auditKey, buildAuditRecord } = await import('./record.js');
    const record = buildAuditRecord(input);
    location = `${sink.location}${auditKey(record)}`;
    if (options.countTimeToContain && record.time_to_contain_seconds !== undefined) {
      metrics.addMetric('time-to-contain', MetricUnit.Seconds, record.time_to_contain_seconds);
    }
    // Logged with the result ('event handled' carries `audit`).
    return { location, outcome: await sink.write(auditKey(record), record) };
  } catch (error) {
    const described = describeError(error);
    logger.error('audit record not written', { location, error: described });
    countOutcome('audit-failed');
    return { location, outcome: 'failed', error: described };
  }
}

async function bucketSink(bucket: string): Promise<AuditSink> {
  const { s3AuditSink } = await import('./s3-sink.js');
  return s3AuditSink(bucket);
}
