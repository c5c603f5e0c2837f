import * as v from 'valibot';
import { looseObject, nonEmpty } from '../schema.js';

/**
 * The EventBridge envelope that a Lambda target receives. `detail` is checked by the schema of its detail type.
 * Unknown top-level keys are kept (some recorded events carry extras such as `debug`).
 */
export const EventBridgeEnvelope = looseObject({
  version: v.string(),
  id: nonEmpty(),
  'detail-type': nonEmpty(),
  source: nonEmpty(),
  account: nonEmpty(),
  time: nonEmpty(),
  region: nonEmpty(),
  resources: v.array(v.string()),
  detail: looseObject({}),
});
export type EventBridgeEnvelope = v.InferOutput<typeof EventBridgeEnvelope>;
