import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../functions/core/audit/record.js';
import { s3AuditSink } from '../../functions/core/audit/s3-sink.js';
import { recordAudit, useAuditSink } from '../../functions/core/audit/sink.js';
import { loadConfig } from '../../functions/core/config.js';
import { parseEvent } from '../../functions/core/events/details.js';
import type { EventResult } from '../../functions/core/remediation/result.js';
import { s3Error } from '../support/aws-errors.js';
import { loadEvent } from '../support/events.js';

const s3 = mockClient(S3Client);
const BUCKET = 'ml-guard-forensics-123456789012';
const KEY = 'audit/year=2026/month=11/day=29/notify_e-1.json';
const record = { record_version: 1, function: 'notify', event: { id: 'e-1' } } as unknown as AuditRecord;

beforeEach(() => {
  s3.reset();
  useAuditSink(undefined);
});
afterAll(() => s3.restore());

describe('the evidence bucket as an audit sink', () => {
  it('puts one JSON line under the key, only if no object is there, with a checksum as Object Lock requires', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"e"' });

    const outcome = await s3AuditSink(BUCKET).write(KEY, record);

    expect(outcome).toBe('written');
    const input = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      Bucket: BUCKET,
      Key: KEY,
      IfNoneMatch: '*',
      ChecksumAlgorithm: 'CRC32',
      ContentType: 'application/x-ndjson',
    });
    const body = String(input?.Body);
    expect(body.endsWith('\n')).toBe(true);
    expect(body.trimEnd().includes('\n')).toBe(false);
    expect(JSON.parse(body)).toEqual(record);
  });

  it("answers already-written when S3 refuses the put with 412 PreconditionFailed (a retry's record is there)", async () => {
    s3.on(PutObjectCommand).rejects(s3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold'));

    await expect(s3AuditSink(BUCKET).write(KEY, record)).resolves.toBe('already-written');
  });

  it.each([
    ['SlowDown', 503],
    ['AccessDenied', 403],
    ['ConditionalRequestConflict', 409],
  ])('throws %s (%s), for the flow to report', async (name, status) => {
    s3.on(PutObjectCommand).rejects(s3Error(name, status));

    await expect(s3AuditSink(BUCKET).write(KEY, record)).rejects.toMatchObject({ name });
  });
});

describe('recordAudit', () => {
  const event = parseEvent(loadEvent('cloudwatch/alarm-state-change-sagemaker-model-latency.json'));
  const result: EventResult = { status: 'notified', reason: 'r', function: 'notify', mode: 'enforce', targets: [] };
  const now = new Date('2026-11-29T08:00:00Z');

  it('writes nothing and loads nothing when the function keeps no audit records (no AUDIT_BUCKET)', async () => {
    await expect(recordAudit(loadConfig({}), { event, result, now })).resolves.toBeUndefined();
    expect(s3.calls()).toHaveLength(0);
  });

  it('writes to the bucket AUDIT_BUCKET names, and says where', async () => {
    s3.on(PutObjectCommand).resolves({});

    const report = await recordAudit(loadConfig({ AUDIT_BUCKET: BUCKET }), { event, result, now });

    expect(report).toEqual({
      location: `s3://${BUCKET}/audit/year=2019/month=10/day=02/notify_${event.envelope.id}.json`,
      outcome: 'written',
    });
  });

  it('never throws: a write that fails (throttled after the SDK retries) is reported as failed, with the error', async () => {
    s3.on(PutObjectCommand).rejects(s3Error('SlowDown', 503, 'Please reduce your request rate.'));

    const report = await recordAudit(loadConfig({ AUDIT_BUCKET: BUCKET }), { event, result, now });

    expect(report).toMatchObject({ outcome: 'failed', error: 'SlowDown: Please reduce your request rate.' });
    expect(report?.location).toMatch(/^s3:\/\/ml-guard-forensics-123456789012\/audit\/year=2019\//);
  });
});
