import * as v from 'valibot';
import { looseObject, nonEmpty, oneOf } from '../schema.js';

export const ComplianceType = oneOf(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE', 'INSUFFICIENT_DATA']);

const EvaluationResult = looseObject({
  complianceType: ComplianceType,
  annotation: v.nullish(v.string()),
  resultRecordedTime: v.nullish(v.string()),
  configRuleInvokedTime: v.nullish(v.string()),
});

/** `detail` of a `Config Rules Compliance Change` event (the fields of Config's ComplianceChangeNotification). */
export const ConfigComplianceChange = looseObject({
  messageType: oneOf(['ComplianceChangeNotification']),
  awsAccountId: nonEmpty(),
  awsRegion: nonEmpty(),
  configRuleName: nonEmpty(),
  configRuleARN: v.optional(v.string()),
  resourceType: nonEmpty(),
  resourceId: nonEmpty(),
  newEvaluationResult: EvaluationResult,
  oldEvaluationResult: v.nullish(EvaluationResult),
  notificationCreationTime: v.optional(v.string()),
});
export type ConfigComplianceChange = v.InferOutput<typeof ConfigComplianceChange>;
