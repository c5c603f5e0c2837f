import { describe, expect, it } from 'vitest';
import { describedUnlisted, describeStop } from '../../functions/stop-compromised-training-job/describe-steps.js';
import type { ObservedJob } from '../../functions/stop-compromised-training-job/observe.js';
import type { StopJobStepData } from '../../functions/stop-compromised-training-job/steps.js';

/** What each stop step says, and how to get an equivalent job back: the one describer the planner's data goes through. */
const TAG = { Key: 'ml-guard:stopped-by', Value: 'guardduty:abc' };
const AGAIN = 'a stopped job cannot be resumed';
const job = (more: Partial<ObservedJob> = {}): ObservedJob => ({
  kind: 'training',
  name: 'train-a',
  arn: 'arn:aws:sagemaker:us-east-1:123456789012:training-job/train-a',
  status: 'InProgress',
  roleArns: [],
  tags: [],
  ...more,
});

describe('describeStop', () => {
  it.each<[string, StopJobStepData, ObservedJob | undefined, string, string]>([
    [
      'a training job, with its model artifacts and checkpoints',
      { kind: 'stopTrainingJob', jobName: 'train-a', tag: TAG },
      job({ outputPath: 's3://models/train-a/', checkpointPath: 's3://ckpt/train-a/' }),
      'Stop training job train-a and tag it ml-guard:stopped-by=guardduty:abc (model artifacts: s3://models/train-a/)',
      `${AGAIN}: start a new training job with the same settings (SageMaker console: Training jobs > train-a > Clone), resuming from its checkpoints in s3://ckpt/train-a/`,
    ],
    [
      'a training job without room for the tag, whose tags were not read',
      { kind: 'stopTrainingJob', jobName: 'train-a' },
      job({ tags: undefined }),
      'Stop training job train-a (tags not read: the exemption tag could not be checked)',
      `${AGAIN}: start a new training job with the same settings (SageMaker console: Training jobs > train-a > Clone)`,
    ],
    [
      // Only a training job's output path holds model artifacts; a processing job's checkpoints are not its to resume.
      'a processing job, its output path and checkpoints not named',
      { kind: 'stopProcessingJob', jobName: 'prep-1', tag: TAG },
      job({ kind: 'processing', name: 'prep-1', outputPath: 's3://out/', checkpointPath: 's3://ckpt/' }),
      'Stop processing job prep-1 and tag it ml-guard:stopped-by=guardduty:abc',
      `${AGAIN}: start a new processing job with the same settings as prep-1`,
    ],
    [
      'a transform job',
      { kind: 'stopTransformJob', jobName: 'batch-1', tag: TAG },
      job({ kind: 'transform', name: 'batch-1' }),
      'Stop transform job batch-1 and tag it ml-guard:stopped-by=guardduty:abc',
      `${AGAIN}: start a new batch transform job with the same settings (SageMaker console: Batch transform jobs > batch-1 > Clone)`,
    ],
    [
      'a tuning job',
      { kind: 'stopHyperParameterTuningJob', jobName: 'hpo-1', tag: TAG },
      job({ kind: 'tuning', name: 'hpo-1' }),
      'Stop hyperparameter tuning job hpo-1 and tag it ml-guard:stopped-by=guardduty:abc',
      `${AGAIN}: start a new tuning job with a warm start from hpo-1 to keep what it learned`,
    ],
    [
      'a named job that could not be read',
      { kind: 'stopTrainingJob', jobName: 'train-b', tag: TAG },
      undefined,
      'Stop training job train-b if it is still in progress, and tag it ml-guard:stopped-by=guardduty:abc (its state could not be read)',
      `${AGAIN}: start a new training job with the same settings (SageMaker console: Training jobs > train-b > Clone)`,
    ],
    [
      'a named job that could not be read, without the tag',
      { kind: 'stopTrainingJob', jobName: 'train-b' },
      undefined,
      'Stop training job train-b if it is still in progress (its state could not be read)',
      `${AGAIN}: start a new training job with the same settings (SageMaker console: Training jobs > train-b > Clone)`,
    ],
  ])('%s', (_, step, observed, summary, undo) => {
    expect(describeStop(step, observed)).toEqual({ summary, undo });
  });

  it('names the role whose jobs of a kind could not be listed, and has no undo: the step never runs', () => {
    expect(describedUnlisted({ kind: 'stopUnlistedJobs', jobKind: 'transform' }, 'ScoringRole')).toEqual({
      kind: 'stopUnlistedJobs',
      jobKind: 'transform',
      summary: 'Stop every transform job in progress that runs with role ScoringRole (they could not be listed)',
    });
  });
});
