import * as z from 'zod/mini';

const nonEmpty = () => z.string().check(z.minLength(1));
const AlarmStateValue = z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']);

const AlarmState = z.looseObject({
  value: AlarmStateValue,
  reason: z.optional(z.string()),
  reasonData: z.optional(z.string()),
  timestamp: z.optional(z.string()),
});

const MetricStat = z.looseObject({
  metric: z.looseObject({
    namespace: z.optional(z.string()),
    name: z.optional(z.string()),
    dimensions: z.optional(z.record(z.string(), z.string())),
  }),
  period: z.optional(z.number()),
  stat: z.optional(z.string()),
  unit: z.optional(z.string()),
});

export const AlarmMetric = z.looseObject({
  id: z.optional(z.string()),
  metricStat: z.optional(MetricStat),
  expression: z.optional(z.string()),
  label: z.optional(z.string()),
  returnData: z.optional(z.boolean()),
});

/**
 * `detail` of a `CloudWatch Alarm State Change` event: metric, metric-math and composite alarms.
 * Built on first use (z.lazy): a function that never receives this detail type does not build it at cold start.
 */
export const AlarmStateChange = z.lazy(() =>
  z.looseObject({
    alarmName: nonEmpty(),
    state: AlarmState,
    previousState: z.optional(AlarmState),
    configuration: z.optional(
      z.looseObject({
        description: z.optional(z.nullable(z.string())),
        metrics: z.optional(z.array(AlarmMetric)),
        alarmRule: z.optional(z.string()),
      }),
    ),
  }),
);
export type AlarmStateChange = z.infer<typeof AlarmStateChange>;
export type AlarmMetric = z.infer<typeof AlarmMetric>;
