import type { JobKind, Tag } from '../core/aws/sagemaker.js';
import type { StepText } from '../core/remediation/steps.js';

interface JobStep {
  jobName: string;
  /**
   * The job's ARN, to tag it. Absent: the job could not be described (not read); the plan then says so
   * (`Plan.unverified`), and a runner that gets such a step still stops the job, untagged.
   */
  jobArn?: string;
  /** The `ml-guard:stopped-by` tag to add once stopped; absent when the job has no room for another tag. */
  tag?: Tag;
  critical?: boolean;
}

export interface StopTrainingJobData extends JobStep {
  kind: 'stopTrainingJob';
}
export interface StopProcessingJobData extends JobStep {
  kind: 'stopProcessingJob';
}
export interface StopTransformJobData extends JobStep {
  kind: 'stopTransformJob';
}
export interface StopHyperParameterTuningJobData extends JobStep {
  kind: 'stopHyperParameterTuningJob';
}

/**
 * What would be done once the jobs of a kind can be listed. The step exists only because they could not be (not
 * read): the plan says so (`Plan.unverified`), so it is shown by a dry-run and never runs.
 */
export interface StopUnlistedJobsData {
  kind: 'stopUnlistedJobs';
  jobKind: JobKind;
  critical?: boolean;
}

/** A stop step as the planner decides it: data only. Its sentence and undo text come from describe-steps.ts. */
export type StopJobStepData = StopTrainingJobData | StopProcessingJobData | StopTransformJobData | StopHyperParameterTuningJobData;
export type StopStepData = StopJobStepData | StopUnlistedJobsData;

/** A step of a plan: its data and its text. */
export type StopStep = StopStepData & StepText;
export type StopJobStep = StopJobStepData & StepText;

export const STEP_KIND: Record<JobKind, StopJobStep['kind']> = {
  training: 'stopTrainingJob',
  processing: 'stopProcessingJob',
  transform: 'stopTransformJob',
  tuning: 'stopHyperParameterTuningJob',
};

/** The kind of job each stop step stops. */
export const JOB_KIND_OF: Record<StopJobStep['kind'], JobKind> = {
  stopTrainingJob: 'training',
  stopProcessingJob: 'processing',
  stopTransformJob: 'transform',
  stopHyperParameterTuningJob: 'tuning',
};

/** How a person calls each kind of job, in sentences. */
export const JOB_LABEL: Record<JobKind, string> = {
  training: 'training job',
  processing: 'processing job',
  transform: 'transform job',
  tuning: 'hyperparameter tuning job',
};
