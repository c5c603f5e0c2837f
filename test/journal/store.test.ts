import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoJournal } from '../../functions/core/journal/dynamodb.js';
import { FileJournal } from '../../functions/core/journal/file.js';
import {
  type ApprovalDecision,
  type ApprovalRecord,
  JournalConflictError,
  JournalError,
  type JournalStore,
  MemoryJournal,
  type TargetRecord,
} from '../../functions/core/journal/journal.js';
import { dynaliteServer } from '../support/dynalite.js';

const { db, table } = dynaliteServer();

const T0 = new Date('2026-11-26T03:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const KEY = 'quarantine-public-bucket#29cc9880-571c-ca45-f9d4-6f8592ecc0fe';
const claimBy = (owner: string, now = T0, leaseMs = 60_000) => ({
  function: 'quarantine-public-bucket',
  eventId: '29cc9880',
  findingId: 'f-1',
  owner,
  now,
  leaseMs,
});

function target(id: string, attempt: number, note = ''): TargetRecord {
  return {
    id: `AWS::S3::Bucket#${id}`,
    target: { type: 'AWS::S3::Bucket', id },
    status: 'remediated',
    complete: true,
    steps: [
      {
        id: 'blockPublicAccess',
        kind: 'blockPublicAccess',
        summary: `Turn on Block Public Access${note}`,
        state: 'done',
        attempt,
        startedAt: T0.toISOString(),
      },
    ],
    attempt,
    updatedAt: T0.toISOString(),
  };
}

const APPROVAL: ApprovalRecord = {
  nonce: 'a'.repeat(32),
  state: 'awaiting',
  attempt: 1,
  requestedAt: at(1_000).toISOString(),
  expiresAt: at(3_600_000).toISOString(),
  plannedAt: T0.toISOString(),
  plans: { 'AWS::S3::Bucket#a': 'c'.repeat(64) },
  kinds: ['removePublicPolicyStatements'],
  event: { id: '29cc9880', 'detail-type': 'GuardDuty Finding' },
  expiry: { schedule: 'ml-guard-approval-0123' },
};
const answer = (state: ApprovalDecision['state']): ApprovalDecision => ({
  state,
  at: at(2_000).toISOString(),
  by: { identity: 'arn:aws:iam::123456789012:user/alice', verified: false, via: 'lambda:Invoke' },
  reason: 'checked with the data owner',
});

/** The same contract, run against DynamoDB's semantics (dynalite) and the in-memory journal of local runs. */
const stores: [string, () => Promise<JournalStore>][] = [
  ['DynamoDB (dynalite)', async () => new DynamoJournal(await table(), 90, db)],
  ['memory', async () => new MemoryJournal()],
  ['a local file', async () => new FileJournal(join(mkdtempSync(join(tmpdir(), 'ml-guard-journal-')), 'journal.json'))],
];

describe.each(stores)('the journal in %s', { timeout: 20_000 }, (_name, make) => {
  it('grants the first claim of an event as attempt 1, with nothing journaled before', async () => {
    const journal = await make();

    const claim = await journal.claim(KEY, claimBy('req-1'));

    expect(claim).toMatchObject({ granted: true, attempt: 1, targets: [] });
    expect(claim.event).toMatchObject({
      key: KEY,
      owner: 'req-1',
      closed: false,
      attempts: 1,
      leaseUntil: T0.getTime() + 60_000,
      findingId: 'f-1',
    });
  });

  it('refuses a second invocation while the first holds the claim', async () => {
    const journal = await make();
    await journal.claim(KEY, claimBy('req-1'));

    const second = await journal.claim(KEY, claimBy('req-2', at(30_000)));

    expect(second).toMatchObject({ granted: false, event: { owner: 'req-1', attempts: 1 } });
  });

  it('gives exactly one of two concurrent claims', async () => {
    const journal = await make();

    const claims = await Promise.all([journal.claim(KEY, claimBy('req-1')), journal.claim(KEY, claimBy('req-2'))]);

    expect(claims.filter((c) => c.granted)).toHaveLength(1);
  });

  it('lets a retry take over once the claim expired, as attempt 2, with what attempt 1 journaled', async () => {
    const journal = await make();
    await journal.claim(KEY, claimBy('req-1'));
    await journal.saveTarget(KEY, 1, target('a', 1));

    const retry = await journal.claim(KEY, claimBy('req-2', at(60_001)));

    expect(retry).toMatchObject({ granted: true, attempt: 2, event: { owner: 'req-2', startedAt: T0.toISOString() } });
    expect(retry.targets).toEqual([target('a', 1)]);
  });

  it('lets a retry claim at once after an attempt closed the event open for retry', async () => {
    const journal = await make();
    await journal.claim(KEY, claimBy('req-1'));
    await journal.close(KEY, 1, { closed: false, status: 'partial', reason: 'throttled', now: at(1_000) });

    const retry = await journal.claim(KEY, claimBy('req-2', at(2_000)));

    expect(retry).toMatchObject({ granted: true, attempt: 2 });
  });

  it('answers a delivery of a closed event with its outcome and notification, granting nothing', async () => {
    const journal = await make();
    await journal.claim(KEY, claimBy('req-1'));
    await journal.saveTarget(KEY, 1, target('a', 1));
    const notification = { subject: 'ml-guard REMEDIATED: a', messageId: 'msg-1', at: at(1_000).toISOString(), attempt: 1 };
    await journal.close(KEY, 1, { closed: true, status: 'remediated', reason: '5 change(s) made', notification, now: at(1_000) });

    const again = await journal.claim(KEY, claimBy('req-9', at(3_600_000)));

    expect(again).toMatchObject({
      granted: false,
      event: { closed: true, status: 'remediated', reason: '5 change(s) made', notification },
    });
    expect(again.targets).toEqual([target('a', 1)]);
  });

  it('keeps an approval asked with the closed event, and takes exactly one answer, reopening the event for it', async () => {
    const journal = await make();
    await journal.claim(KEY, claimBy('req-1'));
    await journal.close(KEY, 1, { closed: true, status: 'awaiting-approval', reason: 'held', approval: APPROVAL, now: at(1_000) });
    const approve = { nonce: APPROVAL.nonce, decision: answer('approved'), now: at(2_000) };

    const forged = await journal.decide(KEY, { ...approve, nonce: 'f'.repeat(32) });
    const first = await journal.decide(KEY, approve);
    const second = await journal.decide(KEY, { ...approve, decision: answer('denied') });
    const { event } = await journal.read(KEY);
    const claim = await journal.claim(KEY, claimBy('req-2', at(3_000)));

    expect([forged, first, second]).toEqual([false, true, false]);
    expect(event).toMatchObject({
      closed: false,
      leaseUntil: 0,
      approval: { ...APPROVAL, state: 'approved', decision: answer('approved') },
    });
    expect(claim).toMatchObject({ granted: true, attempt: 2, event: { approval: { state: 'approved' } } });
  });

  it('takes no answer for an event that is not closed, or has no approval', async () => {
    const journal = await make();
    await journal.claim(KEY, claimBy('req-1'));
    const request = { nonce: APPROVAL.nonce, decision: answer('approved'), now: at(2_000) };

    const open = await journal.decide(KEY, request);
    await journal.close(KEY, 1, { closed: true, status: 'remediated', reason: 'done', now: at(1_000) });
    const none = await journal.decide(KEY, request);
    const unknown = await journal.decide('quarantine-public-bucket#no-such-event', request);

    expect([open, none, unknown]).toEqual([false, false, false]);
  });

  it('replaces an approval answered with the one asked again, which awaits its own answer', async () => {
    const journal = await make();
    await journal.claim(KEY, claimBy('req-1'));
    await journal.close(KEY, 1, { closed: true, status: 'awaiting-approval', reason: 'held', approval: APPROVAL, now: at(1_000) });
    await journal.decide(KEY, { nonce: APPROVAL.nonce, decision: answer('approved'), now: at(2_000) });
    await journal.claim(KEY, claimBy('req-2', at(3_000)));
    const again = { ...APPROVAL, nonce: 'b'.repeat(32), attempt: 2, replaces: APPROVAL.nonce };

    await journal.close(KEY, 2, { closed: true, status: 'awaiting-approval', reason: 'plan changed', approval: again, now: at(4_000) });

    expect((await journal.read(KEY)).event?.approval).toEqual(again);
    expect(await journal.decide(KEY, { nonce: APPROVAL.nonce, decision: answer('denied'), now: at(5_000) })).toBe(false);
  });

  it('keeps a stale attempt from overwriting what a newer attempt journaled', async () => {
    const journal = await make();
    await journal.claim(KEY, claimBy('req-1'));
    await journal.claim(KEY, claimBy('req-2', at(60_001)));
    await journal.saveTarget(KEY, 2, target('a', 2));

    await expect(journal.saveTarget(KEY, 1, target('a', 1, ' (stale)'))).rejects.toBeInstanceOf(JournalConflictError);
    await expect(journal.close(KEY, 1, { closed: true, status: 'remediated', reason: 'stale', now: at(60_002) })).rejects.toBeInstanceOf(
      JournalConflictError,
    );
    const state = await journal.claim(KEY, claimBy('req-3', at(60_003)));
    expect(state.targets).toEqual([target('a', 2)]);
  });

  it('lets the same attempt rewrite its target as its steps progress', async () => {
    const journal = await make();
    await journal.claim(KEY, claimBy('req-1'));

    await journal.saveTarget(KEY, 1, { ...target('a', 1), complete: false });
    await journal.saveTarget(KEY, 1, target('a', 1));

    const state = await journal.claim(KEY, claimBy('req-2', at(60_001)));
    expect(state.targets).toEqual([target('a', 1)]);
  });

  it('reads an event and its targets back without claiming it, and nothing for an event it does not hold', async () => {
    const journal = await make();
    await journal.claim(KEY, claimBy('req-1'));
    await journal.saveTarget(KEY, 1, target('a', 1));

    const read = await journal.read(KEY);

    expect(read).toMatchObject({ event: { key: KEY, attempts: 1, owner: 'req-1' }, targets: [target('a', 1)] });
    expect(await journal.claim(KEY, claimBy('req-1'))).toMatchObject({ granted: true, attempt: 2 });
    expect(await journal.read('quarantine-public-bucket#no-such-event')).toEqual({ targets: [] });
  });
});

describe('the journal in a local file', () => {
  const file = () => join(mkdtempSync(join(tmpdir(), 'ml-guard-journal-')), 'journal.json');

  it('keeps what one run journaled for the next run, which reads the same file', async () => {
    const path = file();
    const first = new FileJournal(path);
    await first.claim(KEY, claimBy('req-1'));
    await first.saveTarget(KEY, 1, target('a', 1));
    await first.close(KEY, 1, { closed: true, status: 'remediated', reason: 'done', now: T0 });

    const read = await new FileJournal(path).read(KEY);

    expect(read).toMatchObject({ event: { closed: true, status: 'remediated' }, targets: [target('a', 1)] });
  });

  it('refuses a file that is not a journal with a JournalError naming it', async () => {
    const path = file();
    writeFileSync(path, 'not json');

    const error = await new FileJournal(path).read(KEY).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(JournalError);
    expect((error as Error).message).toContain(`the journal file ${path} could not be read`);
  });
});

describe('the journal in DynamoDB', () => {
  it('reads back every target of an event over several Query pages (1 MB each)', { timeout: 30_000 }, async () => {
    // Prepare: 30 targets of about 60 KB each, about 1.8 MB in all.
    const name = await table();
    const journal = new DynamoJournal(name, 90, db);
    await journal.claim(KEY, claimBy('req-1'));
    const big = 'x'.repeat(60_000);
    for (let i = 0; i < 30; i += 1) await journal.saveTarget(KEY, 1, target(`bucket-${i}`, 1, big));

    // Act
    const retry = await journal.claim(KEY, claimBy('req-2', at(60_001)));

    // Assess
    const firstPage = await db().send(
      new QueryCommand({ TableName: name, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: KEY } } }),
    );
    expect(firstPage.LastEvaluatedKey).toBeDefined();
    expect(retry.targets.map((t) => t.target.id).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `bucket-${i}`).sort());
  });

  it('sets the TTL attribute expiresAt to the retention after each write', async () => {
    const name = await table();
    const journal = new DynamoJournal(name, 30, db);

    await journal.claim(KEY, claimBy('req-1'));
    await journal.saveTarget(KEY, 1, target('a', 1));

    const items =
      (
        await db().send(
          new QueryCommand({ TableName: name, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: KEY } } }),
        )
      ).Items ?? [];
    expect(items.map((i) => Number(i.expiresAt?.N))).toEqual([T0.getTime() / 1000 + 30 * 86_400, T0.getTime() / 1000 + 30 * 86_400]);
  });

  it('reports a table it cannot use as a JournalError that names the table, keeping the SDK error as cause', async () => {
    const journal = new DynamoJournal('no-such-table', 90, db);

    const error = await journal.claim(KEY, claimBy('req-1')).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(JournalError);
    expect((error as Error).message).toMatch(/^could not claim .* in dynamodb:no-such-table: ResourceNotFoundException/);
    expect((error as Error).cause).toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
