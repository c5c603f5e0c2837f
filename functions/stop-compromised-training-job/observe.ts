import type * as sagemaker from '../core/aws/sagemaker.js';
import { JOB_KINDS, type JobDescription, type JobKind, type Tag } from '../core/aws/sagemaker.js';
import { unreadable } from '../core/errors.js';
import type { PlanContext } from '../core/remediation/remediate.js';
import type { Unreadable } from '../core/remediation/types.js';
import { isSameRole } from './roles.js';
import { JOB_LABEL } from './steps.js';
import type { AlarmTarget, RoleTarget, StopTarget } from './targets.js';

export type SageMakerAdapter = typeof sagemaker;

/** A job as read now: its description and, when they could be read, its tags (undefined means "not read"). */
export interface ObservedJob extends JobDescription {
  tags?: Tag[];
}

/** What was read for one target. */
export interface JobsState {
  /** Role: the jobs listed as in progress that run with the role. Alarm: the jobs the alarm names that exist. */
  jobs: ObservedJob[];
  /** Alarm: named jobs SageMaker does not know (ResourceNotFound). */
  notFound: string[];
  /** Alarm: named jobs that could not be described (see `unreadable`). */
  unread: string[];
  /** Role: the kinds of job that could not be listed (see `unreadable`). */
  unlisted: JobKind[];
  /** Role: how many jobs in progress were examined for their role. */
  examined: number;
  /** Each part that could not be read, with the error. */
  unreadable: Unreadable[];
}

/** IAM actions the reads need (compared with the role in template.yaml by a test). */
export const observeIamActions = [
  'sagemaker:ListTrainingJobs',
  'sagemaker:ListProcessingJobs',
  'sagemaker:ListTransformJobs',
  'sagemaker:ListHyperParameterTuningJobs',
  'sagemaker:DescribeTrainingJob',
  'sagemaker:DescribeProcessingJob',
  'sagemaker:DescribeTransformJob',
  'sagemaker:DescribeHyperParameterTuningJob',
  'sagemaker:DescribeModel',
  'sagemaker:ListTags',
] as const;

/** The List* actions: IAM authorizes them only on `Resource: "*"`. */
export const listIamActions = observeIamActions.filter((a) => a.startsWith('sagemaker:List') && a !== 'sagemaker:ListTags');

/** How many Describe or ListTags requests are in flight at once (throttling is retried by the SDK, adaptively). */
const CONCURRENCY = 8;

/** Reads the live jobs: the event names a role or jobs, only SageMaker says what runs now and with which role. */
export async function observeTarget(target: StopTarget, aws: SageMakerAdapter, _context: PlanContext): Promise<JobsState> {
  const state: JobsState = { jobs: [], notFound: [], unread: [], unlisted: [], examined: 0, unreadable: [] };
  if (target.kind === 'role') {
    // A protected role: nothing is read, nothing is changed.
    if (!target.protectedBy) await observeRole(target, aws, state);
  } else {
    await observeAlarm(target, aws, state);
  }
  await mapLimit(state.jobs, CONCURRENCY, async (job) => {
    try {
      job.tags = await aws.listTags(job.arn);
    } catch (error) {
      state.unreadable.push(unreadable(`the tags of ${JOB_LABEL[job.kind]} ${job.name}`, error));
    }
  });
  // Parallel reads fail in any order: report them in a stable one.
  state.unlisted.sort((a, b) => JOB_KINDS.indexOf(a) - JOB_KINDS.indexOf(b));
  const listParts = JOB_KINDS.map((k) => `the ${JOB_LABEL[k]}s in progress`);
  const rank = (part: string) => (listParts.includes(part) ? listParts.indexOf(part) : listParts.length);
  state.unreadable.sort((a, b) => rank(a.part) - rank(b.part) || a.part.localeCompare(b.part));
  return state;
}

async function observeRole(target: RoleTarget, aws: SageMakerAdapter, state: JobsState): Promise<void> {
  const listed = await Promise.all(
    JOB_KINDS.map(async (kind) => {
      try {
        return await aws.listJobsInProgress(kind);
      } catch (error) {
        state.unlisted.push(kind);
        state.unreadable.push(unreadable(`the ${JOB_LABEL[kind]}s in progress`, error));
        return [];
      }
    }),
  );
  const summaries = listed.flat();
  state.examined = summaries.length;
  const modelRoles = new Map<string, Promise<string | undefined>>();
  const described = await mapLimit(summaries, CONCURRENCY, async (s): Promise<JobDescription | undefined> => {
    try {
      const job = await aws.describeJob(s.kind, s.name);
      if (job?.kind === 'transform' && job.modelName) {
        const model = job.modelName;
        if (!modelRoles.has(model)) modelRoles.set(model, aws.describeModelRole(model));
        try {
          const role = await modelRoles.get(model);
          job.roleArns = role ? [role] : [];
        } catch (error) {
          state.unreadable.push(unreadable(`the model ${model} of transform job ${s.name} (its role)`, error));
          return undefined;
        }
      }
      return job;
    } catch (error) {
      state.unreadable.push(unreadable(`${JOB_LABEL[s.kind]} ${s.name}`, error));
      return undefined;
    }
  });
  state.jobs = described.filter((j): j is JobDescription => !!j && j.roleArns.some((arn) => isSameRole(arn, target.role)));
}

async function observeAlarm(target: AlarmTarget, aws: SageMakerAdapter, state: JobsState): Promise<void> {
  const described = await mapLimit(target.jobNames, CONCURRENCY, async (name) => {
    try {
      const job = await aws.describeJob('training', name);
      if (!job) state.notFound.push(name);
      return job;
    } catch (error) {
      state.unread.push(name);
      state.unreadable.push(unreadable(`training job ${name}`, error));
      return undefined;
    }
  });
  state.jobs = described.filter((j): j is JobDescription => !!j);
}

/** Maps with at most `limit` calls in flight, keeping the order of the input. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
