import * as iam from '../core/aws/iam.js';
import { ConfigComplianceChange } from '../core/events/config-compliance.js';
import { GuardDutyFinding } from '../core/events/guardduty.js';
import { remediationHandler } from '../core/remediation/handler.js';
import type { Remediation } from '../core/remediation/remediate.js';
import { type CredentialState, type IamAdapter, observeTarget } from './observe.js';
import { planTarget } from './plan.js';
import { runners } from './runners.js';
import { settingsOf } from './settings.js';
import type { RotateStep } from './steps.js';
import { ACCESS_KEY_RULES, type CredentialTarget, describeTarget, FUNCTION_NAME, placeOf, readsNothing, selectTargets } from './targets.js';

export const rotateCredentials: Remediation<CredentialTarget, CredentialState, RotateStep, IamAdapter> = {
  details: { guardduty: GuardDutyFinding, config: ConfigComplianceChange },
  selectTargets,
  configRules: ACCESS_KEY_RULES,
  observe: observeTarget,
  plan: planTarget,
  describeTarget,
  placeOf,
  readsNothing,
  runners,
};

// A wrong ACCESS_KEY_SECRET_TAG_KEY, MAX_ACCESS_KEY_AGE_DAYS or PROTECTED_PRINCIPALS stops the function at cold start.
export const handler = remediationHandler(FUNCTION_NAME, rotateCredentials, iam, { settings: settingsOf });
