import * as z from 'zod/mini';

const nonEmpty = () => z.string().check(z.minLength(1));
const optionalString = () => z.optional(z.nullable(z.string()));

export const AccessKeyDetails = z.looseObject({
  accessKeyId: optionalString(),
  principalId: optionalString(),
  userType: optionalString(),
  userName: optionalString(),
});

export const S3BucketDetail = z.looseObject({
  name: nonEmpty(),
  arn: optionalString(),
  type: optionalString(),
});

const RemoteIpDetails = z.looseObject({
  ipAddressV4: optionalString(),
  ipAddressV6: optionalString(),
  country: z.optional(z.nullable(z.looseObject({ countryName: optionalString() }))),
});

const ApiCallAction = z.looseObject({
  api: optionalString(),
  serviceName: optionalString(),
  callerType: optionalString(),
  remoteIpDetails: z.optional(z.nullable(RemoteIpDetails)),
});

/**
 * `detail` of a `GuardDuty Finding` event, in the camelCase shape EventBridge delivers.
 * Built on first use (z.lazy): a function that never receives this detail type does not build it at cold start.
 */
export const GuardDutyFinding = z.lazy(() =>
  z.looseObject({
    schemaVersion: optionalString(),
    accountId: nonEmpty(),
    region: nonEmpty(),
    partition: optionalString(),
    id: nonEmpty(),
    arn: optionalString(),
    type: nonEmpty(),
    severity: z.number().check(z.gte(0), z.lte(10)),
    title: optionalString(),
    description: optionalString(),
    createdAt: optionalString(),
    updatedAt: optionalString(),
    resource: z.looseObject({
      resourceType: nonEmpty(),
      accessKeyDetails: z.optional(z.nullable(AccessKeyDetails)),
      s3BucketDetails: z.optional(z.nullable(z.array(S3BucketDetail))),
    }),
    service: z.looseObject({
      serviceName: optionalString(),
      detectorId: optionalString(),
      action: z.optional(
        z.nullable(
          z.looseObject({
            actionType: optionalString(),
            awsApiCallAction: z.optional(z.nullable(ApiCallAction)),
          }),
        ),
      ),
      additionalInfo: z.optional(z.nullable(z.looseObject({ sample: z.optional(z.unknown()) }))),
      archived: z.optional(z.boolean()),
      count: z.optional(z.number()),
      eventFirstSeen: optionalString(),
      eventLastSeen: optionalString(),
    }),
  }),
);
export type GuardDutyFinding = z.infer<typeof GuardDutyFinding>;

/** GuardDuty's own severity bands (1.0-3.9 low, 4.0-6.9 medium, 7.0-8.9 high, 9.0-10 critical). */
export function severityLabel(severity: number): 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL' {
  if (severity >= 9) return 'CRITICAL';
  if (severity >= 7) return 'HIGH';
  if (severity >= 4) return 'MEDIUM';
  return 'LOW';
}

/**
 * Findings made by GuardDuty's "Generate sample findings" name placeholder resources and must change nothing. GuardDuty
 * marks them `service.additionalInfo.sample: true`; a real finding has no `sample` key. To fail safe, only a flag that
 * clearly says "not a sample" makes a real finding: no flag (no key, or no `additionalInfo` at all), `false` or the
 * text "false" in any case. Anything else (`"TRUE"`, `1`, `"yes"`, `null`...) is a sample.
 */
export function isSampleFinding(finding: GuardDutyFinding): boolean {
  const info = finding.service.additionalInfo;
  if (!info || !('sample' in info)) return false;
  const sample: unknown = info.sample;
  return !(sample === false || (typeof sample === 'string' && sample.toLowerCase() === 'false'));
}
