import type { JobDescription } from '../../functions/core/aws/sagemaker.js';
import { loadConfig } from '../../functions/core/config.js';
import { parseEvent } from '../../functions/core/events/details.js';
import type { PlanContext } from '../../functions/core/remediation/remediate.js';
import type { JobsState, ObservedJob } from '../../functions/stop-compromised-training-job/observe.js';
import { type StopTarget, selectTargets } from '../../functions/stop-compromised-training-job/targets.js';
import { loadEvent } from '../support/events.js';
import { jobArn, ROLE_ARN } from './fake-sagemaker.js';

/** The plan tests' events, clock and builders of contexts, targets and observed jobs. */
export const FINDING = 'guardduty/stop-training-job-instancecredentialexfiltration-outsideaws.json';
export const ALARM = 'cloudwatch/stop-training-job-alarm-single-metric.json';
export const NOW = new Date('2026-11-26T03:00:00.000Z');

/** A plan's context for an event (a path under events/, or the event itself) and extra environment. */
export function contextFor(event: string | unknown, env: Record<string, string> = {}, dryRun = false): PlanContext {
  const config = loadConfig({
    TOPIC_ARN: 'arn:aws:sns:us-east-1:883606788610:ml-guard',
    REMEDIATION_MODE: dryRun ? 'dry-run' : 'enforce',
    ...env,
  });
  return { event: parseEvent(typeof event === 'string' ? loadEvent(event) : event), config, now: NOW };
}

/** The one target the context's event names. */
export function targetOf(context: PlanContext): StopTarget {
  const selection = selectTargets(context.event, context.config);
  if (selection.action !== 'remediate')
    throw new Error(`expected a target, got ${selection.action}: ${'reason' in selection ? selection.reason : ''}`);
  return selection.targets[0] as StopTarget;
}

/** A job as observe describes it: in progress, with the sample finding's role, no tags. */
export const described = (kind: JobDescription['kind'], name: string, more: Partial<ObservedJob> = {}): ObservedJob => ({
  kind,
  name,
  arn: jobArn(kind, name),
  status: 'InProgress',
  roleArns: [ROLE_ARN],
  tags: [],
  ...more,
});

/** What observe read: these jobs, all read. */
export const state = (jobs: ObservedJob[], more: Partial<JobsState> = {}): JobsState => ({
  jobs,
  notFound: [],
  unread: [],
  unlisted: [],
  examined: jobs.length,
  unreadable: [],
  ...more,
});
