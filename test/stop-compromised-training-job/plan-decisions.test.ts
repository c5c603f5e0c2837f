import { describe, expect, it } from 'vitest';
import type { Plan, Unreadable } from '../../functions/core/remediation/types.js';
import type { JobsState, ObservedJob } from '../../functions/stop-compromised-training-job/observe.js';
import { planTarget } from '../../functions/stop-compromised-training-job/plan.js';
import type { StopStep } from '../../functions/stop-compromised-training-job/steps.js';
import { loadEvent } from '../support/events.js';
import { jobArn, OTHER_ROLE_ARN, ROLE_ARN } from './fake-sagemaker.js';
import { ALARM, contextFor, described, FINDING, state, targetOf } from './plan-fixtures.js';

const TAG = { Key: 'ml-guard:stopped-by', Value: 'guardduty:b81d7e3c4a5f46e2a9d0c1b2e3f4a5d1' };
const TAGGED = `and tag it ml-guard:stopped-by=guardduty:b81d7e3c4a5f46e2a9d0c1b2e3f4a5d1`;
/** What SageMaker documents for StopTrainingJob; the plan repeats it whenever it may stop a training job. */
const ARTIFACTS =
  "a stopped training job keeps the model artifacts it saved: SageMaker sends the algorithm SIGTERM and waits 120 seconds so it can save them, then uploads them to the job's S3 output path";

/** Plans for the compromised role of the sample finding (or the job of the sample alarm). */
function plan(jobs: ObservedJob[], more: Partial<JobsState> = {}, env: Record<string, string> = {}, path = FINDING) {
  const context = contextFor(loadEvent(path), env);
  return planTarget(targetOf(context), state(jobs, more), context);
}

/** Each step as [kind, job name], or [kind, job kind] for the kinds that could not be listed. */
const stopped = (p: Plan<StopStep>) => p.steps.map((s) => [s.kind, 'jobName' in s ? s.jobName : s.jobKind]);

describe('planTarget: what a stop step says and how to undo it', () => {
  it.each([
    // StopTrainingJob: the job saves its artifacts to OutputDataConfig.S3OutputPath, and checkpoints let a new job resume.
    [
      'a training job with checkpoints',
      described('training', 'train-a', { outputPath: 's3://models/train-a/', checkpointPath: 's3://ckpt/train-a/' }),
      {
        kind: 'stopTrainingJob',
        summary: `Stop training job train-a ${TAGGED} (model artifacts: s3://models/train-a/)`,
        undo: 'a stopped job cannot be resumed: start a new training job with the same settings (SageMaker console: Training jobs > train-a > Clone), resuming from its checkpoints in s3://ckpt/train-a/',
      },
    ],
    [
      'a processing job',
      described('processing', 'features-1'),
      {
        kind: 'stopProcessingJob',
        summary: `Stop processing job features-1 ${TAGGED}`,
        undo: 'a stopped job cannot be resumed: start a new processing job with the same settings as features-1',
      },
    ],
    [
      'a transform job',
      described('transform', 'batch-1'),
      {
        kind: 'stopTransformJob',
        summary: `Stop transform job batch-1 ${TAGGED}`,
        undo: 'a stopped job cannot be resumed: start a new batch transform job with the same settings (SageMaker console: Batch transform jobs > batch-1 > Clone)',
      },
    ],
    // A tuning job's OutputDataConfig is its training jobs' output: the tuning job itself has no model artifacts.
    [
      'a tuning job, without the output path of its training jobs',
      described('tuning', 'hpo-1', { outputPath: 's3://models/hpo-1/' }),
      {
        kind: 'stopHyperParameterTuningJob',
        summary: `Stop hyperparameter tuning job hpo-1 ${TAGGED}`,
        undo: 'a stopped job cannot be resumed: start a new tuning job with a warm start from hpo-1 to keep what it learned',
      },
    ],
  ])('plans %s', (_case, job, step) => {
    // Act
    const p = plan([job]);

    // Assess
    expect(p.steps).toEqual([{ jobName: job.name, jobArn: job.arn, tag: TAG, ...step }]);
  });

  it('says when the tags of a job it stops could not be read, and still stops it', () => {
    // Prepare
    const job = described('training', 'train-a', { outputPath: 's3://models/train-a/', tags: undefined });

    // Act
    const p = plan([job]);

    // Assess
    expect(p.steps).toEqual([
      expect.objectContaining({
        kind: 'stopTrainingJob',
        jobName: 'train-a',
        summary: `Stop training job train-a ${TAGGED} (model artifacts: s3://models/train-a/; tags not read: the exemption tag could not be checked)`,
      }),
    ]);
  });

  it('tags a job that has 50 tags when one of them is the stopped-by tag: AddTags overwrites it', () => {
    // Prepare
    const tags = [
      ...Array.from({ length: 49 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })),
      { Key: 'ml-guard:stopped-by', Value: 'guardduty:earlier' },
    ];

    // Act
    const p = plan([described('processing', 'full', { tags })]);

    // Assess
    expect(p.steps).toEqual([expect.objectContaining({ jobName: 'full', tag: TAG, summary: `Stop processing job full ${TAGGED}` })]);
    expect(p.notes).toBeUndefined();
  });

  it('plans to stop a named job it could not read, with how to undo it', () => {
    // Act
    const p = plan([], { unread: ['fraud-detector-2026-11-26-01-00'] }, {}, ALARM);

    // Assess
    expect(p.steps).toEqual([
      {
        kind: 'stopTrainingJob',
        jobName: 'fraud-detector-2026-11-26-01-00',
        tag: { Key: 'ml-guard:stopped-by', Value: 'cloudwatch:ml-guard-training-cpu-high' },
        summary:
          'Stop training job fraud-detector-2026-11-26-01-00 if it is still in progress, and tag it ml-guard:stopped-by=cloudwatch:ml-guard-training-cpu-high (its state could not be read)',
        undo: 'a stopped job cannot be resumed: start a new training job with the same settings (SageMaker console: Training jobs > fraud-detector-2026-11-26-01-00 > Clone)',
      },
    ]);
    expect(p.notes).toEqual([ARTIFACTS]);
  });
});

describe('planTarget: what a person is told', () => {
  it('keeps the notes of the target, such as what an S3 exfiltration finding says the role did', () => {
    // Prepare
    const context = contextFor(loadEvent(FINDING));
    const target = { ...targetOf(context), notes: ["the role's credentials were used for reading 3 objects"] };

    // Act
    const p = planTarget(target, state([described('processing', 'features-1')]), context);

    // Assess
    expect(p.notes).toEqual(["the role's credentials were used for reading 3 objects"]);
  });

  it.each([
    ['a training job is stopped', [described('training', 'train-a')], {}, [ARTIFACTS]],
    ['only processing jobs could not be listed', [], { unlisted: ['processing' as const] }, []],
    ['training jobs could not be listed', [], { unlisted: ['training' as const] }, [ARTIFACTS]],
  ])('says what SageMaker does with the model artifacts only when %s', (_case, jobs, more, notes) => {
    // Act
    const p = plan(jobs, more);

    // Assess
    expect(p.notes ?? []).toEqual(notes);
  });

  it('names the exemption tag with an empty value when the tag has no value', () => {
    // Act
    const p = plan([described('training', 'keep-me', { tags: [{ Key: 'ml-guard:exempt' } as { Key: string; Value: string }] })]);

    // Assess
    expect(p).toMatchObject({
      hold: 'skipped',
      steps: [],
      notes: ['skipped training job keep-me: carries the exemption tag ml-guard:exempt='],
    });
  });
});

describe('planTarget: which jobs stop, and with what', () => {
  const hpo = jobArn('tuning', 'hpo-run');

  it('stops a processing job a training job started (SageMaker Debugger rules) itself: only a tuning job stops the jobs it started', () => {
    // Prepare
    const training = described('training', 'train-a');
    const rule = described('processing', 'train-a-lossnotdecreasing', { startedBy: training.arn });

    // Act
    const p = plan([training, rule]);

    // Assess
    expect(stopped(p)).toEqual([
      ['stopTrainingJob', 'train-a'],
      ['stopProcessingJob', 'train-a-lossnotdecreasing'],
    ]);
    // The training job that started it stops in this plan: no advice to stop it too.
    expect(p.notes).toEqual([ARTIFACTS]);
  });

  it('stops the training jobs of a tuning job that is already stopping, rather than count on it', () => {
    // Prepare
    const jobs = [described('tuning', 'hpo-run', { status: 'Stopping' }), described('training', 'hpo-run-001', { startedBy: hpo })];

    // Act
    const p = plan(jobs);

    // Assess
    expect(stopped(p)).toEqual([['stopTrainingJob', 'hpo-run-001']]);
    // The tuning job that started it is already stopping: it starts no new job.
    expect(p.notes).toEqual(['skipped hyperparameter tuning job hpo-run: already Stopping', ARTIFACTS]);
  });

  it('stops a tuning job whose exempt training job has already finished: stopping it cannot stop that one', () => {
    // Prepare
    const exempt = [{ Key: 'ml-guard:exempt', Value: 'SEC-7' }];
    const jobs = [
      described('tuning', 'hpo-run'),
      described('training', 'hpo-run-001', { startedBy: hpo, status: 'Completed', tags: exempt }),
      described('training', 'hpo-run-002', { startedBy: hpo }),
    ];

    // Act
    const p = plan(jobs);

    // Assess
    expect(stopped(p)).toEqual([['stopHyperParameterTuningJob', 'hpo-run']]);
    expect(p.notes).toEqual([
      'skipped training job hpo-run-001: already Completed',
      'skipped training job hpo-run-002: stops with its hyperparameter tuning job hpo-run',
    ]);
  });

  it('counts a tuning job kept for its exempt training job among the jobs left alone by rule', () => {
    // Prepare
    const jobs = [
      described('tuning', 'hpo-run'),
      described('training', 'hpo-run-001', { startedBy: hpo, tags: [{ Key: 'ml-guard:exempt', Value: 'SEC-7' }] }),
    ];

    // Act
    const p = plan(jobs);

    // Assess
    expect(p).toMatchObject({ hold: 'skipped', steps: [], reason: 'nothing stopped: 2 job(s) exempt (see notes)' });
  });

  it('holds back as skipped when the only job in progress was started by an exempt tuning job that is stopping', () => {
    // Prepare
    const jobs = [
      described('tuning', 'hpo-run', { status: 'Stopping', tags: [{ Key: 'ml-guard:exempt', Value: 'SEC-7' }] }),
      described('training', 'hpo-run-001', { startedBy: hpo }),
    ];

    // Act
    const p = plan(jobs);

    // Assess
    expect(p).toMatchObject({
      hold: 'skipped',
      steps: [],
      reason: 'nothing stopped: 1 job(s) exempt (see notes)',
      notes: [
        'skipped training job hpo-run-001: started by hyperparameter tuning job hpo-run, which carries the exemption tag',
        'skipped hyperparameter tuning job hpo-run: already Stopping',
      ],
    });
  });

  it('leaves alone the training jobs of a tuning job that runs with a protected role', () => {
    // Prepare
    const jobs = [
      described('tuning', 'hpo-run', { roleArns: [ROLE_ARN, OTHER_ROLE_ARN] }),
      described('training', 'hpo-run-001', { startedBy: hpo }),
    ];

    // Act
    const p = plan(jobs, {}, { PROTECTED_PRINCIPALS: OTHER_ROLE_ARN });

    // Assess
    expect(p).toMatchObject({ hold: 'skipped', steps: [], reason: 'nothing stopped: 2 job(s) exempt or protected (see notes)' });
    expect(p.notes).toEqual([
      'skipped training job hpo-run-001: started by hyperparameter tuning job hpo-run, which runs with a protected role',
      `skipped hyperparameter tuning job hpo-run: runs with the protected role DataScienceNotebookRole (PROTECTED_PRINCIPALS: ${OTHER_ROLE_ARN})`,
    ]);
  });

  it('says "exempt or protected" when one job is exempt and another protected', () => {
    // Prepare
    const jobs = [
      described('training', 'exempt-job', { tags: [{ Key: 'ml-guard:exempt', Value: 'yes' }] }),
      described('training', 'protected-job', { roleArns: [OTHER_ROLE_ARN] }),
    ];

    // Act
    const p = plan(jobs, {}, { PROTECTED_PRINCIPALS: OTHER_ROLE_ARN });

    // Assess
    expect(p).toMatchObject({ hold: 'skipped', steps: [], reason: 'nothing stopped: 2 job(s) exempt or protected (see notes)' });
  });
});

describe('planTarget: the MAX_JOBS_PER_EVENT blast radius', () => {
  it('counts the steps and the in-progress training jobs of each tuning job it stops, nothing else', () => {
    // Prepare
    const [a, b] = [jobArn('tuning', 'hpo-a'), jobArn('tuning', 'hpo-b')];
    const jobs = [
      described('tuning', 'hpo-a'),
      described('tuning', 'hpo-b'),
      described('training', 'hpo-a-001', { startedBy: a }),
      described('training', 'hpo-b-001', { startedBy: b }),
      described('training', 'hpo-a-000', { startedBy: a, status: 'Completed' }),
      described('training', 'done-job', { status: 'Failed' }),
      described('training', 'exempt-job', { tags: [{ Key: 'ml-guard:exempt', Value: 'yes' }] }),
    ];

    // Act
    const p = plan(jobs, {}, { MAX_JOBS_PER_EVENT: '3' });

    // Assess
    expect(p.hold).toBe('limit-exceeded');
    expect(p.reason).toBe(
      '4 jobs would be stopped (2 of them with their tuning job), more than MAX_JOBS_PER_EVENT (3): none was stopped, a person decides',
    );
    expect(stopped(p)).toEqual([
      ['stopHyperParameterTuningJob', 'hpo-a'],
      ['stopHyperParameterTuningJob', 'hpo-b'],
    ]);
  });

  it('does not count the kinds of job it could not list (a dry-run shows them; enforce mode stops nothing)', () => {
    // Prepare
    const unreadable: Unreadable[] = [
      { part: 'the processing jobs in progress', error: 'AccessDeniedException: no' },
      { part: 'the transform jobs in progress', error: 'AccessDeniedException: no' },
    ];

    // Act
    const p = plan([described('training', 'train-a')], { unlisted: ['processing', 'transform'], unreadable }, { MAX_JOBS_PER_EVENT: '1' });

    // Assess
    expect(p.hold).toBeUndefined();
    expect(stopped(p)).toEqual([
      ['stopTrainingJob', 'train-a'],
      ['stopUnlistedJobs', 'processing'],
      ['stopUnlistedJobs', 'transform'],
    ]);
    expect(p.unverified).toEqual({
      reason: 'could not read the processing jobs in progress, the transform jobs in progress: nothing was stopped, to be safe',
      retryable: false,
    });
  });
});

describe('planTarget: what could not be read', () => {
  const part = (name: string, transient?: true): Unreadable => ({
    part: `training job ${name}`,
    error: 'Error: x',
    ...(transient ? { transient } : {}),
  });

  it.each([
    // Throttling, 5xx and timeouts are transient: Lambda's retry may read what this invocation could not.
    [
      'names all three parts, and is retryable when one failure is transient',
      [part('a'), part('b', true), part('c')],
      'could not read training job a, training job b, training job c: nothing was stopped, to be safe',
      true,
    ],
    [
      'is retryable when every failure is transient',
      [part('a', true), part('b', true)],
      'could not read training job a, training job b: nothing was stopped, to be safe',
      true,
    ],
    [
      'is not retryable when no failure is transient',
      [part('a'), part('b')],
      'could not read training job a, training job b: nothing was stopped, to be safe',
      false,
    ],
  ])('%s', (_case, unreadable, reason, retryable) => {
    // Act
    const p = plan([], { unread: ['a'], unreadable }, {}, ALARM);

    // Assess
    expect(p.unverified).toEqual({ reason, retryable });
  });
});
