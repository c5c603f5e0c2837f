import {
  AddTagsCommand,
  DescribeTrainingJobCommand,
  ListProcessingJobsCommand,
  ListTagsCommand,
  ListTrainingJobsCommand,
  SageMakerClient,
  StopTrainingJobCommand,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as sagemaker from '../../functions/core/aws/sagemaker.js';
import { loadConfig } from '../../functions/core/config.js';
import { remediate } from '../../functions/core/remediation/remediate.js';
import type { EventResult } from '../../functions/core/remediation/result.js';
import { handler, stopCompromisedTrainingJob } from '../../functions/stop-compromised-training-job/handler.js';
import { MODEL_ARTIFACTS_NOTE } from '../../functions/stop-compromised-training-job/plan.js';
import { accountAbout, allEventPaths, loadEvent } from '../support/events.js';
import { handlerHarness } from '../support/handler-harness.js';
import { type FakeJob, fakeSageMaker, job, jobArn, OTHER_ROLE_ARN, ROLE_ARN, sagemakerError, writesTo } from './fake-sagemaker.js';

const NOW = new Date('2026-11-26T03:00:00.000Z');
const EXFIL = 'guardduty/stop-training-job-instancecredentialexfiltration-outsideaws.json';
const FINDING_ID = 'b81d7e3c4a5f46e2a9d0c1b2e3f4a5d1';
const STOPPED_BY = { Key: 'ml-guard:stopped-by', Value: `guardduty:${FINDING_ID}` };
const ALARM_JOB = 'fraud-detector-2026-11-26-01-00';
const { sns, context, published } = handlerHarness({
  functionName: 'stop-compromised-training-job',
  now: NOW,
  region: 'us-east-1',
  account: '883606788610',
  restore: [SageMakerClient],
});

/** ml-guard as deployed in the account each event is about (single-account mode). */
const invoke = (event: unknown) =>
  handler(event, {
    ...context,
    invokedFunctionArn: `arn:aws:lambda:us-east-1:${accountAbout(event)}:function:stop-compromised-training-job`,
  }) as Promise<EventResult>;
/** The flow with a config of its own (the handler's is read once, at cold start). */
const run = (event: unknown, env: Record<string, string>) =>
  remediate(event, stopCompromisedTrainingJob, {
    functionName: 'stop-compromised-training-job',
    config: loadConfig({ ...process.env, ...env }),
    aws: sagemaker,
    now: () => NOW,
  });
const stopOf = (name: string) => ['StopTrainingJobCommand', { TrainingJobName: name }];
const tagOf = (kind: FakeJob['kind'], name: string, tag = STOPPED_BY) => [
  'AddTagsCommand',
  { ResourceArn: jobArn(kind, name), Tags: [tag] },
];

/** Jobs of every kind: some run with the compromised role (with and without a path), some with another role. */
const mixedJobs = (): FakeJob[] => [
  job('training', 'train-a', { outputPath: 's3://ml-models/train-a/' }),
  job('training', 'other-1', { roleArn: OTHER_ROLE_ARN }),
  job('training', 'train-b', { roleArn: 'arn:aws:iam::883606788610:role/service-role/SageMakerTrainingRole' }),
  job('training', 'other-2', { roleArn: 'arn:aws:iam::111122223333:role/SageMakerTrainingRole' }),
  job('training', 'train-c'),
  job('processing', 'features-1'),
  job('processing', 'other-3', { roleArn: OTHER_ROLE_ARN }),
  job('transform', 'batch-1', { modelName: 'fraud-model' }),
  job('transform', 'batch-2', { modelName: 'notebook-model' }),
  job('tuning', 'hpo-1'),
];
const models = { 'fraud-model': ROLE_ARN, 'notebook-model': OTHER_ROLE_ARN };

describe('stop-compromised-training-job on a compromised-role finding', () => {
  it('stops every job in progress that runs with the role, reading every page, and tags each with the finding', async () => {
    // Prepare
    const { mock } = fakeSageMaker(mixedJobs(), { pageSize: 2, models });

    // Act
    const result = await invoke(loadEvent(EXFIL));

    // Assess
    expect(result.status).toBe('remediated');
    expect(result.targets[0]?.steps.map((s) => [s.summary, s.outcome])).toEqual([
      [
        `Stop training job train-a and tag it ml-guard:stopped-by=guardduty:${FINDING_ID} (model artifacts: s3://ml-models/train-a/)`,
        'done',
      ],
      [`Stop training job train-b and tag it ml-guard:stopped-by=guardduty:${FINDING_ID}`, 'done'],
      [`Stop training job train-c and tag it ml-guard:stopped-by=guardduty:${FINDING_ID}`, 'done'],
      [`Stop processing job features-1 and tag it ml-guard:stopped-by=guardduty:${FINDING_ID}`, 'done'],
      [`Stop transform job batch-1 and tag it ml-guard:stopped-by=guardduty:${FINDING_ID}`, 'done'],
      [`Stop hyperparameter tuning job hpo-1 and tag it ml-guard:stopped-by=guardduty:${FINDING_ID}`, 'done'],
    ]);
    expect(writesTo(mock)).toEqual([
      stopOf('train-a'),
      tagOf('training', 'train-a'),
      stopOf('train-b'),
      tagOf('training', 'train-b'),
      stopOf('train-c'),
      tagOf('training', 'train-c'),
      ['StopProcessingJobCommand', { ProcessingJobName: 'features-1' }],
      tagOf('processing', 'features-1'),
      ['StopTransformJobCommand', { TransformJobName: 'batch-1' }],
      tagOf('transform', 'batch-1'),
      ['StopHyperParameterTuningJobCommand', { HyperParameterTuningJobName: 'hpo-1' }],
      tagOf('tuning', 'hpo-1'),
    ]);
    expect(mock.commandCalls(ListTrainingJobsCommand).map((c) => c.args[0].input)).toEqual([
      { StatusEquals: 'InProgress', MaxResults: 100 },
      { StatusEquals: 'InProgress', MaxResults: 100, NextToken: 'page-2' },
      { StatusEquals: 'InProgress', MaxResults: 100, NextToken: 'page-4' },
    ]);
    expect(mock.commandCalls(DescribeTrainingJobCommand)).toHaveLength(5);
  });

  it.each([
    ['guardduty/stop-training-job-credentialaccess-anomalousbehavior.json', '883606788610', 'b81d7e3c4a5f46e2a9d0c1b2e3f4a5d3'],
    ['guardduty/stop-training-job-maliciousipcaller-custom.json', '123456789012', 'b81d7e3c4a5f46e2a9d0c1b2e3f4a5d4'],
  ])('stops the training job of the role named by %s', async (path, account, findingId) => {
    // Prepare
    const { mock } = fakeSageMaker([job('training', 'train-a', { roleArn: `arn:aws:iam::${account}:role/SageMakerTrainingRole` })]);

    // Act
    const result = await invoke(loadEvent(path));

    // Assess
    expect(result).toMatchObject({ status: 'remediated', findingId });
    expect(writesTo(mock)).toEqual([
      stopOf('train-a'),
      tagOf('training', 'train-a', { Key: 'ml-guard:stopped-by', Value: `guardduty:${findingId}` }),
    ]);
  });

  it('only notifies about a GuardDuty sample finding, reading and changing nothing', async () => {
    // Prepare
    const { mock } = fakeSageMaker(mixedJobs(), { models });

    // Act
    const result = await invoke(loadEvent('guardduty/stop-training-job-toripcaller-sample.json'));

    // Assess
    expect(result.status).toBe('notified');
    expect(result.reason).toMatch(/^GuardDuty sample finding/);
    expect(mock.calls()).toHaveLength(0);
    expect(published()).toHaveLength(1);
  });

  it("reads every page of a job's tags and skips the job when it carries the exemption tag", async () => {
    // Prepare
    const tags = [...Array.from({ length: 55 }, (_, i) => ({ Key: `team:${i}`, Value: 'x' })), { Key: 'ml-guard:exempt', Value: 'SEC-42' }];
    const { mock } = fakeSageMaker([job('training', 'train-a', { tags }), job('training', 'train-b')], { tagPageSize: 50 });

    // Act
    const result = await invoke(loadEvent(EXFIL));

    // Assess
    // The jobs' tags are read in parallel: the calls may interleave.
    const calls = mock.commandCalls(ListTagsCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(3);
    expect(calls).toEqual(
      expect.arrayContaining([
        { ResourceArn: jobArn('training', 'train-a'), MaxResults: 50 },
        { ResourceArn: jobArn('training', 'train-a'), MaxResults: 50, NextToken: '50' },
        { ResourceArn: jobArn('training', 'train-b'), MaxResults: 50 },
      ]),
    );
    expect(writesTo(mock)).toEqual([stopOf('train-b'), tagOf('training', 'train-b')]);
    expect(result.targets[0]?.notes).toContain('skipped training job train-a: carries the exemption tag ml-guard:exempt=SEC-42');
  });

  it('skips a job that finished between being listed and described', async () => {
    // Prepare
    const { mock } = fakeSageMaker([job('training', 'train-a', { listedAs: 'InProgress', status: 'Completed' })]);

    // Act
    const result = await invoke(loadEvent(EXFIL));

    // Assess
    expect(result.status).toBe('already-compliant');
    expect(result.targets[0]?.notes).toEqual(['skipped training job train-a: already Completed']);
    expect(writesTo(mock)).toEqual([]);
  });

  it('reports a job that finished before it could be stopped as already done, and does not tag it', async () => {
    // Prepare
    const jobs = [job('training', 'train-a'), job('training', 'train-b')];
    const { mock } = fakeSageMaker(jobs);
    mock.on(StopTrainingJobCommand, { TrainingJobName: 'train-a' }).callsFake(() => {
      (jobs[0] as FakeJob).status = 'Completed';
      throw sagemakerError('ValidationException', 'The request was rejected because the training job is in status Completed.');
    });

    // Act
    const result = await invoke(loadEvent(EXFIL));

    // Assess
    expect(result.status).toBe('remediated');
    expect(result.targets[0]?.steps.map((s) => [s.outcome, s.detail])).toEqual([
      ['already-done', 'the job is already Completed'],
      ['done', 'stopping'],
    ]);
    expect(writesTo(mock)).toEqual([stopOf('train-a'), stopOf('train-b'), tagOf('training', 'train-b')]);
  });

  it("reports a ValidationException for a job still in progress as that job's failure", async () => {
    // Prepare
    const { mock } = fakeSageMaker([job('training', 'train-a')]);
    mock.on(StopTrainingJobCommand).rejects(sagemakerError('ValidationException', 'Something about the request is wrong.'));

    // Act
    const result = await invoke(loadEvent(EXFIL));

    // Assess
    expect(result.status).toBe('failed');
    expect(result.targets[0]?.steps[0]).toMatchObject({
      outcome: 'failed',
      detail: 'ValidationException: Something about the request is wrong.',
    });
    expect(mock.commandCalls(AddTagsCommand)).toHaveLength(0);
  });

  it('reports a throttled stop as the failure of that job alone, stops the others, and fails the invocation so that Lambda retries', async () => {
    // Prepare
    const { mock } = fakeSageMaker([job('training', 'train-a'), job('training', 'train-b'), job('processing', 'features-1')]);
    mock.on(StopTrainingJobCommand, { TrainingJobName: 'train-a' }).rejects(sagemakerError('ThrottlingException', 'Rate exceeded'));

    // Act
    const invocation = invoke(loadEvent(EXFIL));

    // Assess
    await expect(invocation).rejects.toThrow(/RetryLaterError: work left for a retry on 1 target/);
    const result = published()[0]?.json;
    expect(result.status).toBe('partial');
    expect(result.targets[0]?.steps.map((s: { kind: string; outcome: string; detail: string }) => [s.kind, s.outcome, s.detail])).toEqual([
      ['stopTrainingJob', 'failed', 'ThrottlingException: Rate exceeded'],
      ['stopTrainingJob', 'done', 'stopping'],
      ['stopProcessingJob', 'done', 'stopping'],
    ]);
    expect(writesTo(mock).filter(([name]) => name === 'AddTagsCommand')).toEqual([
      tagOf('training', 'train-b'),
      tagOf('processing', 'features-1'),
    ]);
    expect(published()[0]?.text).toContain(
      `[FAILED] Stop training job train-a and tag it ml-guard:stopped-by=guardduty:${FINDING_ID} (ThrottlingException: Rate exceeded)`,
    );
  });

  it('still reports a job as stopped when only its tag could not be added', async () => {
    // Prepare
    const { mock } = fakeSageMaker([job('training', 'train-a')]);
    mock.on(AddTagsCommand).rejects(sagemakerError('AccessDeniedException', 'not authorized to perform: sagemaker:AddTags'));

    // Act
    const result = await invoke(loadEvent(EXFIL));

    // Assess
    expect(result.status).toBe('remediated');
    expect(result.targets[0]?.steps[0]).toMatchObject({
      outcome: 'done',
      detail:
        'stopping; the tag ml-guard:stopped-by could not be added: AccessDeniedException: not authorized to perform: sagemaker:AddTags',
    });
  });

  it('stops none of the jobs, and lists every one, when they are more than MAX_JOBS_PER_EVENT', async () => {
    // Prepare
    const names = Array.from({ length: 26 }, (_, i) => `train-${String(i).padStart(2, '0')}`);
    const { mock } = fakeSageMaker(
      names.map((n) => job('training', n)),
      { pageSize: 10 },
    );

    // Act
    const result = await invoke(loadEvent(EXFIL));

    // Assess
    expect(result.status).toBe('limit-exceeded');
    expect(result.reason).toBe('26 jobs would be stopped, more than MAX_JOBS_PER_EVENT (25): none was stopped, a person decides');
    expect(writesTo(mock)).toEqual([]);
    expect(result.targets[0]?.steps.map((s) => s.outcome)).toEqual(names.map(() => 'not-run'));
    const [message] = published();
    expect(message?.attributes.status).toBe('limit-exceeded');
    for (const name of names) expect(message?.text).toContain(`[not run] Stop training job ${name} `);
  });

  it('stops nothing in enforce mode when a kind of job cannot be listed', async () => {
    // Prepare
    const { mock } = fakeSageMaker([job('training', 'train-a')]);
    mock
      .on(ListProcessingJobsCommand)
      .rejects(sagemakerError('AccessDeniedException', 'not authorized to perform: sagemaker:ListProcessingJobs'));

    // Act
    const result = await invoke(loadEvent(EXFIL));

    // Assess
    expect(result.status).toBe('failed');
    expect(result.reason).toBe('could not read the processing jobs in progress: nothing was stopped, to be safe');
    expect(writesTo(mock)).toEqual([]);
    expect(published()[0]?.attributes.severity).toBe('HIGH');
  });

  it('reads and changes nothing for a protected role, and notifies that it skipped it', async () => {
    // Prepare
    const { mock } = fakeSageMaker(mixedJobs(), { models });

    // Act
    const result = await run(loadEvent(EXFIL), {
      PROTECTED_PRINCIPALS: 'arn:aws:iam::883606788610:role/service-role/SageMakerTrainingRole',
    });

    // Assess
    expect(result.status).toBe('skipped');
    expect(result.reason).toBe(
      'the role SageMakerTrainingRole is a protected principal (PROTECTED_PRINCIPALS: arn:aws:iam::883606788610:role/service-role/SageMakerTrainingRole): ml-guard does not stop its jobs',
    );
    expect(mock.calls()).toHaveLength(0);
    expect(published()[0]?.attributes.status).toBe('skipped');
  });

  it('sends no stop or tag in dry-run and reports every stop it would make', async () => {
    // Prepare
    const { mock } = fakeSageMaker(mixedJobs(), { models });

    // Act
    const result = await run(loadEvent(EXFIL), { REMEDIATION_MODE: 'dry-run' });

    // Assess
    expect(result).toMatchObject({ status: 'planned', mode: 'dry-run' });
    expect(result.targets[0]?.steps.map((s) => s.outcome)).toEqual(Array(6).fill('would-do'));
    expect(writesTo(mock)).toEqual([]);
    expect(published()[0]?.text).toContain('Dry-run: nothing was changed.');
  });

  it('plans from the event alone in dry-run when no credentials are found, and says what it could not read', async () => {
    // Prepare
    const mock = mockClient(SageMakerClient);
    mock
      .onAnyCommand()
      .rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));

    // Act
    const result = await run(loadEvent(EXFIL), { REMEDIATION_MODE: 'dry-run' });

    // Assess
    expect(result.status).toBe('planned');
    expect(result.targets[0]?.steps.map((s) => s.summary)).toEqual([
      'Stop every training job in progress that runs with role SageMakerTrainingRole (they could not be listed)',
      'Stop every processing job in progress that runs with role SageMakerTrainingRole (they could not be listed)',
      'Stop every transform job in progress that runs with role SageMakerTrainingRole (they could not be listed)',
      'Stop every hyperparameter tuning job in progress that runs with role SageMakerTrainingRole (they could not be listed)',
    ]);
    expect(result.targets[0]?.notes?.[0]).toBe(
      'could not read the training jobs in progress, the processing jobs in progress, the transform jobs in progress, the hyperparameter tuning jobs in progress: CredentialsProviderError: Could not load credentials from any providers',
    );
    expect(writesTo(mock as never)).toEqual([]);
  });

  it('leaves the same end state, stopping nothing more, when the same finding arrives twice', async () => {
    // Prepare
    const { mock } = fakeSageMaker(mixedJobs(), { models });
    const event = loadEvent(EXFIL);
    await invoke(event);
    const writesAfterFirst = writesTo(mock).length;

    // Act
    const second = await invoke(event);

    // Assess
    expect(second.status).toBe('already-compliant');
    expect(second.reason).toBe('no SageMaker job in progress runs with role SageMakerTrainingRole (4 job(s) in progress examined)');
    expect(writesTo(mock)).toHaveLength(writesAfterFirst);
  });
});

describe('stop-compromised-training-job on an S3 exfiltration finding', () => {
  const S3_ROLE = 'guardduty/exfiltration-s3-maliciousipcaller-assumedrole.json';
  const S3_FINDING_ID = '9af6b7c8d9e0f1a2b3c4d5e6f7a8b9c2';
  const s3Tag = { Key: 'ml-guard:stopped-by', Value: `guardduty:${S3_FINDING_ID}` };
  const jobs = () => [job('training', 'train-a'), job('training', 'other-1', { roleArn: OTHER_ROLE_ARN }), job('processing', 'features-1')];

  it('stops the jobs of the role that read model artifacts, tagging each with the finding, and says which bucket', async () => {
    // Prepare
    const { mock } = fakeSageMaker(jobs());

    // Act
    const result = await invoke(loadEvent(S3_ROLE));

    // Assess
    expect(result.status).toBe('remediated');
    expect(writesTo(mock)).toEqual([
      stopOf('train-a'),
      tagOf('training', 'train-a', s3Tag),
      ['StopProcessingJobCommand', { ProcessingJobName: 'features-1' }],
      tagOf('processing', 'features-1', s3Tag),
    ]);
    expect(published()[0]?.text).toContain(
      "note: the role's credentials were used for S3 exfiltration (GuardDuty Exfiltration:S3/MaliciousIPCaller, severity 8): GetObject on S3 bucket ml-model-artifacts-883606788610 (objects: ml-model-artifacts-883606788610/fraud-detector/model.tar.gz)",
    );
  });

  it('sends no stop or tag in dry-run', async () => {
    // Prepare
    const { mock } = fakeSageMaker(jobs());

    // Act
    const result = await run(loadEvent(S3_ROLE), { REMEDIATION_MODE: 'dry-run' });

    // Assess
    expect(result).toMatchObject({ status: 'planned', mode: 'dry-run' });
    expect(result.targets[0]?.steps.map((s) => s.outcome)).toEqual(['would-do', 'would-do']);
    expect(writesTo(mock)).toEqual([]);
  });

  it.each<[string, string, (e: any) => void, Record<string, string>]>([
    ['a service-linked role caller', 'guardduty/impact-s3-anomalousbehavior-permission-servicelinkedrole.json', () => {}, {}],
    ['below S3_EXFILTRATION_SEVERITY_THRESHOLD', S3_ROLE, (e) => (e.detail.severity = 6.9), {}],
    ['with containment turned off', S3_ROLE, () => {}, { CONTAIN_S3_EXFILTRATION: 'false' }],
    ['of PenTest:S3', S3_ROLE, (e) => (e.detail.type = 'PenTest:S3/PentooLinux'), {}],
  ])('ignores a finding %s, reading, stopping and notifying nothing', async (_, path, change, env) => {
    // Prepare
    const { mock } = fakeSageMaker(jobs());
    const event = loadEvent(path);
    change(event);

    // Act
    const result = await run(event, env);

    // Assess
    expect(result.status).toBe('ignored');
    expect(mock.calls()).toHaveLength(0);
    expect(published()).toHaveLength(0);
  });
});

describe('stop-compromised-training-job on a training-job alarm', () => {
  it('stops the training job a single-metric alarm names and tags it with the alarm', async () => {
    // Prepare
    const { mock } = fakeSageMaker([job('training', ALARM_JOB)]);

    // Act
    const result = await invoke(loadEvent('cloudwatch/stop-training-job-alarm-single-metric.json'));

    // Assess
    expect(result).toMatchObject({ status: 'remediated', findingId: 'ml-guard-training-cpu-high', source: 'cloudwatch' });
    expect(mock.commandCalls(ListTrainingJobsCommand)).toHaveLength(0);
    expect(writesTo(mock)).toEqual([
      stopOf(ALARM_JOB),
      tagOf('training', ALARM_JOB, { Key: 'ml-guard:stopped-by', Value: 'cloudwatch:ml-guard-training-cpu-high' }),
    ]);
  });

  it('stops the training job of a metric-math alarm once, though two of its hosts are in the alarm', async () => {
    // Prepare
    const { mock } = fakeSageMaker([job('training', ALARM_JOB)]);

    // Act
    const result = await invoke(loadEvent('cloudwatch/stop-training-job-alarm-metric-math.json'));

    // Assess
    expect(result.status).toBe('remediated');
    expect(mock.commandCalls(StopTrainingJobCommand).map((c) => c.args[0].input)).toEqual([{ TrainingJobName: ALARM_JOB }]);
  });

  it('only notifies about a composite alarm, calling SageMaker for nothing', async () => {
    // Prepare
    const { mock } = fakeSageMaker([job('training', ALARM_JOB)]);

    // Act
    const result = await invoke(loadEvent('cloudwatch/stop-training-job-alarm-composite.json'));

    // Assess
    expect(result.status).toBe('notified');
    expect(result.targets).toEqual([
      expect.objectContaining({ target: expect.objectContaining({ id: 'ml-guard-training-composite' }), status: 'notified' }),
    ]);
    expect(mock.calls()).toHaveLength(0);
    expect(published()[0]?.text).toContain('ALARM(ml-guard-training-cpu-high) OR ALARM(ml-guard-training-total-cpu)');
  });

  it.each([
    ['Completed', 'skipped training job fraud-detector-2026-11-26-01-00: already Completed'],
    ['Stopping', 'skipped training job fraud-detector-2026-11-26-01-00: already Stopping'],
  ])('changes nothing when the named job is already %s', async (status, note) => {
    // Prepare
    const { mock } = fakeSageMaker([job('training', ALARM_JOB, { status })]);

    // Act
    const result = await invoke(loadEvent('cloudwatch/stop-training-job-alarm-single-metric.json'));

    // Assess
    expect(result.status).toBe('already-compliant');
    expect(result.targets[0]?.notes).toEqual([note]);
    expect(writesTo(mock)).toEqual([]);
  });

  it('changes nothing when the named job does not exist, and says so', async () => {
    // Prepare
    const { mock } = fakeSageMaker([]);

    // Act
    const result = await invoke(loadEvent('cloudwatch/stop-training-job-alarm-single-metric.json'));

    // Assess
    expect(result.status).toBe('already-compliant');
    expect(result.targets[0]?.notes).toEqual([
      'skipped training job fraud-detector-2026-11-26-01-00: SageMaker has no training job of that name in us-east-1',
    ]);
    expect(writesTo(mock)).toEqual([]);
  });

  it('takes the ValidationException SageMaker answers for a missing training job as "no such job", and stops the others the alarm names', async () => {
    // Prepare: DescribeTrainingJob answers a job that does not exist with ValidationException "Requested resource not
    // found", not the ResourceNotFound its reference documents (https://github.com/aws/aws-sdk/issues/165).
    const event = loadEvent('cloudwatch/stop-training-job-alarm-metric-math.json');
    event.detail.configuration.metrics[2].metricStat.metric.dimensions.Host = 'fraud-detector-typo/algo-1';
    const { mock } = fakeSageMaker([job('training', ALARM_JOB)]);
    mock
      .on(DescribeTrainingJobCommand, { TrainingJobName: 'fraud-detector-typo' })
      .rejects(sagemakerError('ValidationException', 'Requested resource not found.'));

    // Act
    const result = await invoke(event);

    // Assess
    expect(result.status).toBe('remediated');
    expect(writesTo(mock)).toEqual([
      stopOf(ALARM_JOB),
      tagOf('training', ALARM_JOB, { Key: 'ml-guard:stopped-by', Value: 'cloudwatch:ml-guard-training-total-cpu' }),
    ]);
    expect(result.targets[0]?.notes).toContain(
      'skipped training job fraud-detector-typo: SageMaker has no training job of that name in us-east-1',
    );
  });

  it('does not stop a job the alarm names when it runs with a protected role', async () => {
    // Prepare
    const { mock } = fakeSageMaker([job('training', ALARM_JOB, { roleArn: 'arn:aws:iam::123456789012:role/ops/BreakGlassTraining' })]);

    // Act
    const result = await run(loadEvent('cloudwatch/stop-training-job-alarm-single-metric.json'), {
      REMEDIATION_MODE: 'enforce',
      PROTECTED_PRINCIPALS: 'breakglasstraining',
    });

    // Assess
    expect(result.status).toBe('skipped');
    expect(writesTo(mock)).toEqual([]);
    expect(result.targets[0]?.notes).toContain(
      `skipped training job ${ALARM_JOB}: runs with the protected role BreakGlassTraining (PROTECTED_PRINCIPALS: breakglasstraining)`,
    );
  });

  it('skips the named job when it carries the exemption tag', async () => {
    // Prepare
    const { mock } = fakeSageMaker([job('training', ALARM_JOB, { tags: [{ Key: 'ml-guard:exempt', Value: 'load test' }] })]);

    // Act
    const result = await invoke(loadEvent('cloudwatch/stop-training-job-alarm-single-metric.json'));

    // Assess
    expect(result.status).toBe('skipped');
    expect(writesTo(mock)).toEqual([]);
  });
});

describe('stop-compromised-training-job on events it does not handle', () => {
  it.each([
    [
      'guardduty/policy-s3-bucketblockpublicaccessdisabled.json',
      'GuardDuty finding type Policy:S3/BucketBlockPublicAccessDisabled is not one that stop-compromised-training-job handles',
    ],
    [
      'guardduty/unauthorizedaccess-iamuser-toripcaller-sample.json',
      'the principal of GuardDuty finding 36b01b60fc22bb4edb19d62d9899e953 has userType IAMUser, not AssumedRole',
    ],
    ['config/s3-bucket-public-read-prohibited-noncompliant.json', 'AWS Config events are not handled by stop-compromised-training-job'],
    [
      'cloudwatch/alarm-state-change-single-metric-ec2-cpu.json',
      'alarm ServerCpuTooHigh does not start with ALARM_NAME_PREFIX "ml-guard-"',
    ],
    ...allEventPaths()
      .filter((p) => p.startsWith('invalid/'))
      .map((p) => [p, expect.stringMatching(/rejected|not handled/)] as [string, unknown]),
  ])('ignores %s with a reason, calling nothing and notifying nobody', async (path, reason) => {
    // Prepare
    const { mock } = fakeSageMaker(mixedJobs(), { models });

    // Act
    const result = await invoke(loadEvent(path));

    // Assess
    expect(result).toMatchObject({ status: 'ignored', reason });
    expect(mock.calls()).toHaveLength(0);
    expect(sns.calls()).toHaveLength(0);
  });

  it.each([[null], ['text'], [42], [[]]])('ignores %j, which is not an event', async (raw) => {
    // Prepare
    const { mock } = fakeSageMaker(mixedJobs(), { models });

    // Act
    const result = await invoke(raw);

    // Assess
    expect(result.status).toBe('ignored');
    expect(mock.calls()).toHaveLength(0);
    expect(sns.calls()).toHaveLength(0);
  });
});

describe('stop-compromised-training-job notifications', () => {
  it('tell who did what from where, which jobs were stopped and which skipped and why, and that stopped training keeps its artifacts', async () => {
    // Prepare
    fakeSageMaker([
      job('training', 'train-a', { outputPath: 's3://ml-models/train-a/' }),
      job('training', 'train-b', { tags: [{ Key: 'ml-guard:exempt', Value: 'SEC-42' }] }),
      job('processing', 'features-1'),
    ]);

    // Act
    const result = await invoke(loadEvent(EXFIL));

    // Assess
    const [message] = published();
    expect(published()).toHaveLength(1);
    expect(message?.subject.length).toBeLessThanOrEqual(100);
    expect(message?.subject).toMatch(/^ml-guard REMEDIATED: SageMakerTrainingRole/);
    expect(message?.text).toContain('SageMakerTrainingRole (AssumedRole)');
    expect(message?.text).toContain('198.51.100.0');
    expect(message?.text).toContain(FINDING_ID);
    expect(message?.text).toContain(
      `[done] Stop training job train-a and tag it ml-guard:stopped-by=guardduty:${FINDING_ID} (model artifacts: s3://ml-models/train-a/)`,
    );
    expect(message?.text).toContain(`[done] Stop processing job features-1 and tag it ml-guard:stopped-by=guardduty:${FINDING_ID}`);
    expect(message?.text).toContain('skipped training job train-b: carries the exemption tag ml-guard:exempt=SEC-42');
    expect(message?.text).toContain(MODEL_ARTIFACTS_NOTE);
    expect(message?.text).toContain(
      'a stopped job cannot be resumed: start a new training job with the same settings (SageMaker console: Training jobs > train-a > Clone)',
    );
    expect(message?.attributes).toEqual({
      source: 'guardduty',
      severity: 'HIGH',
      status: 'remediated',
      function: 'stop-compromised-training-job',
    });
    expect(message?.json).toMatchObject({ status: 'remediated', findingId: FINDING_ID, eventId: '3f6d1c2a-8b4e-4f7a-9c1d-2e5b6a7c8d01' });
    expect(message?.json.targets[0].notes).toContain('skipped training job train-b: carries the exemption tag ml-guard:exempt=SEC-42');
    expect(result.notification).toEqual({ subject: message?.subject, published: true, messageId: 'msg-1' });
  });
});

describe('stop-compromised-training-job configuration', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('retries throttled SageMaker calls in adaptive mode, up to 3 attempts', async () => {
    // Prepare
    const { sagemakerClient } = await import('../../functions/core/aws/sagemaker.js');

    // Act
    const client = sagemakerClient();

    // Assess
    expect(((await client.config.retryStrategy()) as { mode?: string }).mode).toBe('adaptive');
    expect(await client.config.maxAttempts()).toBe(3);
  });

  it.each([
    ['MAX_JOBS_PER_EVENT', '0', 'invalid environment: MAX_JOBS_PER_EVENT: expected a whole number from 1 to 9999'],
    ['ALARM_NAME_PREFIX', 'x'.repeat(300), 'invalid environment: ALARM_NAME_PREFIX: too big (maximum 255)'],
  ])('refuses to start when %s is wrong', async (name, value, message) => {
    // Prepare
    vi.stubEnv(name, value);

    // Act / Assess
    await expect(import('../../functions/stop-compromised-training-job/handler.js')).rejects.toThrow(message);
  });
});
