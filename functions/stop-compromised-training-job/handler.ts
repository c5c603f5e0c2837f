import * as sagemaker from '../core/aws/sagemaker.js';
import { AlarmStateChange } from '../core/events/cloudwatch-alarm.js';
import { GuardDutyFinding } from '../core/events/guardduty.js';
import { remediationHandler } from '../core/remediation/handler.js';
import type { Remediation } from '../core/remediation/remediate.js';
import { type JobsState, observeTarget, type SageMakerAdapter } from './observe.js';
import { planTarget } from './plan.js';
import { runners } from './runners.js';
import { settingsOf } from './settings.js';
import type { StopStep } from './steps.js';
import { describeTarget, FUNCTION_NAME, placeOf, type StopTarget, selectTargets } from './targets.js';

export const stopCompromisedTrainingJob: Remediation<StopTarget, JobsState, StopStep, SageMakerAdapter> = {
  details: { guardduty: GuardDutyFinding, alarm: AlarmStateChange },
  selectTargets,
  observe: observeTarget,
  plan: planTarget,
  describeTarget,
  placeOf,
  runners,
};

// A wrong ALARM_NAME_PREFIX or MAX_JOBS_PER_EVENT stops the function at cold start.
export const handler = remediationHandler(FUNCTION_NAME, stopCompromisedTrainingJob, sagemaker, { settings: settingsOf });
