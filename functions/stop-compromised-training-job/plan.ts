import { JOB_KINDS, type Tag } from '../core/aws/sagemaker.js';
import { tagValue } from '../core/aws/tags.js';
import type { PlanContext } from '../core/remediation/remediate.js';
import type { Plan, Unverified } from '../core/remediation/types.js';
import { described, describedUnlisted } from './describe-steps.js';
import type { JobsState, ObservedJob } from './observe.js';
import { parseRoleArn, protectedEntryFor, roleRef } from './roles.js';
import { settingsOf } from './settings.js';
import { JOB_LABEL, STEP_KIND, type StopJobStep, type StopStep } from './steps.js';
import { describeTarget, type StopTarget } from './targets.js';

export const STOPPED_BY_TAG = 'ml-guard:stopped-by';
/** SageMaker allows at most 50 tags on a resource. */
const MAX_TAGS = 50;

export const MODEL_ARTIFACTS_NOTE =
  "a stopped training job keeps the model artifacts it saved: SageMaker sends the algorithm SIGTERM and waits 120 seconds so it can save them, then uploads them to the job's S3 output path";

/**
 * Pure: from the target and the jobs read, the jobs to stop (or why none). A job is skipped when it is no longer in
 * progress, carries the exemption tag, runs with a role of PROTECTED_PRINCIPALS (whatever the event: an alarm names
 * jobs, not roles), or is a training job of a tuning job that is itself stopped (stopping the tuning job stops its
 * training jobs) or left alone. A tuning job is left alone, too, when one of its training jobs in progress is exempt or
 * protected: stopping the tuning job would stop that training job with it. More jobs than MAX_JOBS_PER_EVENT: stop
 * none, list them all.
 */
export function planTarget(target: StopTarget, state: JobsState, context: PlanContext): Plan<StopStep> {
  const ref = describeTarget(target);
  const notes = [...target.notes];
  const withNotes = () => (notes.length ? { notes } : {});

  if (target.kind === 'role' && target.protectedBy) {
    return {
      target: ref,
      steps: [],
      hold: 'skipped',
      reason: `the role ${target.role.name} is a protected principal (PROTECTED_PRINCIPALS: ${target.protectedBy}): ml-guard does not stop its jobs`,
      ...withNotes(),
    };
  }

  const { stop, skipped, tuningStopped } = classifyJobs(state.jobs, rulesFor(target, context));
  const steps = planSteps(stop, target, state, notes);
  notes.push(...notesOn(state, target, stop, skipped));
  if (steps.some((s) => s.kind === 'stopTrainingJob' || (s.kind === 'stopUnlistedJobs' && s.jobKind === 'training')))
    notes.push(MODEL_ARTIFACTS_NOTE);

  const unverified = unverifiedOf(state);
  const withUnverified = () => (unverified ? { unverified } : {});
  const { maxJobsPerEvent } = settingsOf(context.config);
  const { count, withTuning } = blastRadius(steps, skipped, tuningStopped);
  if (count > maxJobsPerEvent) {
    return {
      target: ref,
      steps,
      hold: 'limit-exceeded',
      reason: `${count} jobs would be stopped${withTuning ? ` (${withTuning} of them with their tuning job)` : ''}, more than MAX_JOBS_PER_EVENT (${maxJobsPerEvent}): none was stopped, a person decides`,
      ...withNotes(),
      ...withUnverified(),
    };
  }
  if (steps.length === 0) {
    const exempted = skipped.filter((s) => s.byRule);
    if (exempted.length > 0) {
      const what = exempted.some((s) => s.why.includes('protected role')) ? 'exempt or protected' : 'exempt';
      return {
        target: ref,
        steps,
        hold: 'skipped',
        reason: `nothing stopped: ${exempted.length} job(s) ${what} (see notes)`,
        ...withNotes(),
        ...withUnverified(),
      };
    }
    return { target: ref, steps, reason: nothingToStop(target, state, skipped.length), ...withNotes(), ...withUnverified() };
  }
  return { target: ref, steps, ...withNotes(), ...withUnverified() };
}

/** A job left alone, and why; `byRule` when the exemption tag or a protected role decided it. */
interface Skipped {
  job: ObservedJob;
  why: string;
  byRule: boolean;
}

/** The rules that leave a job alone whatever happens: its exemption tag, and a protected role it runs with. */
interface JobRules {
  exemption(job: ObservedJob): Tag | undefined;
  /** Why the rules leave the job alone, if they do. */
  leftAloneBecause(job: ObservedJob): string | undefined;
}

function rulesFor(target: StopTarget, context: PlanContext): JobRules {
  const exemptKey = context.config.exemptTagKey;
  const exemption = (job: ObservedJob) => job.tags?.find((t) => t.Key === exemptKey);
  return {
    exemption,
    leftAloneBecause(job) {
      const tag = exemption(job);
      if (tag) return `carries the exemption tag ${exemptKey}=${tag.Value ?? ''}`;
      const role = protectedRoleOf(job, context.config.protectedPrincipals, target.partition);
      return role ? `runs with the protected role ${role.name} (PROTECTED_PRINCIPALS: ${role.entry})` : undefined;
    },
  };
}

const same = (a: string | undefined, b: string) => !!a && a.toLowerCase() === b.toLowerCase();
const inProgress = (j: ObservedJob) => j.status === 'InProgress';

/**
 * Which jobs to stop, and why each other is left alone. Tuning jobs first: their training jobs follow them. Stopping a
 * tuning job stops every training job it started, so one whose training job in progress is left alone by rule is
 * not stopped either, and a training job of a stopped tuning job stops with it.
 */
function classifyJobs(
  observed: readonly ObservedJob[],
  rules: JobRules,
): { stop: ObservedJob[]; skipped: Skipped[]; tuningStopped: ObservedJob[] } {
  const { exemption, leftAloneBecause } = rules;
  const jobs = [...observed].sort((a, b) => JOB_KINDS.indexOf(a.kind) - JOB_KINDS.indexOf(b.kind) || a.name.localeCompare(b.name));
  const tuning = jobs.filter((j) => j.kind === 'tuning');
  const keptChildOf = (t: ObservedJob) =>
    jobs.find((j) => j.kind === 'training' && inProgress(j) && same(j.startedBy, t.arn) && leftAloneBecause(j) !== undefined);
  const tuningLeftAlone = tuning.filter((j) => leftAloneBecause(j) !== undefined);
  const tuningStopped = tuning.filter((j) => inProgress(j) && !leftAloneBecause(j) && !keptChildOf(j));

  const stop: ObservedJob[] = [];
  const skipped: Skipped[] = [];
  for (const job of jobs) {
    const because = leftAloneBecause(job);
    const parentStopped = tuningStopped.find((t) => same(job.startedBy, t.arn));
    const parentLeftAlone = tuningLeftAlone.find((t) => same(job.startedBy, t.arn));
    const keptChild = job.kind === 'tuning' ? keptChildOf(job) : undefined;
    if (!inProgress(job)) skipped.push({ job, why: `already ${job.status}`, byRule: false });
    else if (because) skipped.push({ job, why: because, byRule: true });
    else if (parentLeftAlone) {
      const which = exemption(parentLeftAlone) ? 'carries the exemption tag' : 'runs with a protected role';
      skipped.push({ job, why: `started by ${JOB_LABEL.tuning} ${parentLeftAlone.name}, which ${which}`, byRule: true });
    } else if (keptChild) {
      skipped.push({
        job,
        why: `stopping it would also stop its ${JOB_LABEL.training} ${keptChild.name}, which ${leftAloneBecause(keptChild)}`,
        byRule: true,
      });
    } else if (parentStopped) skipped.push({ job, why: `stops with its ${JOB_LABEL.tuning} ${parentStopped.name}`, byRule: false });
    else stop.push(job);
  }
  return { stop, skipped, tuningStopped };
}

/** A step per job to stop, per training job named but not read, and per kind of job that could not be listed. */
function planSteps(stop: ObservedJob[], target: StopTarget, state: JobsState, notes: string[]): StopStep[] {
  const steps: StopStep[] = stop.map((job) => stepFor(job, target, notes));
  for (const name of state.unread) {
    steps.push(described({ kind: 'stopTrainingJob', jobName: name, tag: stoppedByTag(target) }, undefined));
  }
  if (target.kind === 'role') {
    for (const kind of state.unlisted) steps.push(describedUnlisted({ kind: 'stopUnlistedJobs', jobKind: kind }, target.role.name));
  }
  return steps;
}

/** What a person should know: what could not be read, what was skipped and why, who may start new jobs. */
function notesOn(state: JobsState, target: StopTarget, stop: ObservedJob[], skipped: Skipped[]): string[] {
  const notes = describeUnreadable(state.unreadable);
  for (const name of state.notFound)
    notes.push(`skipped training job ${name}: SageMaker has no training job of that name in ${target.region}`);
  for (const s of skipped) notes.push(`skipped ${JOB_LABEL[s.job.kind]} ${s.job.name}: ${s.why}`);
  // A starter this plan stops, or that is already finishing, starts no new job: no need to name it. (A job whose tuning
  // job this plan stops is not in `stop`: it stops with its tuning job.)
  const settled = (arn: string) => stop.some((j) => same(arn, j.arn)) || state.jobs.some((j) => same(arn, j.arn) && !inProgress(j));
  for (const job of stop) {
    if (job.startedBy && !settled(job.startedBy)) {
      notes.push(
        `${JOB_LABEL[job.kind]} ${job.name} was started by ${job.startedBy}: that may start new jobs with the same role; stop or fix it too`,
      );
    }
  }
  return notes;
}

/** How many jobs the plan stops: its steps (not the unlisted kinds) and the training jobs that stop with their tuning job. */
function blastRadius(steps: StopStep[], skipped: Skipped[], tuningStopped: ObservedJob[]): { count: number; withTuning: number } {
  const withTuning = skipped.filter(
    (s) => inProgress(s.job) && !s.byRule && tuningStopped.some((t) => same(s.job.startedBy, t.arn)),
  ).length;
  return { count: steps.filter((s) => s.kind !== 'stopUnlistedJobs').length + withTuning, withTuning };
}

/** What could not be read, which holds the plan back in enforce mode (see `Plan.unverified`). */
function unverifiedOf(state: JobsState): Unverified | undefined {
  if (state.unreadable.length === 0) return undefined;
  const parts = state.unreadable.map((u) => u.part);
  const what = parts.length <= 3 ? parts.join(', ') : `${parts.slice(0, 3).join(', ')} and ${parts.length - 3} more`;
  return {
    reason: `could not read ${what}: nothing was stopped, to be safe`,
    retryable: state.unreadable.some((u) => u.transient === true),
  };
}

function nothingToStop(target: StopTarget, state: JobsState, skipped: number): string {
  if (target.kind === 'role') {
    return skipped > 0
      ? `every job that runs with role ${target.role.name} is already finishing or finished`
      : `no SageMaker job in progress runs with role ${target.role.name} (${state.examined} job(s) in progress examined)`;
  }
  return `no training job named by the alarm is in progress`;
}

function stepFor(job: ObservedJob, target: StopTarget, notes: string[]): StopJobStep {
  const tags = job.tags;
  const roomForTag = !tags || tags.length < MAX_TAGS || tags.some((t) => t.Key === STOPPED_BY_TAG);
  if (!roomForTag)
    notes.push(`${JOB_LABEL[job.kind]} ${job.name} has ${tags?.length} tags, SageMaker's limit: it will not be tagged ${STOPPED_BY_TAG}`);
  const tag = roomForTag ? stoppedByTag(target) : undefined;
  const step = { kind: STEP_KIND[job.kind], jobName: job.name, ...(job.arn ? { jobArn: job.arn } : {}), ...(tag ? { tag } : {}) };
  return described(step, job);
}

/** The first role the job runs with that PROTECTED_PRINCIPALS names, with the entry naming it. */
function protectedRoleOf(
  job: ObservedJob,
  protectedPrincipals: readonly string[],
  partition: string,
): { name: string; entry: string } | undefined {
  if (protectedPrincipals.length === 0) return undefined;
  for (const arn of job.roleArns) {
    const parsed = parseRoleArn(arn);
    const entry = parsed ? protectedEntryFor(roleRef(parsed.name, parsed.account, partition), protectedPrincipals) : undefined;
    if (parsed && entry) return { name: parsed.name, entry };
  }
  return undefined;
}

/** `ml-guard:stopped-by=<trigger>`, as a value SageMaker accepts (see tagValue). */
export function stoppedByTag(target: StopTarget): Tag {
  return { Key: STOPPED_BY_TAG, Value: tagValue(target.trigger) };
}

/** One note per distinct error: `could not read the training jobs in progress, ...: AccessDeniedException: ...`. */
function describeUnreadable(unreadable: JobsState['unreadable']): string[] {
  const byError = new Map<string, string[]>();
  for (const { part, error } of unreadable) byError.set(error, [...(byError.get(error) ?? []), part]);
  return [...byError].map(([error, parts]) => `could not read ${parts.join(', ')}: ${error}`);
}
