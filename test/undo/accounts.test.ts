import { GetBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import * as s3 from '../../functions/core/aws/s3.js';
import { loadConfig } from '../../functions/core/config.js';
import { MemoryJournal } from '../../functions/core/journal/journal.js';
import { remediate } from '../../functions/core/remediation/remediate.js';
import { quarantinePublicBucket } from '../../functions/quarantine-public-bucket/handler.js';
import { undoEvent } from '../../scripts/undo/undo.js';
import { accountAbout, loadEvent } from '../support/events.js';
import { fakeS3, GD_BUCKET, publicBucket } from '../support/fake-bucket.js';
import { undoHarness } from '../support/undo-harness.js';

/**
 * The undo acts where ml-guard acted: the journal keeps each target's account and Region, and the undo reads and writes
 * there with the person's credentials, or refuses a target of another account than theirs (it never assumes a role).
 */
const NOW = new Date('2026-11-26T03:00:00.000Z');
const EVENT = loadEvent('guardduty/policy-s3-bucketblockpublicaccessdisabled.json');
const ABOUT = accountAbout(EVENT);
undoHarness({ restore: [S3Client], now: NOW });

async function quarantined() {
  const fake = fakeS3({ [GD_BUCKET]: publicBucket() });
  const journal = new MemoryJournal();
  const result = await remediate(EVENT, quarantinePublicBucket, {
    functionName: 'quarantine-public-bucket',
    ownAccount: ABOUT,
    config: loadConfig(process.env),
    aws: s3,
    now: () => NOW,
    journal,
  });
  return { ...fake, journal, key: result.journal?.key as string };
}

describe('npm run undo in the account ml-guard acted in', () => {
  it('journals where each target was acted on', async () => {
    const { journal, key } = await quarantined();

    const { targets } = await journal.read(key);

    expect(targets.map((t) => t.place)).toEqual([{ account: ABOUT, region: 'eu-west-2' }]);
  });

  it('refuses every step of a target in another account than your credentials are of, reading nothing there', async () => {
    const { journal, key, mock, buckets } = await quarantined();
    const after = structuredClone(buckets[GD_BUCKET]);
    mock.resetHistory();

    const report = await undoEvent({ journal, key, execute: true, now: () => NOW, callerAccount: async () => '111122223333' });

    expect(report.status).toBe('refused');
    expect(new Set(report.targets[0]?.steps.map((s) => s.detail))).toEqual(
      new Set([
        `${GD_BUCKET} is in account ${ABOUT} (eu-west-2), and your credentials are of account 111122223333: run the undo with credentials of account ${ABOUT}`,
      ]),
    );
    expect(mock.calls()).toEqual([]);
    expect(buckets[GD_BUCKET]).toStrictEqual(after);
  });

  it("undoes a target of your credentials' account, with clients of the target's Region", async () => {
    const { journal, key, mock } = await quarantined();
    // Acted on in another Region than this process's default (AWS_REGION is eu-west-2 in the tests).
    const [record] = (await journal.read(key)).targets;
    if (!record) throw new Error('no target journaled');
    await journal.saveTarget(key, record.attempt, { ...record, place: { account: ABOUT, region: 'eu-central-1' } });
    mock.resetHistory();

    const report = await undoEvent({ journal, key, execute: true, now: () => NOW, callerAccount: async () => ABOUT });

    expect(report.status).toBe('undone');
    const regions = await Promise.all(mock.commandCalls(GetBucketPolicyCommand).map((c) => (c.thisValue as S3Client).config.region()));
    expect(regions).toEqual(['eu-central-1']);
  });
});
