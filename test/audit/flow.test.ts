import { PutBucketAclCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../functions/core/audit/record.js';
import { AuditWriteError } from '../../functions/core/audit/sink.js';
import * as s3 from '../../functions/core/aws/s3.js';
import { loadConfig } from '../../functions/core/config.js';
import { RetryLaterError } from '../../functions/core/errors.js';
import { DynamoJournal } from '../../functions/core/journal/dynamodb.js';
import { remediate } from '../../functions/core/remediation/remediate.js';
import { quarantinePublicBucket } from '../../functions/quarantine-public-bucket/handler.js';
import { activeTable } from '../journal/journal-support.js';
import { s3Error } from '../support/aws-errors.js';
import { dynaliteServer } from '../support/dynalite.js';
import { accountAbout, loadEvent } from '../support/events.js';
import { type FakeBucket, fakeS3, GD_BUCKET, publicBucket } from '../support/fake-bucket.js';
import { auditTableSchema, misfits } from '../support/glue-schema.js';
import { handlerHarness } from '../support/handler-harness.js';
import { loadTemplate } from '../support/template.js';

const { db, table } = dynaliteServer();

const NOW = new Date('2026-11-26T03:00:00.000Z');
const LATER = new Date(NOW.getTime() + 60_000);
const GD_EVENT = 'guardduty/policy-s3-bucketblockpublicaccessdisabled.json';
const FORENSICS = 'ml-guard-forensics-123456789012';
// The event's own time is 2022-03-01T14:30:00Z: its record is in that day's partition, whenever it closes.
const AUDIT_KEY = 'audit/year=2022/month=03/day=01/quarantine-public-bucket_29cc9880-571c-ca45-f9d4-6f8592ecc0fe.json';
const PRIOR_STATE = `s3://${FORENSICS}/quarantine/${GD_BUCKET}/2026-11-26T03:00:00.000Z/prior-state.json`;

const { sns } = handlerHarness({ functionName: 'quarantine-public-bucket', now: NOW, restore: [S3Client] });

const quarantine = (event: unknown, journal: DynamoJournal, requestId: string, at = NOW) =>
  remediate(event, quarantinePublicBucket, {
    functionName: 'quarantine-public-bucket',
    // ml-guard as deployed in the account the event is about (single-account mode).
    ownAccount: accountAbout(event),
    config: loadConfig({ ...process.env, AUDIT_BUCKET: FORENSICS }),
    aws: s3,
    now: () => at,
    remainingMs: () => 600_000,
    requestId,
    journal,
  });

/** The bucket, the evidence bucket (with S3's conditional put), and the audit puts that fail while `failAudit` says so. */
async function setUp() {
  const fake = fakeS3({ [GD_BUCKET]: publicBucket() });
  const state = { failAudit: 0 };
  fake.mock.on(PutObjectCommand).callsFake(({ Bucket, Key, Body, IfNoneMatch }) => {
    const id = `${Bucket}/${Key}`;
    if (String(Key).startsWith('audit/') && state.failAudit > 0) {
      state.failAudit -= 1;
      throw s3Error('SlowDown', 503, 'Please reduce your request rate.');
    }
    if (IfNoneMatch === '*' && fake.objects.has(id))
      throw s3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold');
    fake.objects.set(id, String(Body));
    return { ETag: '"etag"' };
  });
  const journal = new DynamoJournal(await activeTable(db, table), 90, db);
  const records = () =>
    [...fake.objects]
      .filter(([id]) => id.startsWith(`${FORENSICS}/audit/`))
      .map(([id, body]) => [id, JSON.parse(body) as AuditRecord] as const);
  const auditPuts = () => fake.mock.commandCalls(PutObjectCommand).filter((c) => String(c.args[0].input.Key).startsWith('audit/'));
  return { ...fake, state, journal, records, auditPuts, event: loadEvent(GD_EVENT) };
}

describe('the audit record of a remediation', () => {
  it('is written once when the event closes, with every step, its time, the prior state and the notification', async () => {
    const { journal, records, event } = await setUp();

    const result = await quarantine(event, journal, 'req-1');

    expect(result.audit).toEqual({ location: `s3://${FORENSICS}/${AUDIT_KEY}`, outcome: 'written' });
    const [[id, record]] = records() as [[string, AuditRecord]];
    expect(id).toBe(`${FORENSICS}/${AUDIT_KEY}`);
    expect(record).toMatchObject({
      function: 'quarantine-public-bucket',
      mode: 'enforce',
      status: 'remediated',
      notification: { published: true, message_id: 'msg-1' },
      journal: { key: `quarantine-public-bucket#${event.id}`, attempt: 1 },
    });
    expect(record.targets[0]).toMatchObject({ id: GD_BUCKET, status: 'remediated', prior_state: PRIOR_STATE });
    expect(record.targets[0]?.steps.map((s) => [s.kind, s.outcome, s.at, s.attempt])).toEqual([
      ['savePriorState', 'done', NOW.toISOString(), 1],
      ['blockPublicAccess', 'done', NOW.toISOString(), 1],
      ['removePublicAclGrants', 'done', NOW.toISOString(), 1],
      ['removePublicPolicyStatements', 'done', NOW.toISOString(), 1],
      ['tagQuarantined', 'done', NOW.toISOString(), 1],
    ]);
    // From GuardDuty's first sight (2022-03-01T14:20:48Z) to the last change.
    expect(record.time_to_contain_seconds).toBe((NOW.getTime() - Date.parse('2022-03-01T14:20:48.000Z')) / 1000);
    expect(misfits(record, auditTableSchema(loadTemplate()))).toEqual([]);
  });

  it('is not written again by a repeated delivery: S3 refuses the second put (412), and no second object exists', async () => {
    const { journal, records, auditPuts, event } = await setUp();
    await quarantine(event, journal, 'req-1');

    const again = await quarantine(event, journal, 'req-2', LATER);

    expect(again.audit).toEqual({ location: `s3://${FORENSICS}/${AUDIT_KEY}`, outcome: 'already-written' });
    expect(auditPuts()).toHaveLength(2);
    expect(auditPuts().every((c) => c.args[0].input.IfNoneMatch === '*')).toBe(true);
    expect(records()).toHaveLength(1);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('that cannot be written fails the invocation after the one notification; the retry writes it and repeats nothing', async () => {
    const { journal, records, state, event, mock } = await setUp();
    state.failAudit = 1;

    const first = await quarantine(event, journal, 'req-1').catch((error: unknown) => error);
    const writesAfterFirst = mock.calls().length;
    const retry = await quarantine(event, journal, 'req-2', LATER);

    expect(first).toBeInstanceOf(AuditWriteError);
    expect((first as Error).message).toContain(`the audit record s3://${FORENSICS}/${AUDIT_KEY} was not written (SlowDown`);
    expect((first as Error).message).toContain(`key quarantine-public-bucket#${event.id}`);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(retry.audit).toEqual({ location: `s3://${FORENSICS}/${AUDIT_KEY}`, outcome: 'written' });
    // The retry read the journal and wrote the record: no S3 write but the record's put.
    expect(
      mock
        .calls()
        .slice(writesAfterFirst)
        .map((c) => c.args[0].constructor.name),
    ).toEqual(['PutObjectCommand']);
    const [[, record]] = records() as [[string, AuditRecord]];
    expect(record).toMatchObject({ status: 'remediated', reason: '5 change(s) made', journal: { attempt: 1 } });
    expect(record.targets[0]?.steps.every((s) => s.outcome === 'done' && s.attempt === 1 && s.at === NOW.toISOString())).toBe(true);
  });

  it("waits, when work is left for a retry, for the attempt that closes the event, and records every attempt's steps", async () => {
    const { journal, records, event, mock, buckets } = await setUp();
    let aclCalls = 0;
    mock.on(PutBucketAclCommand).callsFake(({ Bucket, AccessControlPolicy }) => {
      aclCalls += 1;
      if (aclCalls === 1) throw s3Error('SlowDown', 503, 'Please reduce your request rate.');
      (buckets[Bucket as string] as FakeBucket).grants = AccessControlPolicy?.Grants ?? [];
      return {};
    });

    const first = await quarantine(event, journal, 'req-1').catch((error: unknown) => error);
    const recordsAfterFirst = records().length;
    await quarantine(event, journal, 'req-2', LATER);

    expect(first).toBeInstanceOf(RetryLaterError);
    expect(recordsAfterFirst).toBe(0);
    const [[, record]] = records() as [[string, AuditRecord]];
    expect(record.status).toBe('remediated');
    expect(misfits(record, auditTableSchema(loadTemplate()))).toEqual([]);
    const steps = record.targets[0]?.steps.map((s) => [s.kind, s.attempt, s.at]) ?? [];
    expect(steps.sort()).toEqual([
      ['blockPublicAccess', 1, NOW.toISOString()],
      ['removePublicAclGrants', 2, LATER.toISOString()],
      ['removePublicPolicyStatements', 1, NOW.toISOString()],
      ['savePriorState', 1, NOW.toISOString()],
      ['tagQuarantined', 1, NOW.toISOString()],
    ]);
    expect(record.time_to_contain_seconds).toBe((LATER.getTime() - Date.parse('2022-03-01T14:20:48.000Z')) / 1000);
  });

  it('is not written for an ignored event', async () => {
    const { journal, records, auditPuts } = await setUp();

    const result = await quarantine(loadEvent('cloudwatch/alarm-state-change-single-metric-ec2-cpu.json'), journal, 'req-1');

    expect(result.status).toBe('ignored');
    expect(result.audit).toBeUndefined();
    expect(auditPuts()).toHaveLength(0);
    expect(records()).toHaveLength(0);
  });
});
