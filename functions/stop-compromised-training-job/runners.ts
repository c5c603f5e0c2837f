import type { JobKind } from '../core/aws/sagemaker.js';
import { describeError, StateNotReadError } from '../core/errors.js';
import { logger } from '../core/observability.js';
import type { Runner, Runners, RunOutcome } from '../core/remediation/types.js';
import type { SageMakerAdapter } from './observe.js';
import type { StopJobStep, StopStep } from './steps.js';

/**
 * Stops the job, then tags it. A job that had already finished (SageMaker refuses the stop with a
 * ValidationException, and describing it again shows it is no longer in progress) or no longer exists is
 * `already-done` and is not tagged. The tag only records who stopped the job: when it cannot be added the job is
 * still stopped, so the step is `done` and its detail says the tag is missing.
 * Besides the actions it names, the runner may call the job's Describe action (granted to the role in every mode).
 */
function stopRunner(kind: JobKind, stopAction: string): Runner<StopJobStep, SageMakerAdapter> {
  return {
    iamActions: [stopAction, 'sagemaker:AddTags'],
    identify: (step) => `${step.kind}:${step.jobName}`,
    async run(step, aws): Promise<RunOutcome> {
      const outcome = await aws.stopJob(kind, step.jobName);
      if (!outcome.stopped) {
        return {
          outcome: 'already-done',
          detail: 'notFound' in outcome ? 'the job no longer exists' : `the job is already ${outcome.status}`,
        };
      }
      if (!step.tag) return { outcome: 'done', detail: 'stopping; not tagged (no room for another tag)' };
      if (!step.jobArn) return { outcome: 'done', detail: 'stopping; not tagged (its ARN was not read)' };
      try {
        await aws.addTags(step.jobArn, [step.tag]);
        return { outcome: 'done', detail: 'stopping' };
      } catch (error) {
        logger.warn('job stopped but not tagged', { job: step.jobName, error: describeError(error) });
        return { outcome: 'done', detail: `stopping; the tag ${step.tag.Key} could not be added: ${describeError(error)}` };
      }
    },
  };
}

/** One runner per step kind, each with the IAM actions it calls. */
export const runners: Runners<StopStep, SageMakerAdapter> = {
  stopTrainingJob: stopRunner('training', 'sagemaker:StopTrainingJob'),
  stopProcessingJob: stopRunner('processing', 'sagemaker:StopProcessingJob'),
  stopTransformJob: stopRunner('transform', 'sagemaker:StopTransformJob'),
  stopHyperParameterTuningJob: stopRunner('tuning', 'sagemaker:StopHyperParameterTuningJob'),
  stopUnlistedJobs: {
    iamActions: [],
    run() {
      return Promise.reject(new StateNotReadError('the jobs could not be listed'));
    },
  },
};
