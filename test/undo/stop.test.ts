import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { describe, expect, it } from 'vitest';
import * as sagemaker from '../../functions/core/aws/sagemaker.js';
import { loadConfig } from '../../functions/core/config.js';
import { MemoryJournal } from '../../functions/core/journal/journal.js';
import { remediate } from '../../functions/core/remediation/remediate.js';
import { stopCompromisedTrainingJob } from '../../functions/stop-compromised-training-job/handler.js';
import { undoEvent } from '../../scripts/undo/undo.js';
import { type FakeJob, fakeSageMaker, job, ROLE_ARN } from '../stop-compromised-training-job/fake-sagemaker.js';
import { accountAbout, loadEvent } from '../support/events.js';
import { undoHarness } from '../support/undo-harness.js';

/** The undo of stop-compromised-training-job against the stateful fake SageMaker. */
const NOW = new Date('2026-11-26T03:00:00.000Z');
const EXFIL = 'guardduty/stop-training-job-instancecredentialexfiltration-outsideaws.json';
undoHarness({ restore: [SageMakerClient], now: NOW });

async function stop(jobs: FakeJob[], models: Record<string, string> = {}) {
  const fake = fakeSageMaker(jobs, { models });
  const before = structuredClone(fake.jobs);
  const journal = new MemoryJournal();
  const event = loadEvent(EXFIL);
  const result = await remediate(event, stopCompromisedTrainingJob, {
    functionName: 'stop-compromised-training-job',
    ownAccount: accountAbout(event),
    config: loadConfig(process.env),
    aws: sagemaker,
    now: () => NOW,
    journal,
  });
  expect(result.status).toBe('remediated');
  return { ...fake, before, journal, key: result.journal?.key as string };
}

describe('npm run undo on what stop-compromised-training-job did', () => {
  it("removes the stopped-by tag, restoring the job's tags, and says how to start an equivalent job", async () => {
    // Prepare
    const { jobs, before, journal, key } = await stop([job('training', 'train-a', { tags: [{ Key: 'team', Value: 'fraud' }] })]);
    expect(jobs[0]?.tags).toHaveLength(2);

    // Act
    const report = await undoEvent({ journal, key, execute: true, now: () => NOW });

    // Assess
    expect(report.targets[0]?.steps.map((s) => [s.undoes.kind, s.outcome])).toEqual([
      ['stopTrainingJob', 'guidance'],
      ['stopTrainingJob', 'done'],
    ]);
    expect(report.targets[0]?.steps[0]?.detail).toBe(
      'a stopped job cannot be resumed: start a new training job with the same settings (SageMaker console: Training jobs > train-a > Clone)',
    );
    expect(jobs[0]?.tags).toEqual(before[0]?.tags);
    expect(jobs[0]?.status).toBe('Stopping');
    expect(report.status).toBe('undone');
  });

  it('removes the tag from a job of every kind it stopped: training, processing, transform, tuning', async () => {
    const { jobs, before, journal, key } = await stop(
      [
        job('training', 'train-a'),
        job('processing', 'features-1', { tags: [{ Key: 'team', Value: 'fraud' }] }),
        job('transform', 'batch-1', { modelName: 'fraud-model' }),
        job('tuning', 'hpo-1'),
      ],
      { 'fraud-model': ROLE_ARN },
    );

    const report = await undoEvent({ journal, key, execute: true, now: () => NOW });

    const steps = report.targets.flatMap((t) => t.steps);
    expect(steps.filter((s) => s.outcome === 'done').map((s) => s.undoes.kind)).toEqual([
      'stopTrainingJob',
      'stopProcessingJob',
      'stopTransformJob',
      'stopHyperParameterTuningJob',
    ]);
    expect(steps.filter((s) => s.outcome === 'guidance')).toHaveLength(4);
    expect(jobs.map((j) => j.tags ?? [])).toEqual(before.map((j) => j.tags ?? []));
    expect(report.status).toBe('undone');
  });

  it('refuses to remove a stopped-by tag that was changed since', async () => {
    const { jobs, journal, key } = await stop([job('training', 'train-a')]);
    const tag = jobs[0]?.tags?.find((t) => t.Key === 'ml-guard:stopped-by');
    if (tag) tag.Value = 'incident-42';

    const report = await undoEvent({ journal, key, execute: true, now: () => NOW });

    expect(report.targets[0]?.steps[1]).toMatchObject({
      outcome: 'refused',
      detail: expect.stringMatching(/^changed since: ml-guard:stopped-by is now incident-42, not guardduty:/),
    });
    expect(jobs[0]?.tags).toEqual([{ Key: 'ml-guard:stopped-by', Value: 'incident-42' }]);
  });
});
