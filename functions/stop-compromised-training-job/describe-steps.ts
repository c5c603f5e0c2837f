import type { JobKind } from '../core/aws/sagemaker.js';
import type { StepText } from '../core/remediation/steps.js';
import type { ObservedJob } from './observe.js';
import { JOB_KIND_OF, JOB_LABEL, type StopJobStepData, type StopUnlistedJobsData } from './steps.js';

/**
 * The one place where what a stop step says, and how to undo it, is written. Besides the step's data, the text says
 * what was read of the job: where its model artifacts and checkpoints are, whether its tags could be read.
 */

/** The step with its text; `job` as read, undefined when it could not be described. */
export function described<T extends StopJobStepData>(step: T, job: ObservedJob | undefined): T & StepText {
  return { ...step, ...describeStop(step, job) };
}

/** The step for the jobs of a kind that could not be listed, with its text: they run with the role `roleName`. */
export function describedUnlisted(step: StopUnlistedJobsData, roleName: string): StopUnlistedJobsData & StepText {
  return {
    ...step,
    summary: `Stop every ${JOB_LABEL[step.jobKind]} in progress that runs with role ${roleName} (they could not be listed)`,
  };
}

/** What a person reads of a stop step: the job, the tag, what was read of it, and how to get an equivalent job back. */
export function describeStop(step: StopJobStepData, job: ObservedJob | undefined): StepText {
  const kind = JOB_KIND_OF[step.kind];
  const label = JOB_LABEL[kind];
  const tag = step.tag;
  const undo = undoOf(kind, step.jobName, job?.checkpointPath);
  if (!job) {
    const tagging = tag ? `, and tag it ${tag.Key}=${tag.Value}` : '';
    return { summary: `Stop ${label} ${step.jobName} if it is still in progress${tagging} (its state could not be read)`, undo };
  }
  const details = [
    ...(kind === 'training' && job.outputPath ? [`model artifacts: ${job.outputPath}`] : []),
    ...(job.tags === undefined ? ['tags not read: the exemption tag could not be checked'] : []),
  ];
  return {
    summary: `Stop ${label} ${step.jobName}${tag ? ` and tag it ${tag.Key}=${tag.Value}` : ''}${details.length ? ` (${details.join('; ')})` : ''}`,
    undo,
  };
}

function undoOf(kind: JobKind, name: string, checkpointPath?: string): string {
  const again = 'a stopped job cannot be resumed';
  switch (kind) {
    case 'training':
      return `${again}: start a new training job with the same settings (SageMaker console: Training jobs > ${name} > Clone)${checkpointPath ? `, resuming from its checkpoints in ${checkpointPath}` : ''}`;
    case 'processing':
      return `${again}: start a new processing job with the same settings as ${name}`;
    case 'transform':
      return `${again}: start a new batch transform job with the same settings (SageMaker console: Batch transform jobs > ${name} > Clone)`;
    case 'tuning':
      return `${again}: start a new tuning job with a warm start from ${name} to keep what it learned`;
  }
}
