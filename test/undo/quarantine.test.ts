import { S3Client } from '@aws-sdk/client-s3';
import { PublishCommand } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../functions/core/audit/record.js';
import type { AuditSink } from '../../functions/core/audit/sink.js';
import * as s3 from '../../functions/core/aws/s3.js';
import { loadConfig } from '../../functions/core/config.js';
import { MemoryJournal } from '../../functions/core/journal/journal.js';
import { remediate } from '../../functions/core/remediation/remediate.js';
import { quarantinePublicBucket } from '../../functions/quarantine-public-bucket/handler.js';
import { undoEvent, undoJournalKey } from '../../scripts/undo/undo.js';
import { accountAbout, loadEvent } from '../support/events.js';
import {
  type FakeBucket,
  fakeS3,
  GD_BUCKET,
  ownerFullControl,
  policyOf,
  publicBucket,
  publicReadStatement,
  trainingRoleStatement,
} from '../support/fake-bucket.js';
import { auditTableSchema, misfits } from '../support/glue-schema.js';
import { loadTemplate } from '../support/template.js';
import { undoHarness } from '../support/undo-harness.js';

/**
 * The undo of quarantine-public-bucket against the stateful fake S3: the bucket before, the handler in enforce mode
 * (journal in memory), then the undo; the bucket must be exactly as before, or a step refused where it changed since.
 */
const NOW = new Date('2026-11-26T03:00:00.000Z');
const EVENT = 'guardduty/policy-s3-bucketblockpublicaccessdisabled.json';
const { sns } = undoHarness({ restore: [S3Client], messageId: 'undo-msg-1' });

/** A public bucket written the way people write policies (indented), to see that the undo puts the text back byte for byte. */
const bucketBefore = (): FakeBucket => ({
  ...publicBucket(),
  policy: JSON.stringify({ Version: '2012-10-17', Statement: [publicReadStatement, trainingRoleStatement] }, null, 4),
  publicAccessBlock: { BlockPublicAcls: false, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false },
});

async function quarantine(bucket: FakeBucket) {
  const fake = fakeS3({ [GD_BUCKET]: bucket });
  const before = structuredClone(bucket);
  const journal = new MemoryJournal();
  const event = loadEvent(EVENT);
  const result = await remediate(event, quarantinePublicBucket, {
    functionName: 'quarantine-public-bucket',
    ownAccount: accountAbout(event),
    config: loadConfig(process.env),
    aws: s3,
    now: () => NOW,
    journal,
  });
  expect(result.status).toBe('remediated');
  sns.resetHistory();
  return { ...fake, before, journal, key: result.journal?.key as string };
}

const undo = (journal: MemoryJournal, key: string, execute: boolean, kinds: string[] = []) =>
  undoEvent({ journal, key, execute, kinds, now: () => NOW, topicArn: 'arn:aws:sns:eu-west-2:123456789012:ml-guard-notifications' });

describe('npm run undo on what quarantine-public-bucket did', () => {
  it('puts the bucket back exactly as it was: settings, ACL, policy byte for byte, tags', async () => {
    // Prepare
    const { buckets, before, journal, key } = await quarantine(bucketBefore());
    expect(buckets[GD_BUCKET]).not.toEqual(before);

    // Act
    const report = await undo(journal, key, true);

    // Assess
    expect(report.status).toBe('undone');
    expect(report.targets[0]?.steps.map((s) => [s.undoes.kind, s.outcome])).toEqual([
      ['blockPublicAccess', 'done'],
      ['removePublicAclGrants', 'done'],
      ['removePublicPolicyStatements', 'done'],
      ['tagQuarantined', 'done'],
    ]);
    expect(buckets[GD_BUCKET]).toStrictEqual(before);
    expect(buckets[GD_BUCKET]?.policy).toBe(before.policy);
  });

  it('deletes what the bucket did not have: no public access block, no policy left, no tags', async () => {
    const { tags: _tags, ...untagged } = publicBucket();
    const { buckets, before, journal, key } = await quarantine({ ...untagged, policy: policyOf(publicReadStatement) });

    const report = await undo(journal, key, true);

    expect(report.status).toBe('undone');
    expect(buckets[GD_BUCKET]).toStrictEqual(before);
  });

  it('changes nothing without --execute, and prints the plan', async () => {
    const { buckets, mock, journal, key } = await quarantine(bucketBefore());
    const quarantined = structuredClone(buckets[GD_BUCKET]);
    const calls = mock.calls().length;

    const report = await undo(journal, key, false);

    expect(report.status).toBe('planned');
    expect(report.targets[0]?.steps.every((s) => s.outcome === 'would-do')).toBe(true);
    expect(buckets[GD_BUCKET]).toStrictEqual(quarantined);
    expect(
      mock
        .calls()
        .slice(calls)
        .map((c) => c.args[0].constructor.name)
        .sort(),
    ).toEqual([
      'GetBucketAclCommand',
      'GetBucketPolicyCommand',
      'GetBucketTaggingCommand',
      'GetObjectCommand',
      'GetPublicAccessBlockCommand',
    ]);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    expect((await journal.read(undoJournalKey(key))).event).toBeUndefined();
  });

  it('journals the undo under undo#<key> and notifies', async () => {
    const { journal, key } = await quarantine(bucketBefore());

    const report = await undo(journal, key, true);

    const undone = await journal.read(undoJournalKey(key));
    expect(report.journal).toEqual({ location: 'memory', key: undoJournalKey(key), attempt: 1 });
    expect(undone.event).toMatchObject({ status: 'remediated', closed: false });
    expect(undone.targets[0]?.steps.map((s) => [s.kind, s.state])).toEqual([
      ['undo:blockPublicAccess', 'done'],
      ['undo:removePublicAclGrants', 'done'],
      ['undo:removePublicPolicyStatements', 'done'],
      ['undo:tagQuarantined', 'done'],
    ]);
    expect(report.notification).toEqual({ published: true, messageId: 'undo-msg-1' });
    expect(sns.commandCalls(PublishCommand)[0]?.args[0].input.Subject).toBe(`ml-guard UNDO UNDONE: ${GD_BUCKET}`);
    // ml-guard's own replay of the event does not see the undo.
    expect((await journal.read(key)).targets).toHaveLength(1);
  });

  it("writes an audit record of the undo, in the audit table's columns, once per undo run", async () => {
    // Prepare
    const { journal, key } = await quarantine(bucketBefore());
    const written: [string, AuditRecord][] = [];
    const audit: AuditSink = {
      location: 's3://ml-guard-forensics-123456789012/',
      write: async (k, record) => {
        written.push([k, record]);
        return 'written';
      },
    };

    // Act
    const report = await undoEvent({ journal, key, execute: true, now: () => NOW, audit, owner: 'alice' });

    // Assess
    const [[auditKey, record] = []] = written;
    expect(auditKey).toBe(
      'audit/year=2026/month=11/day=26/undo-quarantine-public-bucket_29cc9880-571c-ca45-f9d4-6f8592ecc0fe%23undo-1.json',
    );
    expect(report.audit).toEqual({ location: `s3://ml-guard-forensics-123456789012/${auditKey}`, outcome: 'written' });
    expect(record).toMatchObject({
      function: 'undo-quarantine-public-bucket',
      status: 'undone',
      reason: `undo of ${key} by alice, with their own credentials`,
      event: { source: 'undo', id: expect.stringMatching(/#undo-1$/) },
      journal: { key: undoJournalKey(key), attempt: 1 },
    });
    expect(record?.targets[0]?.steps.map((s) => [s.kind, s.outcome, s.at])).toEqual([
      ['undo:blockPublicAccess', 'done', NOW.toISOString()],
      ['undo:removePublicAclGrants', 'done', NOW.toISOString()],
      ['undo:removePublicPolicyStatements', 'done', NOW.toISOString()],
      ['undo:tagQuarantined', 'done', NOW.toISOString()],
    ]);
    expect(misfits(record, auditTableSchema(loadTemplate()))).toEqual([]);
  });

  it('undoes only the step kinds asked for (--step)', async () => {
    const { buckets, before, journal, key } = await quarantine(bucketBefore());

    const report = await undo(journal, key, true, ['tagQuarantined']);

    expect(report.targets[0]?.steps.map((s) => [s.undoes.kind, s.outcome])).toEqual([['tagQuarantined', 'done']]);
    expect(buckets[GD_BUCKET]?.tags).toEqual(before.tags);
    expect(buckets[GD_BUCKET]?.publicAccessBlock).toEqual(s3.ALL_PUBLIC_ACCESS_BLOCKED);
  });
});

describe('npm run undo refuses a step whose resource changed since, and undoes the rest', () => {
  const changes: [string, string, (b: FakeBucket) => void, string][] = [
    [
      'the public access block',
      'blockPublicAccess',
      (b) => {
        b.publicAccessBlock = { ...s3.ALL_PUBLIC_ACCESS_BLOCKED, RestrictPublicBuckets: false };
      },
      'changed since: the Block Public Access settings are now BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=false, not the four ml-guard turned on',
    ],
    [
      'the ACL',
      'removePublicAclGrants',
      (b) => {
        b.grants = [ownerFullControl];
      },
      'changed since: the ACL is not the one ml-guard left (removed http://acs.amazonaws.com/groups/s3/LogDelivery WRITE)',
    ],
    [
      'the bucket policy',
      'removePublicPolicyStatements',
      (b) => {
        b.policy = policyOf(trainingRoleStatement, { ...trainingRoleStatement, Sid: 'Added' });
      },
      'changed since: the bucket policy is not the text ml-guard put (edited since)',
    ],
    [
      'the tags',
      'tagQuarantined',
      (b) => {
        b.tags = [...(b.tags ?? []), { Key: 'owner', Value: 'alice' }];
      },
      'changed since: the tags are not those ml-guard put (added owner=alice)',
    ],
  ];

  it.each(changes)('refuses to put back %s edited since, and undoes the other steps', async (_what, kind, change, why) => {
    // Prepare
    const { buckets, before, journal, key } = await quarantine(bucketBefore());
    const bucket = buckets[GD_BUCKET] as FakeBucket;
    change(bucket);
    const changed = structuredClone(bucket);

    // Act
    const report = await undo(journal, key, true);

    // Assess
    const steps = report.targets[0]?.steps ?? [];
    expect(steps.find((s) => s.undoes.kind === kind)).toMatchObject({ outcome: 'refused', detail: why });
    expect(steps.filter((s) => s.undoes.kind !== kind).map((s) => s.outcome)).toEqual(['done', 'done', 'done']);
    expect(report.status).toBe('partial');
    const field = {
      blockPublicAccess: 'publicAccessBlock',
      removePublicAclGrants: 'grants',
      removePublicPolicyStatements: 'policy',
      tagQuarantined: 'tags',
    }[kind] as keyof FakeBucket;
    expect(bucket[field]).toEqual(changed[field]);
    const { [field]: _a, ...rest } = bucket;
    const { [field]: _b, ...restBefore } = before;
    expect(rest).toEqual(restBefore);
  });

  it('refuses every step when the saved prior state cannot be read', async () => {
    const { objects, journal, key } = await quarantine(bucketBefore());
    objects.clear();

    const report = await undo(journal, key, true);

    expect(report.status).toBe('refused');
    expect(report.targets[0]?.steps.map((s) => s.outcome)).toEqual(['refused', 'refused', 'refused', 'refused']);
    expect(report.targets[0]?.steps[0]?.detail).toMatch(
      /^the saved prior state could not be read: s3:\/\/ml-guard-forensics-123456789012\/quarantine\/.*NoSuchKey/,
    );
  });

  it('is refused on a second run: each step already undone no longer looks as ml-guard left it', async () => {
    const { journal, key } = await quarantine(bucketBefore());
    await undo(journal, key, true);

    const again = await undo(journal, key, true);

    expect(again.status).toBe('refused');
    expect(again.targets[0]?.steps.map((s) => s.outcome)).toEqual(['refused', 'refused', 'refused', 'refused']);
  });
});
