import * as z from 'zod/mini';

const nonEmpty = () => z.string().check(z.minLength(1));
const text = () => z.optional(z.nullable(z.string()));

/** Who made the call (CloudTrail `userIdentity`): every field is optional, as CloudTrail omits what does not apply. */
const UserIdentity = z.looseObject({
  type: text(),
  principalId: text(),
  arn: text(),
  accountId: text(),
  accessKeyId: text(),
  userName: text(),
  invokedBy: text(),
  sessionContext: z.optional(
    z.nullable(
      z.looseObject({
        sessionIssuer: z.optional(z.nullable(z.looseObject({ type: text(), arn: text(), userName: text(), accountId: text() }))),
      }),
    ),
  ),
});

/**
 * `detail` of an `AWS API Call via CloudTrail` event: a CloudTrail management event as EventBridge delivers it (the
 * CloudTrail record's fields). Built on first use (z.lazy), like the other detail schemas.
 */
export const CloudTrailApiCall = z.lazy(() =>
  z.looseObject({
    eventSource: nonEmpty(),
    eventName: nonEmpty(),
    eventTime: nonEmpty(),
    awsRegion: nonEmpty(),
    eventID: z.optional(z.string()),
    userIdentity: UserIdentity,
    sourceIPAddress: text(),
    userAgent: text(),
    requestParameters: z.optional(z.nullable(z.looseObject({}))),
    responseElements: z.optional(z.nullable(z.looseObject({}))),
    errorCode: text(),
    recipientAccountId: text(),
  }),
);
export type CloudTrailApiCall = z.infer<typeof CloudTrailApiCall>;
