import * as sagemaker from '../core/aws/sagemaker.js';
import { loadConfig } from '../core/config.js';
import { createHandler } from '../core/handler.js';
import { type Remediation, remediate } from '../core/remediation/remediate.js';
import { type JobsState, observeTarget, type SageMakerAdapter } from './observe.js';
import { planTarget } from './plan.js';
import { runners } from './runners.js';
import { settingsOf } from './settings.js';
import type { StopStep } from './steps.js';
import { describeTarget, FUNCTION_NAME, type StopTarget, selectTargets } from './targets.js';

export const stopCompromisedTrainingJob: Remediation<StopTarget, JobsState, StopStep, SageMakerAdapter> = {
  selectTargets,
  observe: observeTarget,
  plan: planTarget,
  describeTarget,
  runners,
};

const config = loadConfig(process.env);
// This function's own settings (ALARM_NAME_PREFIX, MAX_JOBS_PER_EVENT), checked at cold start like the rest and kept
// for the config's life (settingsOf reads them once).
settingsOf(config);

export const handler = createHandler(FUNCTION_NAME, (event, invocation) =>
  remediate(event, stopCompromisedTrainingJob, { functionName: FUNCTION_NAME, config, aws: sagemaker, ...invocation }),
);
