import {
  AddTagsCommand,
  DeleteTagsCommand,
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
  ResourceNotFound,
  SageMakerClient,
  SageMakerServiceException,
  StopHyperParameterTuningJobCommand,
  StopProcessingJobCommand,
  StopTrainingJobCommand,
  StopTransformJobCommand,
  type Tag,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import type { JobKind } from '../../functions/core/aws/sagemaker.js';

export const ACCOUNT = '883606788610';
export const REGION = 'us-east-1';
export const ROLE = 'SageMakerTrainingRole';
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${ROLE}`;
export const OTHER_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/DataScienceNotebookRole`;

/** A SageMaker error as the SDK raises it for a code without a modeled class (ValidationException, ThrottlingException). */
export function sagemakerError(name: string, message: string, httpStatusCode = 400): SageMakerServiceException {
  return new SageMakerServiceException({
    name,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode },
    message,
  });
}

export interface FakeJob {
  kind: JobKind;
  name: string;
  /** InProgress unless said otherwise. */
  status?: string;
  roleArn?: string;
  /** Transform jobs: the model whose execution role they run with. */
  modelName?: string;
  tags?: Tag[];
  outputPath?: string;
  /** Training jobs started by a tuning job. */
  tuningJobArn?: string;
  /** Listed as in progress even though DescribeXJob says otherwise (the job finished between the two calls). */
  listedAs?: string;
}

const ARN_TYPE: Record<JobKind, string> = {
  training: 'training-job',
  processing: 'processing-job',
  transform: 'transform-job',
  tuning: 'hyper-parameter-tuning-job',
};

/** SageMaker ARNs carry the job name in lower case. */
export const jobArn = (kind: JobKind, name: string) => `arn:aws:sagemaker:${REGION}:${ACCOUNT}:${ARN_TYPE[kind]}/${name.toLowerCase()}`;

export const job = (kind: JobKind, name: string, more: Partial<FakeJob> = {}): FakeJob => ({ kind, name, roleArn: ROLE_ARN, ...more });

/**
 * SageMaker answered by aws-sdk-client-mock as SageMaker would for the jobs given: List*Jobs return the jobs in
 * progress a page at a time (`pageSize`), Describe*, DescribeModel and ListTags (`tagPageSize` tags a page) read
 * them, Stop*Job moves an in-progress job to Stopping and refuses any other with a ValidationException, and AddTags
 * adds tags. A job not listed does not exist (ResourceNotFound).
 */
export function fakeSageMaker(jobs: FakeJob[], options: { pageSize?: number; tagPageSize?: number; models?: Record<string, string> } = {}) {
  const mock = mockClient(SageMakerClient);
  const pageSize = options.pageSize ?? 100;
  const tagPageSize = options.tagPageSize ?? 50;
  const models = options.models ?? {};
  const find = (kind: JobKind, name: string | undefined) => {
    const found = jobs.find((j) => j.kind === kind && j.name === name);
    if (!found) throw new ResourceNotFound({ $metadata: { httpStatusCode: 400 }, message: `Requested resource not found: ${name}` });
    return found;
  };
  const status = (j: FakeJob) => j.status ?? 'InProgress';

  const list = (kind: JobKind, input: { StatusEquals?: string; NextToken?: string; MaxResults?: number }) => {
    if (input.StatusEquals !== 'InProgress') throw new Error(`test fake: expected StatusEquals InProgress, got ${input.StatusEquals}`);
    const inProgress = jobs.filter((j) => j.kind === kind && (j.listedAs ?? status(j)) === 'InProgress');
    const start = input.NextToken ? Number(input.NextToken.replace('page-', '')) : 0;
    const page = inProgress.slice(start, start + Math.min(pageSize, input.MaxResults ?? 10));
    const end = start + page.length;
    return { page, ...(end < inProgress.length ? { NextToken: `page-${end}` } : {}) };
  };
  mock.on(ListTrainingJobsCommand).callsFake((input) => {
    const { page, NextToken } = list('training', input);
    return {
      TrainingJobSummaries: page.map((j) => ({
        TrainingJobName: j.name,
        TrainingJobArn: jobArn('training', j.name),
        TrainingJobStatus: 'InProgress',
        CreationTime: new Date(),
      })),
      NextToken,
    };
  });
  mock.on(ListProcessingJobsCommand).callsFake((input) => {
    const { page, NextToken } = list('processing', input);
    return {
      ProcessingJobSummaries: page.map((j) => ({
        ProcessingJobName: j.name,
        ProcessingJobArn: jobArn('processing', j.name),
        ProcessingJobStatus: 'InProgress',
        CreationTime: new Date(),
      })),
      NextToken,
    };
  });
  mock.on(ListTransformJobsCommand).callsFake((input) => {
    const { page, NextToken } = list('transform', input);
    return {
      TransformJobSummaries: page.map((j) => ({
        TransformJobName: j.name,
        TransformJobArn: jobArn('transform', j.name),
        TransformJobStatus: 'InProgress',
        CreationTime: new Date(),
      })),
      NextToken,
    };
  });
  mock.on(ListHyperParameterTuningJobsCommand).callsFake((input) => {
    const { page, NextToken } = list('tuning', input);
    return {
      HyperParameterTuningJobSummaries: page.map((j) => ({
        HyperParameterTuningJobName: j.name,
        HyperParameterTuningJobArn: jobArn('tuning', j.name),
        HyperParameterTuningJobStatus: 'InProgress',
        Strategy: 'Bayesian',
        CreationTime: new Date(),
        TrainingJobStatusCounters: {},
        ObjectiveStatusCounters: {},
      })),
      NextToken,
    };
  });

  mock.on(DescribeTrainingJobCommand).callsFake(({ TrainingJobName }) => {
    const j = find('training', TrainingJobName);
    return {
      TrainingJobName: j.name,
      TrainingJobArn: jobArn('training', j.name),
      TrainingJobStatus: status(j),
      RoleArn: j.roleArn,
      ...(j.outputPath ? { OutputDataConfig: { S3OutputPath: j.outputPath } } : {}),
      ...(j.tuningJobArn ? { TuningJobArn: j.tuningJobArn } : {}),
    };
  });
  mock.on(DescribeProcessingJobCommand).callsFake(({ ProcessingJobName }) => {
    const j = find('processing', ProcessingJobName);
    return {
      ProcessingJobName: j.name,
      ProcessingJobArn: jobArn('processing', j.name),
      ProcessingJobStatus: status(j),
      RoleArn: j.roleArn,
    };
  });
  mock.on(DescribeTransformJobCommand).callsFake(({ TransformJobName }) => {
    const j = find('transform', TransformJobName);
    return {
      TransformJobName: j.name,
      TransformJobArn: jobArn('transform', j.name),
      TransformJobStatus: status(j),
      ModelName: j.modelName,
    };
  });
  mock.on(DescribeHyperParameterTuningJobCommand).callsFake(({ HyperParameterTuningJobName }) => {
    const j = find('tuning', HyperParameterTuningJobName);
    return {
      HyperParameterTuningJobName: j.name,
      HyperParameterTuningJobArn: jobArn('tuning', j.name),
      HyperParameterTuningJobStatus: status(j),
      TrainingJobDefinition: {
        RoleArn: j.roleArn,
        AlgorithmSpecification: { TrainingInputMode: 'File' },
        OutputDataConfig: { S3OutputPath: j.outputPath },
        StoppingCondition: {},
      },
    };
  });
  mock.on(DescribeModelCommand).callsFake(({ ModelName }) => {
    const role = ModelName ? models[ModelName] : undefined;
    if (!role) throw sagemakerError('ValidationException', `Could not find model "${ModelName}".`);
    return { ModelName, ModelArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:model/${ModelName?.toLowerCase()}`, ExecutionRoleArn: role };
  });
  mock.on(ListTagsCommand).callsFake(({ ResourceArn, NextToken }) => {
    const j = jobs.find((x) => jobArn(x.kind, x.name) === ResourceArn);
    if (!j) throw sagemakerError('ValidationException', `Resource ${ResourceArn} does not exist`);
    const tags = j.tags ?? [];
    const start = NextToken ? Number(NextToken) : 0;
    const end = start + tagPageSize;
    return { Tags: tags.slice(start, end), ...(end < tags.length ? { NextToken: String(end) } : {}) };
  });

  const stop = (kind: JobKind) => (input: Record<string, string | undefined>) => {
    const j = find(kind, Object.values(input)[0]);
    if (status(j) !== 'InProgress')
      throw sagemakerError('ValidationException', `The job ${j.name} is in status ${status(j)} and cannot be stopped.`);
    j.status = 'Stopping';
    return {};
  };
  mock.on(StopTrainingJobCommand).callsFake(stop('training'));
  mock.on(StopProcessingJobCommand).callsFake(stop('processing'));
  mock.on(StopTransformJobCommand).callsFake(stop('transform'));
  mock.on(StopHyperParameterTuningJobCommand).callsFake(stop('tuning'));
  mock.on(AddTagsCommand).callsFake(({ ResourceArn, Tags }) => {
    const j = jobs.find((x) => jobArn(x.kind, x.name) === ResourceArn);
    if (!j) throw sagemakerError('ValidationException', `Resource ${ResourceArn} does not exist`);
    j.tags = [...(j.tags ?? []).filter((t) => !Tags?.some((n: Tag) => n.Key === t.Key)), ...(Tags ?? [])];
    return { Tags };
  });
  mock.on(DeleteTagsCommand).callsFake(({ ResourceArn, TagKeys }) => {
    const j = jobs.find((x) => jobArn(x.kind, x.name) === ResourceArn);
    if (!j) throw sagemakerError('ValidationException', `Resource ${ResourceArn} does not exist`);
    j.tags = (j.tags ?? []).filter((t) => !TagKeys?.includes(t.Key as string));
    return {};
  });
  return { mock, jobs };
}

/** The SageMaker commands that change something; a dry-run must send none of them. */
export const SAGEMAKER_WRITE_COMMANDS = [
  StopTrainingJobCommand,
  StopProcessingJobCommand,
  StopTransformJobCommand,
  StopHyperParameterTuningJobCommand,
  AddTagsCommand,
  DeleteTagsCommand,
];

/** The write commands sent, as [command name, input], in the order they were sent. */
export function writesTo(mock: ReturnType<typeof fakeSageMaker>['mock']): [string, object][] {
  return mock
    .calls()
    .filter((call) => SAGEMAKER_WRITE_COMMANDS.some((command) => call.args[0] instanceof command))
    .map((call) => [call.args[0].constructor.name, call.args[0].input as object]);
}
