import {
  AddTagsCommand,
  DescribeHyperParameterTuningJobCommand,
  DescribeModelCommand,
  DescribeProcessingJobCommand,
  DescribeTrainingJobCommand,
  DescribeTransformJobCommand,
  ListHyperParameterTuningJobsCommand,
  ListProcessingJobsCommand,
  ListTagsCommand,
  ListTrainingJobsCommand,
  ListTransformJobsCommand,
  SageMakerClient,
  StopHyperParameterTuningJobCommand,
  StopProcessingJobCommand,
  StopTrainingJobCommand,
  StopTransformJobCommand,
  type Tag,
} from '@aws-sdk/client-sagemaker';
import { errorMessage, errorName } from '../errors.js';
import { clientOptions, inActingAccount } from './client-options.js';

/**
 * The SageMaker client, made on first use, with the shared adaptive retries for throttling; in organization mode, of
 * the account and region the flow acts in.
 */
export const sagemakerClient = inActingAccount((where) => new SageMakerClient({ ...clientOptions, ...where }));

export type { Tag };

/** The four kinds of SageMaker work that run with an IAM role and can be stopped. */
export type JobKind = 'training' | 'processing' | 'transform' | 'tuning';
export const JOB_KINDS: readonly JobKind[] = ['training', 'processing', 'transform', 'tuning'];

/** A job SageMaker listed as in progress. */
export interface JobSummary {
  kind: JobKind;
  name: string;
  arn: string;
}

/** What DescribeXJob says about a job, reduced to what deciding to stop it needs. */
export interface JobDescription extends JobSummary {
  /** `InProgress`, `Stopping`, `Stopped`, `Completed`, `Failed`... */
  status: string;
  /**
   * The roles the job's containers run with: the job's `RoleArn` (training, processing), each training job
   * definition's `RoleArn` (tuning). Transform jobs have no role of their own: see `modelName`.
   */
  roleArns: string[];
  /** Transform jobs run with the execution role of this model. */
  modelName?: string;
  /** Where a training job's model artifacts (and a tuning job's trained models) are written. */
  outputPath?: string;
  /** Where a training job saves checkpoints, if it does. */
  checkpointPath?: string;
  /** The job that started this one (a tuning job, AutoML job, monitoring schedule...), if any. */
  startedBy?: string;
}

const PAGE_SIZE = 100;

/**
 * Every job of a kind that is in progress (List*Jobs with StatusEquals InProgress, every page). A NextToken seen
 * twice ends the listing with an error rather than a loop.
 */
export async function listJobsInProgress(kind: JobKind): Promise<JobSummary[]> {
  const jobs: JobSummary[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    const page = await listPage(kind, token);
    jobs.push(...page.jobs);
    token = page.nextToken || undefined;
    if (token && seen.has(token)) throw new Error(`SageMaker returned the same NextToken twice while listing ${kind} jobs`);
    if (token) seen.add(token);
  } while (token);
  return jobs;
}

async function listPage(kind: JobKind, NextToken: string | undefined): Promise<{ jobs: JobSummary[]; nextToken?: string }> {
  const input = { StatusEquals: 'InProgress' as const, MaxResults: PAGE_SIZE, ...(NextToken ? { NextToken } : {}) };
  const sm = sagemakerClient();
  switch (kind) {
    case 'training': {
      const out = await sm.send(new ListTrainingJobsCommand(input));
      return page(
        out.NextToken,
        (out.TrainingJobSummaries ?? []).map((j) => summary(kind, j.TrainingJobName, j.TrainingJobArn)),
      );
    }
    case 'processing': {
      const out = await sm.send(new ListProcessingJobsCommand(input));
      return page(
        out.NextToken,
        (out.ProcessingJobSummaries ?? []).map((j) => summary(kind, j.ProcessingJobName, j.ProcessingJobArn)),
      );
    }
    case 'transform': {
      const out = await sm.send(new ListTransformJobsCommand(input));
      return page(
        out.NextToken,
        (out.TransformJobSummaries ?? []).map((j) => summary(kind, j.TransformJobName, j.TransformJobArn)),
      );
    }
    case 'tuning': {
      const out = await sm.send(new ListHyperParameterTuningJobsCommand(input));
      return page(
        out.NextToken,
        (out.HyperParameterTuningJobSummaries ?? []).map((j) => summary(kind, j.HyperParameterTuningJobName, j.HyperParameterTuningJobArn)),
      );
    }
  }
}

const page = (nextToken: string | undefined, jobs: (JobSummary | undefined)[]) => ({
  jobs: jobs.filter((j): j is JobSummary => j !== undefined),
  ...(nextToken ? { nextToken } : {}),
});

const summary = (kind: JobKind, name: string | undefined, arn: string | undefined): JobSummary | undefined =>
  name && arn ? { kind, name, arn } : undefined;

/**
 * True when SageMaker said the job does not exist. The API reference documents ResourceNotFound, but DescribeTrainingJob
 * (among others) answers a missing job with a ValidationException "Requested resource not found"
 * (https://github.com/aws/aws-sdk/issues/165): that is an absence too, not a failure to read.
 */
function isNotFound(error: unknown): boolean {
  const code = errorName(error);
  if (code === 'ResourceNotFound') return true;
  return code === 'ValidationException' && /\bnot found\b|could not find|can(?:no|')t find/i.test(errorMessage(error));
}

/** The job as SageMaker describes it now, or undefined when it does not exist (see `isNotFound`). */
export async function describeJob(kind: JobKind, name: string): Promise<JobDescription | undefined> {
  const sm = sagemakerClient();
  try {
    switch (kind) {
      case 'training': {
        const j = await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
        return {
          kind,
          name,
          arn: j.TrainingJobArn ?? '',
          status: j.TrainingJobStatus ?? 'unknown',
          roleArns: j.RoleArn ? [j.RoleArn] : [],
          ...optional('outputPath', j.OutputDataConfig?.S3OutputPath),
          ...optional('checkpointPath', j.CheckpointConfig?.S3Uri),
          ...optional('startedBy', j.TuningJobArn ?? j.AutoMLJobArn ?? j.LabelingJobArn),
        };
      }
      case 'processing': {
        const j = await sm.send(new DescribeProcessingJobCommand({ ProcessingJobName: name }));
        return {
          kind,
          name,
          arn: j.ProcessingJobArn ?? '',
          status: j.ProcessingJobStatus ?? 'unknown',
          roleArns: j.RoleArn ? [j.RoleArn] : [],
          ...optional('startedBy', j.MonitoringScheduleArn ?? j.AutoMLJobArn ?? j.TrainingJobArn),
        };
      }
      case 'transform': {
        const j = await sm.send(new DescribeTransformJobCommand({ TransformJobName: name }));
        return {
          kind,
          name,
          arn: j.TransformJobArn ?? '',
          status: j.TransformJobStatus ?? 'unknown',
          roleArns: [],
          ...optional('modelName', j.ModelName),
          ...optional('startedBy', j.AutoMLJobArn ?? j.LabelingJobArn),
        };
      }
      case 'tuning': {
        const j = await sm.send(new DescribeHyperParameterTuningJobCommand({ HyperParameterTuningJobName: name }));
        const definitions = [...(j.TrainingJobDefinition ? [j.TrainingJobDefinition] : []), ...(j.TrainingJobDefinitions ?? [])];
        return {
          kind,
          name,
          arn: j.HyperParameterTuningJobArn ?? '',
          status: j.HyperParameterTuningJobStatus ?? 'unknown',
          roleArns: [...new Set(definitions.map((d) => d.RoleArn).filter((r): r is string => !!r))],
          ...optional('outputPath', definitions[0]?.OutputDataConfig?.S3OutputPath),
        };
      }
    }
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

const optional = <K extends string>(key: K, value: string | undefined) => (value ? ({ [key]: value } as Record<K, string>) : {});

/**
 * The execution role of a model (the role a transform job runs with). SageMaker answers a missing model with a
 * ValidationException ("Could not find model"), which is reported as an error: the role is then unknown.
 */
export async function describeModelRole(modelName: string): Promise<string | undefined> {
  const out = await sagemakerClient().send(new DescribeModelCommand({ ModelName: modelName }));
  return out.ExecutionRoleArn;
}

/** Every tag of a SageMaker resource (ListTags, every page). */
export async function listTags(resourceArn: string): Promise<Tag[]> {
  const tags: Tag[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    const out = await sagemakerClient().send(
      new ListTagsCommand({ ResourceArn: resourceArn, MaxResults: 50, ...(token ? { NextToken: token } : {}) }),
    );
    tags.push(...(out.Tags ?? []));
    token = out.NextToken || undefined;
    if (token && seen.has(token)) throw new Error(`SageMaker returned the same NextToken twice while listing the tags of ${resourceArn}`);
    if (token) seen.add(token);
  } while (token);
  return tags;
}

/** What a stop request found: the job is now stopping, had already finished, or does not exist. */
export type StopOutcome = { stopped: true } | { stopped: false; status: string } | { stopped: false; notFound: true };

/**
 * Asks SageMaker to stop a job. SageMaker refuses to stop a job that is no longer in progress with a
 * ValidationException: the job is then described again, and a job that has finished (or is already stopping) is an
 * outcome, not a failure. Any other error, and a ValidationException for a job still in progress, is raised.
 */
export async function stopJob(kind: JobKind, name: string): Promise<StopOutcome> {
  const sm = sagemakerClient();
  try {
    switch (kind) {
      case 'training':
        await sm.send(new StopTrainingJobCommand({ TrainingJobName: name }));
        break;
      case 'processing':
        await sm.send(new StopProcessingJobCommand({ ProcessingJobName: name }));
        break;
      case 'transform':
        await sm.send(new StopTransformJobCommand({ TransformJobName: name }));
        break;
      case 'tuning':
        await sm.send(new StopHyperParameterTuningJobCommand({ HyperParameterTuningJobName: name }));
        break;
    }
    return { stopped: true };
  } catch (error) {
    const code = errorName(error);
    if (code === 'ResourceNotFound') return { stopped: false, notFound: true };
    // A finished job, or (as SageMaker also answers) a missing one: describing it again tells which.
    if (code !== 'ValidationException') throw error;
    const now = await describeJob(kind, name);
    if (!now) return { stopped: false, notFound: true };
    if (now.status !== 'InProgress') return { stopped: false, status: now.status };
    throw error;
  }
}

/** Adds (or overwrites) tags on a SageMaker resource. */
export async function addTags(resourceArn: string, tags: Tag[]): Promise<void> {
  await sagemakerClient().send(new AddTagsCommand({ ResourceArn: resourceArn, Tags: tags }));
}
