import * as z from 'zod/mini';

const nonEmpty = () => z.string().check(z.minLength(1));

export const ComplianceType = z.enum(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE', 'INSUFFICIENT_DATA']);

const EvaluationResult = z.looseObject({
  complianceType: ComplianceType,
  annotation: z.optional(z.nullable(z.string())),
  resultRecordedTime: z.optional(z.nullable(z.string())),
  configRuleInvokedTime: z.optional(z.nullable(z.string())),
});

/**
 * `detail` of a `Config Rules Compliance Change` event (the fields of Config's ComplianceChangeNotification).
 * Built on first use (z.lazy): a function that never receives this detail type does not build it at cold start.
 */
export const ConfigComplianceChange = z.lazy(() =>
  z.looseObject({
    messageType: z.literal('ComplianceChangeNotification'),
    awsAccountId: nonEmpty(),
    awsRegion: nonEmpty(),
    configRuleName: nonEmpty(),
    configRuleARN: z.optional(z.string()),
    resourceType: nonEmpty(),
    resourceId: nonEmpty(),
    newEvaluationResult: EvaluationResult,
    oldEvaluationResult: z.optional(z.nullable(EvaluationResult)),
    notificationCreationTime: z.optional(z.string()),
  }),
);
export type ConfigComplianceChange = z.infer<typeof ConfigComplianceChange>;
