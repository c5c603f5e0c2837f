import type { JobKind, Tag } from '../core/aws/sagemaker.js';

interface JobStep {
  jobName: string;
  /** The job's ARN, to tag it; absent only in a dry-run plan made without reading the job. */
  jobArn?: string;
  /** The `ml-guard:stopped-by` tag to add once stopped; absent when the job has no room for another tag. */
  tag?: Tag;
  summary: string;
  undo?: string;
  critical?: boolean;
}

export interface StopTrainingJob extends JobStep {
  kind: 'stopTrainingJob';
}
export interface StopProcessingJob extends JobStep {
  kind: 'stopProcessingJob';
}
export interface StopTransformJob extends JobStep {
  kind: 'stopTransformJob';
}
export interface StopHyperParameterTuningJob extends JobStep {
  kind: 'stopHyperParameterTuningJob';
}

/**
 * Shown only in a dry-run whose jobs of a kind could not be listed: what would be done once they can be. Never
 * runs (in enforce mode a plan that could not list every job is blocked).
 */
export interface StopUnlistedJobs {
  kind: 'stopUnlistedJobs';
  jobKind: JobKind;
  summary: string;
  undo?: string;
  critical?: boolean;
}

export type StopStep = StopTrainingJob | StopProcessingJob | StopTransformJob | StopHyperParameterTuningJob | StopUnlistedJobs;
export type StopJobStep = Exclude<StopStep, StopUnlistedJobs>;

export const STEP_KIND: Record<JobKind, StopJobStep['kind']> = {
  training: 'stopTrainingJob',
  processing: 'stopProcessingJob',
  transform: 'stopTransformJob',
  tuning: 'stopHyperParameterTuningJob',
};

/** How a person calls each kind of job, in sentences. */
export const JOB_LABEL: Record<JobKind, string> = {
  training: 'training job',
  processing: 'processing job',
  transform: 'transform job',
  tuning: 'hyperparameter tuning job',
};
