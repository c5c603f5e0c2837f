import * as v from 'valibot';
import { looseObject, nonEmpty, oneOf, record } from '../schema.js';

const AlarmStateValue = oneOf(['OK', 'ALARM', 'INSUFFICIENT_DATA']);

const AlarmState = looseObject({
  value: AlarmStateValue,
  reason: v.optional(v.string()),
  reasonData: v.optional(v.string()),
  timestamp: v.optional(v.string()),
});

const MetricStat = looseObject({
  metric: looseObject({
    namespace: v.optional(v.string()),
    name: v.optional(v.string()),
    dimensions: v.optional(record(v.string())),
  }),
  period: v.optional(v.number()),
  stat: v.optional(v.string()),
  unit: v.optional(v.string()),
});

export const AlarmMetric = looseObject({
  id: v.optional(v.string()),
  metricStat: v.optional(MetricStat),
  expression: v.optional(v.string()),
  label: v.optional(v.string()),
  returnData: v.optional(v.boolean()),
});

/** `detail` of a `CloudWatch Alarm State Change` event: metric, metric-math and composite alarms. */
export const AlarmStateChange = looseObject({
  alarmName: nonEmpty(),
  state: AlarmState,
  previousState: v.optional(AlarmState),
  configuration: v.optional(
    looseObject({
      description: v.nullish(v.string()),
      metrics: v.optional(v.array(AlarmMetric)),
      alarmRule: v.optional(v.string()),
    }),
  ),
});
export type AlarmStateChange = v.InferOutput<typeof AlarmStateChange>;
export type AlarmMetric = v.InferOutput<typeof AlarmMetric>;
