import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../functions/core/config.js';
import { parseEvent } from '../../functions/core/events/details.js';
import { executePlan } from '../../functions/core/remediation/execute.js';
import type { PlanContext } from '../../functions/core/remediation/remediate.js';
import type { Plan } from '../../functions/core/remediation/types.js';
import type { SageMakerAdapter } from '../../functions/stop-compromised-training-job/observe.js';
import { MODEL_ARTIFACTS_NOTE, planTarget } from '../../functions/stop-compromised-training-job/plan.js';
import { runners } from '../../functions/stop-compromised-training-job/runners.js';
import type { StopStep } from '../../functions/stop-compromised-training-job/steps.js';
import { loadEvent } from '../support/events.js';
import { jobArn, OTHER_ROLE_ARN, ROLE_ARN } from './fake-sagemaker.js';
import { ALARM, contextFor, described, FINDING, NOW, state, targetOf } from './plan-fixtures.js';

/** What the executor makes of a plan in the context's mode: enforce mode holds back a plan it could not verify. */
function decided(plan: Plan<StopStep>, context: PlanContext) {
  return executePlan(plan, runners, {} as SageMakerAdapter, { dryRun: context.config.mode === 'dry-run' });
}

describe('planTarget for a compromised role', () => {
  it('stops every job in progress of the role, training first, and tags each with the finding', () => {
    // Prepare
    const context = contextFor(FINDING);
    const jobs = [
      described('tuning', 'hpo-1'),
      described('processing', 'features-1'),
      described('training', 'train-b', { outputPath: 's3://models/train-b/' }),
      described('transform', 'batch-1'),
      described('training', 'train-a'),
    ];

    // Act
    const plan = planTarget(targetOf(context), state(jobs), context);

    // Assess
    expect(plan.hold).toBeUndefined();
    expect(plan.target).toEqual({
      type: 'AWS::IAM::Role',
      id: 'SageMakerTrainingRole',
      arn: 'arn:aws:iam::883606788610:role/SageMakerTrainingRole',
    });
    expect(plan.steps.map((s) => [s.kind, 'jobName' in s ? s.jobName : s.jobKind])).toEqual([
      ['stopTrainingJob', 'train-a'],
      ['stopTrainingJob', 'train-b'],
      ['stopProcessingJob', 'features-1'],
      ['stopTransformJob', 'batch-1'],
      ['stopHyperParameterTuningJob', 'hpo-1'],
    ]);
    expect(plan.steps[1]).toEqual({
      kind: 'stopTrainingJob',
      jobName: 'train-b',
      jobArn: jobArn('training', 'train-b'),
      tag: { Key: 'ml-guard:stopped-by', Value: 'guardduty:b81d7e3c4a5f46e2a9d0c1b2e3f4a5d1' },
      summary:
        'Stop training job train-b and tag it ml-guard:stopped-by=guardduty:b81d7e3c4a5f46e2a9d0c1b2e3f4a5d1 (model artifacts: s3://models/train-b/)',
      undo: 'a stopped job cannot be resumed: start a new training job with the same settings (SageMaker console: Training jobs > train-b > Clone)',
    });
    expect(plan.notes).toEqual([MODEL_ARTIFACTS_NOTE]);
  });

  it('skips a job carrying the exemption tag and says why', () => {
    // Prepare
    const context = contextFor(FINDING);
    const jobs = [
      described('training', 'keep-me', { tags: [{ Key: 'ml-guard:exempt', Value: 'SEC-42' }] }),
      described('training', 'stop-me'),
    ];

    // Act
    const plan = planTarget(targetOf(context), state(jobs), context);

    // Assess
    expect(plan.steps.map((s) => ('jobName' in s ? s.jobName : ''))).toEqual(['stop-me']);
    expect(plan.notes).toContain('skipped training job keep-me: carries the exemption tag ml-guard:exempt=SEC-42');
  });

  it('holds back as skipped when every job of the role is exempt', () => {
    // Prepare
    const context = contextFor(FINDING, { EXEMPT_TAG_KEY: 'security:exempt' });
    const jobs = [described('processing', 'keep-me', { tags: [{ Key: 'security:exempt', Value: 'yes' }] })];

    // Act
    const plan = planTarget(targetOf(context), state(jobs), context);

    // Assess
    expect(plan).toMatchObject({ hold: 'skipped', reason: 'nothing stopped: 1 job(s) exempt (see notes)', steps: [] });
  });

  it('skips jobs that are no longer in progress', () => {
    // Prepare
    const context = contextFor(FINDING);
    const jobs = ['Stopping', 'Stopped', 'Completed', 'Failed'].map((status) =>
      described('training', `job-${status.toLowerCase()}`, { status }),
    );

    // Act
    const plan = planTarget(targetOf(context), state(jobs), context);

    // Assess
    expect(plan.steps).toEqual([]);
    expect(plan.hold).toBeUndefined();
    expect(plan.reason).toBe('every job that runs with role SageMakerTrainingRole is already finishing or finished');
    expect(plan.notes).toEqual([
      'skipped training job job-completed: already Completed',
      'skipped training job job-failed: already Failed',
      'skipped training job job-stopped: already Stopped',
      'skipped training job job-stopping: already Stopping',
    ]);
  });

  it('leaves the training jobs of a tuning job to the tuning job it stops, and those of an exempt one alone', () => {
    // Prepare
    const context = contextFor(FINDING);
    const jobs = [
      described('tuning', 'hpo-run'),
      described('tuning', 'hpo-exempt', { tags: [{ Key: 'ml-guard:exempt', Value: '' }] }),
      described('training', 'hpo-run-001-abc', { startedBy: jobArn('tuning', 'hpo-run') }),
      described('training', 'hpo-exempt-001-def', { startedBy: jobArn('tuning', 'hpo-exempt') }),
    ];

    // Act
    const plan = planTarget(targetOf(context), state(jobs), context);

    // Assess
    expect(plan.steps.map((s) => s.kind)).toEqual(['stopHyperParameterTuningJob']);
    expect(plan.notes).toEqual([
      'skipped training job hpo-exempt-001-def: started by hyperparameter tuning job hpo-exempt, which carries the exemption tag',
      'skipped training job hpo-run-001-abc: stops with its hyperparameter tuning job hpo-run',
      'skipped hyperparameter tuning job hpo-exempt: carries the exemption tag ml-guard:exempt=',
    ]);
  });

  it('does not stop a tuning job whose training job in progress carries the exemption tag: that training job would stop with it', () => {
    // Prepare
    const context = contextFor(FINDING);
    const hpo = jobArn('tuning', 'hpo-run');
    const jobs = [
      described('tuning', 'hpo-run'),
      described('training', 'hpo-run-001-abc', { startedBy: hpo, tags: [{ Key: 'ml-guard:exempt', Value: 'SEC-7' }] }),
      described('training', 'hpo-run-002-def', { startedBy: hpo }),
    ];

    // Act
    const plan = planTarget(targetOf(context), state(jobs), context);

    // Assess
    expect(plan.steps.map((s) => [s.kind, 'jobName' in s ? s.jobName : ''])).toEqual([['stopTrainingJob', 'hpo-run-002-def']]);
    expect(plan.notes).toContain(
      'skipped hyperparameter tuning job hpo-run: stopping it would also stop its training job hpo-run-001-abc, which carries the exemption tag ml-guard:exempt=SEC-7',
    );
    expect(plan.notes).toContain('skipped training job hpo-run-001-abc: carries the exemption tag ml-guard:exempt=SEC-7');
    expect(plan.notes).toContain(
      `training job hpo-run-002-def was started by ${hpo}: that may start new jobs with the same role; stop or fix it too`,
    );
  });

  it('does not stop a job that also runs with a protected role', () => {
    // Prepare
    const context = contextFor(FINDING, { PROTECTED_PRINCIPALS: OTHER_ROLE_ARN });
    const jobs = [described('tuning', 'hpo-two-roles', { roleArns: [ROLE_ARN, OTHER_ROLE_ARN] }), described('training', 'train-a')];

    // Act
    const plan = planTarget(targetOf(context), state(jobs), context);

    // Assess
    expect(plan.steps.map((s) => ('jobName' in s ? s.jobName : ''))).toEqual(['train-a']);
    expect(plan.notes).toContain(
      `skipped hyperparameter tuning job hpo-two-roles: runs with the protected role DataScienceNotebookRole (PROTECTED_PRINCIPALS: ${OTHER_ROLE_ARN})`,
    );
  });

  it('says when a job it stops was started by something that may start more', () => {
    // Prepare
    const context = contextFor(FINDING);
    const schedule = 'arn:aws:sagemaker:us-east-1:883606788610:monitoring-schedule/drift';
    const jobs = [described('processing', 'drift-check', { startedBy: schedule })];

    // Act
    const plan = planTarget(targetOf(context), state(jobs), context);

    // Assess
    expect(plan.notes).toEqual([
      `processing job drift-check was started by ${schedule}: that may start new jobs with the same role; stop or fix it too`,
    ]);
  });

  it('stops none and lists them all when more jobs than MAX_JOBS_PER_EVENT would stop', () => {
    // Prepare
    const context = contextFor(FINDING, { MAX_JOBS_PER_EVENT: '3' });
    const jobs = ['a', 'b', 'c', 'd'].map((n) => described('training', `job-${n}`));

    // Act
    const plan = planTarget(targetOf(context), state(jobs), context);

    // Assess
    expect(plan.hold).toBe('limit-exceeded');
    expect(plan.reason).toBe('4 jobs would be stopped, more than MAX_JOBS_PER_EVENT (3): none was stopped, a person decides');
    expect(plan.steps.map((s) => ('jobName' in s ? s.jobName : ''))).toEqual(['job-a', 'job-b', 'job-c', 'job-d']);
  });

  it('counts the training jobs that would stop with their tuning job against MAX_JOBS_PER_EVENT', () => {
    // Prepare
    const context = contextFor(FINDING, { MAX_JOBS_PER_EVENT: '2' });
    const hpo = jobArn('tuning', 'hpo-run');
    const jobs = [
      described('tuning', 'hpo-run'),
      described('training', 'hpo-run-001', { startedBy: hpo }),
      described('training', 'hpo-run-002', { startedBy: hpo }),
    ];

    // Act
    const plan = planTarget(targetOf(context), state(jobs), context);

    // Assess
    expect(plan.hold).toBe('limit-exceeded');
    expect(plan.reason).toBe(
      '3 jobs would be stopped (2 of them with their tuning job), more than MAX_JOBS_PER_EVENT (2): none was stopped, a person decides',
    );
  });

  it('names at most three parts it could not read in the reason, and every part in the notes', async () => {
    // Prepare
    const context = contextFor(FINDING);
    const unreadable = ['a', 'b', 'c', 'd', 'e'].map((n) => ({ part: `training job ${n}`, error: 'ThrottlingException: Rate exceeded' }));

    // Act
    const plan = planTarget(targetOf(context), state([], { unreadable }), context);
    const result = await decided(plan, context);

    // Assess
    expect(result.reason).toBe('could not read training job a, training job b, training job c and 2 more: nothing was stopped, to be safe');
    expect(plan.notes).toContain(
      'could not read training job a, training job b, training job c, training job d, training job e: ThrottlingException: Rate exceeded',
    );
  });

  it('stops them when exactly MAX_JOBS_PER_EVENT jobs run with the role', () => {
    // Prepare
    const context = contextFor(FINDING, { MAX_JOBS_PER_EVENT: '3' });
    const jobs = ['a', 'b', 'c'].map((n) => described('training', `job-${n}`));

    // Act
    const plan = planTarget(targetOf(context), state(jobs), context);

    // Assess
    expect(plan.hold).toBeUndefined();
    expect(plan.steps).toHaveLength(3);
  });

  it('does nothing to the jobs of a protected role', () => {
    // Prepare
    const context = contextFor(FINDING, { PROTECTED_PRINCIPALS: 'break-glass,SageMakerTrainingRole' });

    // Act
    const plan = planTarget(targetOf(context), state([]), context);

    // Assess
    expect(plan).toMatchObject({
      hold: 'skipped',
      steps: [],
      reason:
        'the role SageMakerTrainingRole is a protected principal (PROTECTED_PRINCIPALS: SageMakerTrainingRole): ml-guard does not stop its jobs',
    });
  });

  it('stops nothing in enforce mode when part of the state could not be read', async () => {
    // Prepare
    const context = contextFor(FINDING);
    const unreadable = [{ part: 'the processing jobs in progress', error: 'AccessDeniedException: not authorized' }];

    // Act
    const plan = planTarget(
      targetOf(context),
      state([described('training', 'train-a')], { unlisted: ['processing'], unreadable }),
      context,
    );
    const result = await decided(plan, context);

    // Assess
    expect(result.status).toBe('failed');
    expect(result.steps.map((s) => s.outcome)).toEqual(['not-run', 'not-run']);
    expect(result.reason).toBe('could not read the processing jobs in progress: nothing was stopped, to be safe');
    expect(plan.notes).toContain('could not read the processing jobs in progress: AccessDeniedException: not authorized');
  });

  it('plans in dry-run what it would do once the jobs it could not list can be read', () => {
    // Prepare
    const context = contextFor(FINDING, {}, true);
    const unreadable = [
      { part: 'the training jobs in progress', error: 'CredentialsProviderError: Could not load credentials from any providers' },
    ];

    // Act
    const plan = planTarget(targetOf(context), state([], { unlisted: ['training'], unreadable }), context);

    // Assess
    expect(plan.hold).toBeUndefined();
    expect(plan.steps).toEqual([
      {
        kind: 'stopUnlistedJobs',
        jobKind: 'training',
        summary: 'Stop every training job in progress that runs with role SageMakerTrainingRole (they could not be listed)',
      },
    ]);
    expect(plan.notes).toEqual([
      'could not read the training jobs in progress: CredentialsProviderError: Could not load credentials from any providers',
      MODEL_ARTIFACTS_NOTE,
    ]);
  });

  it('says how many jobs it examined when none runs with the role', () => {
    // Prepare
    const context = contextFor(FINDING);

    // Act
    const plan = planTarget(targetOf(context), state([], { examined: 7 }), context);

    // Assess
    expect(plan).toMatchObject({
      steps: [],
      reason: 'no SageMaker job in progress runs with role SageMakerTrainingRole (7 job(s) in progress examined)',
    });
    expect(plan.hold).toBeUndefined();
  });

  it('does not tag a job that already has the 50 tags SageMaker allows, and still stops it', () => {
    // Prepare
    const context = contextFor(FINDING);
    const tags = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));

    // Act
    const plan = planTarget(
      targetOf(context),
      state([described('training', 'full', { tags, roleArns: [ROLE_ARN, OTHER_ROLE_ARN] })]),
      context,
    );

    // Assess
    expect(plan.steps[0]).toMatchObject({ kind: 'stopTrainingJob', jobName: 'full', summary: 'Stop training job full' });
    expect(plan.steps[0]).not.toHaveProperty('tag');
    expect(plan.notes).toContain("training job full has 50 tags, SageMaker's limit: it will not be tagged ml-guard:stopped-by");
  });
});

describe('planTarget for an alarm', () => {
  it('stops the training job the alarm names and tags it with the alarm', () => {
    // Prepare
    const context = contextFor(ALARM);
    const name = 'fraud-detector-2026-11-26-01-00';

    // Act
    const plan = planTarget(targetOf(context), state([described('training', name)]), context);

    // Assess
    expect(plan.target).toEqual({
      type: 'AWS::CloudWatch::Alarm',
      id: 'ml-guard-training-cpu-high',
      arn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:ml-guard-training-cpu-high',
    });
    expect(plan.steps).toEqual([
      expect.objectContaining({
        kind: 'stopTrainingJob',
        jobName: name,
        tag: { Key: 'ml-guard:stopped-by', Value: 'cloudwatch:ml-guard-training-cpu-high' },
      }),
    ]);
  });

  it('does not stop a named job that runs with a protected role, and says so', () => {
    // Prepare
    const context = contextFor(ALARM, { PROTECTED_PRINCIPALS: 'SageMakerTrainingRole' });
    const name = 'fraud-detector-2026-11-26-01-00';

    // Act
    const plan = planTarget(targetOf(context), state([described('training', name)]), context);

    // Assess
    expect(plan).toMatchObject({ hold: 'skipped', steps: [], reason: 'nothing stopped: 1 job(s) exempt or protected (see notes)' });
    expect(plan.notes).toEqual([
      `skipped training job ${name}: runs with the protected role SageMakerTrainingRole (PROTECTED_PRINCIPALS: SageMakerTrainingRole)`,
    ]);
  });

  it('says which named jobs do not exist and which are finished, and changes nothing', () => {
    // Prepare
    const context = contextFor(ALARM);

    // Act
    const plan = planTarget(
      targetOf(context),
      state([described('training', 'done-job', { status: 'Completed' })], { notFound: ['gone-job'] }),
      context,
    );

    // Assess
    expect(plan).toMatchObject({ steps: [], reason: 'no training job named by the alarm is in progress' });
    expect(plan.hold).toBeUndefined();
    expect(plan.notes).toEqual([
      'skipped training job gone-job: SageMaker has no training job of that name in us-east-1',
      'skipped training job done-job: already Completed',
    ]);
  });

  it('plans in dry-run to stop a named job whose state could not be read', () => {
    // Prepare
    const context = contextFor(ALARM, {}, true);
    const unreadable = [{ part: 'training job fraud-detector-2026-11-26-01-00', error: 'CredentialsProviderError: no credentials' }];

    // Act
    const plan = planTarget(targetOf(context), state([], { unread: ['fraud-detector-2026-11-26-01-00'], unreadable }), context);

    // Assess
    expect(plan.hold).toBeUndefined();
    expect(plan.steps).toEqual([
      expect.objectContaining({
        kind: 'stopTrainingJob',
        jobName: 'fraud-detector-2026-11-26-01-00',
        summary:
          'Stop training job fraud-detector-2026-11-26-01-00 if it is still in progress, and tag it ml-guard:stopped-by=cloudwatch:ml-guard-training-cpu-high (its state could not be read)',
      }),
    ]);
    expect(plan.steps[0]).not.toHaveProperty('jobArn');
  });

  it('replaces what SageMaker does not accept in a tag value', () => {
    // Prepare
    const event = loadEvent(ALARM);
    event.detail.alarmName = 'ml-guard-cpu (team #3)';
    const config = loadConfig({ TOPIC_ARN: 'arn:aws:sns:us-east-1:883606788610:ml-guard', REMEDIATION_MODE: 'enforce' });
    const context: PlanContext = { event: parseEvent(event), config, now: NOW };

    // Act
    const plan = planTarget(targetOf(context), state([described('training', 'fraud-detector-2026-11-26-01-00')]), context);

    // Assess
    expect(plan.steps[0]).toMatchObject({ tag: { Key: 'ml-guard:stopped-by', Value: 'cloudwatch:ml-guard-cpu _team _3_' } });
  });
});
