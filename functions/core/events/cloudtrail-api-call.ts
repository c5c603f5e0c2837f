import * as v from 'valibot';
import { looseObject, nonEmpty } from '../schema.js';

const text = () => v.nullish(v.string());

/** Who made the call (CloudTrail `userIdentity`): every field is optional, as CloudTrail omits what does not apply. */
const UserIdentity = looseObject({
  type: text(),
  principalId: text(),
  arn: text(),
  accountId: text(),
  accessKeyId: text(),
  userName: text(),
  invokedBy: text(),
  sessionContext: v.nullish(
    looseObject({
      sessionIssuer: v.nullish(looseObject({ type: text(), arn: text(), userName: text(), accountId: text() })),
    }),
  ),
});

/**
 * `detail` of an `AWS API Call via CloudTrail` event: a CloudTrail management event as EventBridge delivers it (the
 * CloudTrail record's fields).
 */
export const CloudTrailApiCall = looseObject({
  eventSource: nonEmpty(),
  eventName: nonEmpty(),
  eventTime: nonEmpty(),
  awsRegion: nonEmpty(),
  eventID: v.optional(v.string()),
  userIdentity: UserIdentity,
  sourceIPAddress: text(),
  userAgent: text(),
  requestParameters: v.nullish(looseObject({})),
  responseElements: v.nullish(looseObject({})),
  errorCode: text(),
  recipientAccountId: text(),
});
export type CloudTrailApiCall = v.InferOutput<typeof CloudTrailApiCall>;
