import * as v from 'valibot';
import type { AlarmMetric, AlarmStateChange } from '../events/cloudwatch-alarm.js';
import { looseObject, safeParse } from '../schema.js';
import { shellQuote } from '../text.js';

/**
 * Pure: what a CloudWatch alarm state change says, in words. The event carries the alarm's metrics
 * (`configuration.metrics[]`), or its rule for a composite alarm, and the evaluation in `state.reason` (text) and
 * `state.reasonData` (JSON text: period, threshold, recent datapoints, or the triggering alarms of a composite).
 */

/** Namespaces of SageMaker endpoint invocation metrics (dimensions EndpointName, VariantName). */
export const SAGEMAKER_ENDPOINT_NAMESPACE = 'AWS/SageMaker';

/**
 * Namespaces SageMaker Model Monitor publishes to for real-time endpoints (dimensions Endpoint, MonitoringSchedule).
 * The monitor containers publish `aws/sagemaker/Endpoints/<kind>-metrics`; the SageMaker guide also names
 * `/aws/sagemaker/Endpoints/data-metric` and `/aws/sagemaker/Endpoint/data-metrics`, so those are accepted too.
 */
export const MODEL_MONITOR_NAMESPACES = [
  'aws/sagemaker/Endpoints/data-metrics',
  'aws/sagemaker/Endpoints/model-metrics',
  'aws/sagemaker/Endpoints/bias-metrics',
  'aws/sagemaker/Endpoints/explainability-metrics',
  '/aws/sagemaker/Endpoints/data-metric',
  '/aws/sagemaker/Endpoint/data-metrics',
] as const;

/** Units of the SageMaker endpoint metrics whose unit is not obvious from the name. */
const MICROSECOND_METRICS = new Set(['ModelLatency', 'OverheadLatency', 'ModelSetupTime']);

const ReasonData = looseObject({
  period: v.optional(v.number()),
  statistic: v.optional(v.string()),
  threshold: v.optional(v.number()),
  startDate: v.optional(v.string()),
  queryDate: v.optional(v.string()),
  recentDatapoints: v.optional(v.array(v.number())),
  recentLowerThresholds: v.optional(v.array(v.number())),
  recentUpperThresholds: v.optional(v.array(v.number())),
  evaluatedDatapoints: v.optional(v.array(looseObject({ timestamp: v.optional(v.string()), value: v.optional(v.number()) }))),
  triggeringAlarms: v.optional(
    v.array(looseObject({ arn: v.optional(v.string()), state: v.optional(looseObject({ value: v.optional(v.string()) })) })),
  ),
});
type ReasonData = v.InferOutput<typeof ReasonData>;

/** reasonData is JSON inside a string; anything unreadable counts as absent. */
export function parseReasonData(text: string | undefined): ReasonData | undefined {
  if (!text) return undefined;
  try {
    const parsed = safeParse(ReasonData, JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export interface ServingTarget {
  endpoint?: string;
  variant?: string;
  /** An inference component or model named by a dimension; endpoint metrics usually name none. */
  model?: string;
  monitoringSchedule?: string;
}

/** The endpoint, variant, model and monitoring schedule the alarm's metrics name. */
export function servingTargetOf(alarm: AlarmStateChange): ServingTarget {
  const target: ServingTarget = {};
  for (const m of alarm.configuration?.metrics ?? []) {
    const metric = m.metricStat?.metric;
    const d = metric?.dimensions ?? {};
    if (metric?.namespace === SAGEMAKER_ENDPOINT_NAMESPACE) {
      target.endpoint ??= d.EndpointName;
      target.variant ??= d.VariantName;
      target.model ??= d.InferenceComponentName ?? d.ModelName ?? d.TargetModel;
    } else if (isModelMonitorNamespace(metric?.namespace)) {
      target.endpoint ??= d.Endpoint ?? d.EndpointName;
      target.monitoringSchedule ??= d.MonitoringSchedule ?? d.ScheduleName;
    }
  }
  return Object.fromEntries(Object.entries(target).filter(([, v]) => v)) as ServingTarget;
}

export function isModelMonitorNamespace(namespace: string | undefined): boolean {
  return (MODEL_MONITOR_NAMESPACES as readonly (string | undefined)[]).includes(namespace);
}

/** True when the alarm watches a SageMaker endpoint metric (with an EndpointName) or a Model Monitor metric. */
export function watchesSageMakerEndpoint(alarm: AlarmStateChange): boolean {
  return (alarm.configuration?.metrics ?? []).some((m) => {
    const metric = m.metricStat?.metric;
    if (metric?.namespace === SAGEMAKER_ENDPOINT_NAMESPACE) return typeof metric.dimensions?.EndpointName === 'string';
    return isModelMonitorNamespace(metric?.namespace);
  });
}

export interface AlarmDescription {
  facts: [string, string][];
  /** Commands and checks that fit this alarm; `region` is undefined when the event names no real region. */
  nextSteps(region: string | undefined): string[];
}

export function describeAlarm(a: AlarmStateChange, eventTime: string): AlarmDescription {
  const data = parseReasonData(a.state.reasonData);
  const target = servingTargetOf(a);
  const metrics = a.configuration?.metrics ?? [];
  const facts: [string, string][] = [
    ['alarm', a.alarmName],
    ['state', `${a.previousState?.value ?? 'unknown'} -> ${a.state.value}`],
    ['since', isoTime(a.state.timestamp) ?? eventTime],
  ];
  if (a.configuration?.description) facts.push(['description', a.configuration.description]);
  if (target.endpoint) facts.push(['endpoint', target.endpoint]);
  if (target.variant) facts.push(['variant', target.variant]);
  if (target.endpoint) {
    facts.push([
      'model',
      target.model ??
        `not named by the alarm: the model${target.variant ? ` behind variant ${target.variant}` : 's'} of endpoint ${target.endpoint}`,
    ]);
  }
  if (target.monitoringSchedule) facts.push(['monitoring schedule', target.monitoringSchedule]);

  const primary = primaryMetric(metrics);
  if (primary) facts.push(['metric', describeMetric(primary, data)]);
  const inputs = metrics.filter((m) => m !== primary && m.returnData !== true);
  const bands = metrics.filter((m) => m !== primary && m.returnData === true);
  const expected = bands.filter(isBand);
  const others = bands.filter((m) => !isBand(m));
  if (expected.length) facts.push(['expected band', expected.map((m) => describeMetric(m, data)).join('; ')]);
  if (others.length) facts.push(['also evaluated', others.map((m) => describeMetric(m, data)).join('; ')]);
  if (inputs.length) facts.push(['inputs', inputs.map((m) => describeMetric(m, data)).join('; ')]);

  const threshold = describeThreshold(a, data, primary);
  if (threshold) facts.push(['threshold', threshold]);
  const duration = describeDuration(a.state.reason, data?.period ?? primary?.metricStat?.period);
  if (duration) facts.push(['for how long', duration]);
  const points = describeDatapoints(data, unitOf(primary));
  if (points) facts.push(['recent datapoints', points]);

  if (a.configuration?.alarmRule) facts.push(['rule', a.configuration.alarmRule]);
  const triggering = (data?.triggeringAlarms ?? []).map((t) => `${alarmNameOfArn(t.arn)}${t.state?.value ? ` (${t.state.value})` : ''}`);
  if (triggering.length) facts.push(['triggered by', triggering.join(', ')]);
  const suppressedBy = (a.state as { actionsSuppressedBy?: unknown }).actionsSuppressedBy;
  if (typeof suppressedBy === 'string' && suppressedBy !== 'None') facts.push(['alarm actions', `suppressed by ${suppressedBy}`]);
  if (a.state.reason) facts.push(['reason', a.state.reason]);

  return {
    facts,
    nextSteps(region) {
      const at = region ? ` --region ${shellQuote(region)}` : '';
      const steps: string[] = [];
      if (target.monitoringSchedule) {
        steps.push(
          `See the latest monitoring run and its violations: aws sagemaker list-monitoring-executions --monitoring-schedule-name ${shellQuote(target.monitoringSchedule)} --sort-by ScheduledTime --sort-order Descending --max-results 1${at}`,
        );
      }
      if (target.endpoint) {
        steps.push(
          `See which models and variants serve the endpoint: aws sagemaker describe-endpoint --endpoint-name ${shellQuote(target.endpoint)}${at}`,
        );
      }
      if (a.state.value === 'OK') steps.push('Nothing to do if it stays OK; look at the graph if it keeps changing state');
      return steps;
    },
  };
}

/** The series the alarm compares with its threshold: the one metric (or expression) that returns data and is not a band. */
function primaryMetric(metrics: AlarmMetric[]): AlarmMetric | undefined {
  const returned = metrics.filter((m) => m.returnData !== false);
  return returned.find((m) => !isBand(m)) ?? returned[0] ?? metrics[0];
}

function isBand(m: AlarmMetric): boolean {
  return /^\s*ANOMALY_DETECTION_BAND\s*\(/i.test(m.expression ?? '');
}

function describeMetric(m: AlarmMetric, data: ReasonData | undefined): string {
  const stat = m.metricStat;
  if (stat?.metric) {
    const { namespace, name, dimensions } = stat.metric;
    const dims = Object.entries(dimensions ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    const how = [stat.stat ?? data?.statistic, stat.period ? `over ${stat.period} s` : undefined].filter(Boolean).join(' ');
    const unit = name && MICROSECOND_METRICS.has(name) && namespace === SAGEMAKER_ENDPOINT_NAMESPACE ? ', in microseconds' : '';
    return `${namespace ?? '?'} ${name ?? '?'}${dims ? ` [${dims}]` : ''}${how ? ` (${how}${unit})` : unit ? ` (${unit.slice(2)})` : ''}`;
  }
  if (m.expression) return `${m.label ? `${m.label} = ` : ''}${m.expression}${m.id ? ` (id ${m.id})` : ''}`;
  return m.label ?? m.id ?? '?';
}

function unitOf(m: AlarmMetric | undefined): 'microseconds' | undefined {
  const metric = m?.metricStat?.metric;
  return metric?.namespace === SAGEMAKER_ENDPOINT_NAMESPACE && metric.name && MICROSECOND_METRICS.has(metric.name)
    ? 'microseconds'
    : undefined;
}

const COMPARISONS = ['greater than or equal to', 'less than or equal to', 'greater than', 'less than'] as const;

/** `greater than 500000 (500 ms)`, or the band's bounds for an anomaly detection alarm. */
function describeThreshold(a: AlarmStateChange, data: ReasonData | undefined, primary: AlarmMetric | undefined): string | undefined {
  const reason = a.state.reason ?? '';
  const lower = data?.recentLowerThresholds;
  const upper = data?.recentUpperThresholds;
  if (lower?.length || upper?.length) {
    const bounds = [
      lower?.length ? `below ${num(lower[0] as number)}` : undefined,
      upper?.length ? `above ${num(upper[0] as number)}` : undefined,
    ];
    return `outside the expected band (${bounds.filter(Boolean).join(' or ')})`;
  }
  const threshold = data?.threshold ?? thresholdInReason(reason);
  if (threshold === undefined) return undefined;
  const comparison = COMPARISONS.find((c) => reason.includes(`${c} the threshold`));
  const unit = unitOf(primary);
  const readable = unit === 'microseconds' ? ` (${num(threshold / 1000)} ms)` : '';
  return `${comparison ?? 'compared with'} ${num(threshold)}${readable}`;
}

function thresholdInReason(reason: string): number | undefined {
  const m = /the threshold \(([-\d.eE+]+)\)/.exec(reason);
  return m ? Number(m[1]) : undefined;
}

/** From `3 out of the last 5 datapoints` (or `1 datapoint`) and the period: how long the condition held. */
function describeDuration(reason: string | undefined, period: number | undefined): string | undefined {
  if (!reason) return undefined;
  const mOfN = /(\d+) out of the last (\d+) datapoints/.exec(reason);
  const single = /\b(\d+) datapoints? \[/.exec(reason);
  const [breaching, evaluated] = mOfN ? [Number(mOfN[1]), Number(mOfN[2])] : single ? [Number(single[1]), Number(single[1])] : [];
  if (breaching === undefined || evaluated === undefined) return undefined;
  const what = `${breaching} of the last ${evaluated} period${evaluated === 1 ? '' : 's'}`;
  if (!period) return what;
  return `${what} of ${period} s (${humanSeconds(evaluated * period)} evaluated)`;
}

function describeDatapoints(data: ReasonData | undefined, unit: 'microseconds' | undefined): string | undefined {
  const suffix = unit === 'microseconds' ? ' microseconds' : '';
  const evaluated = (data?.evaluatedDatapoints ?? []).filter((p) => typeof p.value === 'number');
  if (evaluated.length) {
    return `${evaluated
      .slice(0, 10)
      .map((p) => `${num(p.value as number)}${p.timestamp ? ` at ${isoTime(p.timestamp) ?? p.timestamp}` : ''}`)
      .join(', ')}${suffix}`;
  }
  const recent = data?.recentDatapoints ?? [];
  if (!recent.length) return undefined;
  const window =
    data?.startDate && data.queryDate
      ? `, from ${isoTime(data.startDate) ?? data.startDate} to ${isoTime(data.queryDate) ?? data.queryDate}`
      : '';
  const shown = recent.slice(-10).map(num).join(', ');
  return `${recent.length > 10 ? `${recent.length - 10} earlier, then ` : ''}${shown}${suffix} (oldest first${window})`;
}

/** 6 significant digits at most: 99.50160229693434 -> 99.5016. */
function num(n: number): string {
  return String(Number(n.toPrecision(6)));
}

function humanSeconds(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400} day${seconds === 86400 ? '' : 's'}`;
  if (seconds % 3600 === 0) return `${seconds / 3600} hour${seconds === 3600 ? '' : 's'}`;
  if (seconds % 60 === 0) return `${seconds / 60} minute${seconds === 60 ? '' : 's'}`;
  return `${seconds} s`;
}

/** CloudWatch writes `2019-10-02T17:04:40.989+0000`; this gives `2019-10-02T17:04:40.989Z`, or undefined if unreadable. */
export function isoTime(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const date = new Date(text.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function alarmNameOfArn(arn: string | undefined): string {
  if (!arn) return '?';
  const i = arn.indexOf(':alarm:');
  return i >= 0 ? arn.slice(i + ':alarm:'.length) : arn;
}
