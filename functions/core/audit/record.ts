import { createHash } from 'node:crypto';
import { ALARM_NAMESPACE_KINDS, citationsOf, configKindOf, mappingForEvent, mappingForStep } from '../compliance/mapping.js';
import { calledResource } from '../events/audit-calls.js';
import type { CloudTrailApiCall } from '../events/cloudtrail-api-call.js';
import { type GuardDutyFinding, isSampleFinding, severityLabel } from '../events/guardduty.js';
import type { ParsedEvent } from '../events/parse.js';
import type { JournaledStep } from '../journal/journal.js';
import { describeEvent } from '../notify/describe-event.js';
import type { EventResult } from '../remediation/result.js';
import type { StepResult, TargetResult } from '../remediation/types.js';
import { atLeast } from '../severity.js';

/**
 * One audit record per event a function closes (ignored events excepted): a JSON object, written as one line of JSON
 * Lines under `audit/year=YYYY/month=MM/day=DD/` of the evidence bucket. Field names are the columns of the Glue table
 * `template.yaml` declares (snake_case, as Athena lowercases them); a test checks every field against those columns.
 * An absent value is left out (Athena reads it as NULL). Nothing here is new information: it is what the result, the
 * notification and the journal already hold (no secret reaches any of them), with the event's facts and the controls.
 */
export interface AuditRecord {
  record_version: 1;
  recorded_at: string;
  function: string;
  /** `dry-run` or `enforce`: dry-run events are recorded too. */
  mode: string;
  status: string;
  reason: string;
  event: AuditEvent;
  /** Who was behind the event, where it names someone (a GuardDuty finding about an access key or an API call). */
  actor?: AuditActor;
  targets: AuditTarget[];
  notification?: { subject: string; published: boolean; message_id?: string };
  journal?: { location: string; key: string; attempt: number };
  /** The controls the detection serves (docs/compliance.md); each step carries its own. */
  controls: AuditControl[];
  /** Seconds from the finding's first sight to the last change that contained it (a `remediated` event only). */
  time_to_contain_seconds?: number;
  /** The approval this close asked for: steps of these kinds wait for a person until `expires_at`. */
  approval_asked?: { id: string; kinds: string[]; expires_at: string };
  /** The answer this close acted on, and who gave it: each answer of an event has a record of its own. */
  approval_answer?: { id: string; state: string; at: string; by: string; verified: boolean; via: string; reason?: string };
}

export interface AuditEvent {
  id: string;
  /** `guardduty`, `config` or `cloudwatch`. */
  source: string;
  detail_type: string;
  /** The compliance mapping's kind: `guardduty:<type>`, `config:<managed rule>`, `alarm:<kind>`; absent when unmapped. */
  kind?: string;
  /** The GuardDuty finding type, the Config rule's name, or the alarm's name. */
  type: string;
  finding_id: string;
  account: string;
  region: string;
  /** The event's envelope time (EventBridge), which also decides the record's partition. */
  time: string;
  /** GuardDuty's number (0-10); absent for Config and alarms. */
  severity?: number;
  /** As the notification rates it: LOW, MEDIUM, HIGH, CRITICAL (INFO for a return to OK). */
  severity_label: string;
  first_seen?: string;
  last_seen?: string;
  /** A GuardDuty sample finding: its resources are placeholders. */
  sample?: boolean;
  /** The resource an event names (Config's resource, the alarm's name). */
  resource_type?: string;
  resource_id?: string;
}

export interface AuditActor {
  principal?: string;
  principal_id?: string;
  user_type?: string;
  access_key_id?: string;
  source_ip?: string;
  country?: string;
  user_agent?: string;
  api?: string;
  service?: string;
}

export interface AuditTarget {
  type: string;
  id: string;
  arn?: string;
  status: string;
  reason?: string;
  notes?: string[];
  /** Where the target's state before the change was saved (quarantine-public-bucket's prior state). */
  prior_state?: string;
  steps: AuditStep[];
}

export interface AuditStep {
  kind: string;
  summary: string;
  outcome: string;
  detail?: string;
  undo?: string;
  /** When the step finished (or started, if its end was not journaled); absent for a step not run or a dry-run. */
  at?: string;
  /** The attempt that ran it. */
  attempt?: number;
  retryable?: boolean;
  controls: AuditControl[];
}

export interface AuditControl {
  framework: string;
  id: string;
  title?: string;
}

/** What the flow knows when it closes an event. */
export interface AuditInput {
  event: ParsedEvent;
  /** The result as notified (its reason is the closing reason, not a replay's). */
  result: EventResult;
  /** What the journal holds of each target's steps (their times); absent for notify, and for targets not run. */
  journaled?: (target: TargetResult) => readonly JournaledStep[] | undefined;
  now: Date;
}

/** Pure: the audit record of a closed event. */
export function buildAuditRecord({ event, result, journaled, now }: AuditInput): AuditRecord {
  const kind = eventKindOf(event);
  const mapping = kind ? mappingForEvent(kind) : undefined;
  const attempt = result.journal?.attempt;
  const targets = result.targets.map((t) => auditTarget(t, journaled?.(t) ?? [], attempt));
  const notification = result.notification;
  const ttc = result.status === 'remediated' ? timeToContain(firstSeenOf(event), targets) : undefined;
  return {
    record_version: 1,
    recorded_at: now.toISOString(),
    function: result.function,
    mode: result.mode,
    status: result.status,
    reason: result.reason,
    event: auditEvent(event, result, kind),
    ...optional('actor', actorOf(event)),
    targets,
    ...(notification
      ? {
          notification: {
            subject: notification.subject,
            published: notification.published,
            ...optional('message_id', notification.messageId),
          },
        }
      : {}),
    ...(result.journal ? { journal: { location: result.journal.location, key: result.journal.key, attempt: result.journal.attempt } } : {}),
    controls: mapping ? citationsOf(mapping).map((c) => ({ framework: c.framework, id: c.id, title: c.title })) : [],
    ...optional('time_to_contain_seconds', ttc),
    ...approvalColumns(result),
  };
}

/** The approval asked and the answer acted on, by approval id (never the key, which answers it). */
function approvalColumns(result: EventResult): Pick<AuditRecord, 'approval_asked' | 'approval_answer'> {
  const { asked, answered } = result.approval ?? {};
  return {
    ...(asked ? { approval_asked: { id: asked.id, kinds: asked.kinds, expires_at: asked.expiresAt } } : {}),
    ...(answered
      ? {
          approval_answer: {
            id: answered.id,
            state: answered.state,
            at: answered.at,
            by: answered.by.identity,
            verified: answered.by.verified,
            via: answered.by.via,
            ...optional('reason', answered.reason),
          },
        }
      : {}),
  };
}

/** The compliance mapping's kind of an event; undefined when the mapping has none (a custom Config rule). */
export function eventKindOf(event: ParsedEvent): string | undefined {
  switch (event.kind) {
    case 'guardduty':
      return `guardduty:${event.finding.type}`;
    case 'config':
      return configKindOf(event.rule ?? event.compliance.configRuleName);
    case 'alarm':
      return `alarm:${alarmKindOf(event)}`;
    case 'cloudtrail':
      return `cloudtrail:${event.call.eventSource}:${event.call.eventName}`;
  }
}

/** Seconds from `firstSeen` to the last step done by any attempt; undefined when either is unknown. */
export function timeToContain(firstSeen: string | undefined, targets: readonly AuditTarget[]): number | undefined {
  const from = firstSeen ? Date.parse(firstSeen) : Number.NaN;
  const done = targets.flatMap((t) => t.steps.filter((s) => s.outcome === 'done' && s.at).map((s) => Date.parse(s.at as string)));
  if (Number.isNaN(from) || done.length === 0 || done.some(Number.isNaN)) return undefined;
  return Math.max(0, Math.round((Math.max(...done) - from) / 1000));
}

function auditEvent(event: ParsedEvent, result: EventResult, kind: string | undefined): AuditEvent {
  const e = event.envelope;
  const facts = describeEvent(event);
  const severity = atLeast(
    facts.severity,
    result.targets.map((t) => t.severity),
  );
  const common = {
    id: e.id,
    source: result.source ?? facts.source,
    detail_type: e['detail-type'],
    ...optional('kind', kind),
    finding_id: result.findingId ?? '',
    account: e.account,
    region: e.region,
    time: e.time,
    severity_label: severity,
  };
  switch (event.kind) {
    case 'guardduty': {
      const f = event.finding;
      return {
        ...common,
        type: f.type,
        severity: f.severity,
        severity_label: atLeast(severityLabel(f.severity), [severity]),
        ...optional('first_seen', f.service.eventFirstSeen ?? f.createdAt ?? undefined),
        ...optional('last_seen', f.service.eventLastSeen ?? f.updatedAt ?? undefined),
        sample: isSampleFinding(f),
        resource_type: f.resource.resourceType,
      };
    }
    case 'config': {
      const c = event.compliance;
      const recorded = c.newEvaluationResult.resultRecordedTime ?? c.notificationCreationTime ?? undefined;
      return {
        ...common,
        type: c.configRuleName,
        ...optional('first_seen', recorded),
        ...optional('last_seen', recorded),
        resource_type: c.resourceType,
        resource_id: c.resourceId,
      };
    }
    case 'alarm': {
      const since = event.alarm.state.timestamp ?? e.time;
      return {
        ...common,
        type: event.alarm.alarmName,
        first_seen: since,
        last_seen: since,
        resource_type: 'AWS::CloudWatch::Alarm',
        resource_id: event.alarm.alarmName,
      };
    }
    case 'cloudtrail': {
      const call = event.call;
      return {
        ...common,
        type: call.eventName,
        first_seen: call.eventTime,
        last_seen: call.eventTime,
        resource_type: call.eventSource,
        ...optional('resource_id', calledResource(call)),
      };
    }
  }
}

/** When the threat was first seen: GuardDuty's first sight, Config's evaluation, the alarm's state change. */
function firstSeenOf(event: ParsedEvent): string | undefined {
  switch (event.kind) {
    case 'guardduty':
      return event.finding.service.eventFirstSeen ?? event.finding.createdAt ?? event.envelope.time;
    case 'config':
      return event.compliance.newEvaluationResult.resultRecordedTime ?? event.compliance.notificationCreationTime ?? event.envelope.time;
    case 'alarm':
      return event.alarm.state.timestamp ?? event.envelope.time;
    case 'cloudtrail':
      return event.call.eventTime;
  }
}

function actorOf(event: ParsedEvent): AuditActor | undefined {
  if (event.kind === 'cloudtrail') return callerActor(event.call);
  if (event.kind !== 'guardduty') return undefined;
  const f: GuardDutyFinding = event.finding;
  const key = f.resource.accessKeyDetails;
  const call = f.service.action?.awsApiCallAction;
  const ip = call?.remoteIpDetails;
  const actor: AuditActor = {
    ...optional('principal', key?.userName ?? undefined),
    ...optional('principal_id', key?.principalId ?? undefined),
    ...optional('user_type', key?.userType ?? undefined),
    ...optional('access_key_id', key?.accessKeyId ?? undefined),
    ...optional('source_ip', ip?.ipAddressV4 ?? ip?.ipAddressV6 ?? undefined),
    ...optional('country', ip?.country?.countryName ?? undefined),
    ...optional('user_agent', userAgentOf(f)),
    ...optional('api', call?.api ?? undefined),
    ...optional('service', call?.serviceName ?? undefined),
  };
  return Object.keys(actor).length ? actor : undefined;
}

/** GuardDuty puts the caller's user agent in `awsApiCallAction.userAgent` or, in older findings, `additionalInfo.userAgent`. */
function userAgentOf(f: GuardDutyFinding): string | undefined {
  const candidates = [
    (f.service.action?.awsApiCallAction as { userAgent?: unknown } | null | undefined)?.userAgent,
    (f.service.additionalInfo as { userAgent?: unknown } | null | undefined)?.userAgent,
  ];
  for (const c of candidates) {
    if (typeof c === 'string' && c) return c;
    if (c && typeof c === 'object') {
      const full = (c as { fullUserAgent?: unknown; userAgent?: unknown }).fullUserAgent ?? (c as { userAgent?: unknown }).userAgent;
      if (typeof full === 'string' && full) return full;
    }
  }
  return undefined;
}

function auditTarget(t: TargetResult, journaled: readonly JournaledStep[], attempt: number | undefined): AuditTarget {
  const steps = t.steps.map((s) => auditStep(s, journaled, attempt));
  return {
    type: t.target.type,
    id: t.target.id,
    ...optional('arn', t.target.arn),
    status: t.status,
    ...optional('reason', t.reason),
    ...(t.notes?.length ? { notes: [...t.notes] } : {}),
    ...optional('prior_state', priorStateOf(t.steps)),
    steps,
  };
}

function auditStep(s: StepResult, journaled: readonly JournaledStep[], attempt: number | undefined): AuditStep {
  const ran = s.earlierAttempt ?? attempt;
  const entry =
    journaled.find((j) => j.kind === s.kind && j.summary === s.summary && j.attempt === ran) ??
    journaled.find((j) => j.kind === s.kind && j.summary === s.summary);
  const mapping = mappingForStep(s.kind);
  const ranAtAll = s.outcome !== 'not-run' && s.outcome !== 'would-do';
  return {
    kind: s.kind,
    summary: s.summary,
    outcome: s.outcome,
    ...optional('detail', s.detail),
    ...optional('undo', s.undo),
    ...(ranAtAll ? optional('at', entry?.finishedAt ?? entry?.startedAt) : {}),
    ...(ranAtAll ? optional('attempt', entry?.attempt ?? ran) : {}),
    ...(s.retryable ? { retryable: true } : {}),
    controls: mapping ? citationsOf(mapping).map((c) => ({ framework: c.framework, id: c.id })) : [],
  };
}

/**
 * The prior state's location, from the step that saved it: quarantine-public-bucket's `savePriorState` says
 * `Save the prior state to s3://<bucket>/<key>`. Only a save that happened (done, or already done) counts.
 */
function priorStateOf(steps: readonly StepResult[]): string | undefined {
  const saved = steps.find((s) => s.kind === 'savePriorState' && (s.outcome === 'done' || s.outcome === 'already-done'));
  return saved?.summary.match(/s3:\/\/\S+/)?.[0];
}

/**
 * The alarm kind the compliance mapping knows an alarm by: the kind of the first metric namespace it knows, a training
 * job named by a dimension, or else `named` (an alarm reported for its name: composite, Metrics Insights...).
 */
function alarmKindOf(event: Extract<ParsedEvent, { kind: 'alarm' }>): string {
  const metrics = event.alarm.configuration?.metrics ?? [];
  for (const m of metrics) {
    const namespace = m.metricStat?.metric.namespace;
    if (namespace && Object.hasOwn(ALARM_NAMESPACE_KINDS, namespace)) return ALARM_NAMESPACE_KINDS[namespace] as string;
    if (m.metricStat?.metric.dimensions?.TrainingJobName) return 'training-job';
  }
  return 'named';
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** Event ids longer than this are shortened in the key (with a hash of the whole id, so two ids never share a key). */
const KEY_ID_MAX = 200;

/**
 * The record's object key: the same for every attempt at the same event, so that a retry finds it written. Hive-style
 * partitions of the event's own time (its envelope `time`, not the close time, which differs between attempts), then
 * `<function>_<event id>.json` with the id percent-encoded (and, for the close that acts on an approval's answer,
 * `_<answer>-<approval id>` before `.json`) (one folder per day: Athena reads a partition's folder, not
 * the folders under it).
 */
export function auditKey(record: Pick<AuditRecord, 'function' | 'event' | 'approval_answer'>): string {
  const parsed = Date.parse(record.event.time);
  // EventBridge always gives a time; an event without a readable one still gets one key (in 1970), whenever it closes.
  const at = new Date(Number.isNaN(parsed) ? 0 : parsed);
  const two = (n: number) => String(n).padStart(2, '0');
  const partition = `audit/year=${at.getUTCFullYear()}/month=${two(at.getUTCMonth() + 1)}/day=${two(at.getUTCDate())}`;
  let id = encodeURIComponent(record.event.id);
  if (id.length > KEY_ID_MAX) id = `${id.slice(0, KEY_ID_MAX - 65)}~${createHash('sha256').update(record.event.id).digest('hex')}`;
  // An approval's answer closes the event again: its record is another object, `_<answer>-<approval id>`.
  const answer = record.approval_answer ? `_${record.approval_answer.state}-${record.approval_answer.id}` : '';
  return `${partition}/${record.function}_${id}${answer}.json`;
}

/** Who made a CloudTrail call: the identity (its ARN), its key, and where it called from. */
function callerActor(call: CloudTrailApiCall): AuditActor {
  const id = call.userIdentity;
  return {
    ...optional('principal', id.arn ?? id.userName ?? undefined),
    ...optional('principal_id', id.principalId ?? undefined),
    ...optional('user_type', id.type ?? undefined),
    ...optional('access_key_id', id.accessKeyId ?? undefined),
    ...optional('source_ip', call.sourceIPAddress ?? undefined),
    ...optional('user_agent', call.userAgent ?? undefined),
    api: call.eventName,
    service: call.eventSource,
  };
}
