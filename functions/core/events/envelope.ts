import * as z from 'zod/mini';

const nonEmpty = () => z.string().check(z.minLength(1));

/**
 * The EventBridge envelope that a Lambda target receives. `detail` is checked by the schema of its detail type.
 * Unknown top-level keys are kept (some recorded events carry extras such as `debug`).
 */
export const EventBridgeEnvelope = z.looseObject({
  version: z.string(),
  id: nonEmpty(),
  'detail-type': nonEmpty(),
  source: nonEmpty(),
  account: nonEmpty(),
  time: nonEmpty(),
  region: nonEmpty(),
  resources: z.array(z.string()),
  detail: z.looseObject({}),
});
export type EventBridgeEnvelope = z.infer<typeof EventBridgeEnvelope>;
