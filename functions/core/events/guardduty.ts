import * as v from 'valibot';
import { looseObject, nonEmpty } from '../schema.js';

const optionalString = () => v.nullish(v.string());

export const AccessKeyDetails = looseObject({
  accessKeyId: optionalString(),
  principalId: optionalString(),
  userType: optionalString(),
  userName: optionalString(),
});

export const S3BucketDetail = looseObject({
  name: nonEmpty(),
  arn: optionalString(),
  type: optionalString(),
});

const RemoteIpDetails = looseObject({
  ipAddressV4: optionalString(),
  ipAddressV6: optionalString(),
  country: v.nullish(looseObject({ countryName: optionalString() })),
});

const ApiCallAction = looseObject({
  api: optionalString(),
  serviceName: optionalString(),
  callerType: optionalString(),
  remoteIpDetails: v.nullish(RemoteIpDetails),
});

/** `detail` of a `GuardDuty Finding` event, in the camelCase shape EventBridge delivers. */
export const GuardDutyFinding = looseObject({
  schemaVersion: optionalString(),
  accountId: nonEmpty(),
  region: nonEmpty(),
  partition: optionalString(),
  id: nonEmpty(),
  arn: optionalString(),
  type: nonEmpty(),
  severity: v.pipe(v.number(), v.minValue(0), v.maxValue(10)),
  title: optionalString(),
  description: optionalString(),
  createdAt: optionalString(),
  updatedAt: optionalString(),
  resource: looseObject({
    resourceType: nonEmpty(),
    accessKeyDetails: v.nullish(AccessKeyDetails),
    s3BucketDetails: v.nullish(v.array(S3BucketDetail)),
  }),
  service: looseObject({
    serviceName: optionalString(),
    detectorId: optionalString(),
    action: v.nullish(
      looseObject({
        actionType: optionalString(),
        awsApiCallAction: v.nullish(ApiCallAction),
      }),
    ),
    additionalInfo: v.nullish(looseObject({ sample: v.optional(v.unknown()) })),
    archived: v.optional(v.boolean()),
    count: v.optional(v.number()),
    eventFirstSeen: optionalString(),
    eventLastSeen: optionalString(),
  }),
});
export type GuardDutyFinding = v.InferOutput<typeof GuardDutyFinding>;

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
