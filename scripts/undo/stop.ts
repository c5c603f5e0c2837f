import { DeleteTagsCommand } from '@aws-sdk/client-sagemaker';
import { listTags, sagemakerClient, type Tag } from '../../functions/core/aws/sagemaker.js';
import type { TargetRecord } from '../../functions/core/journal/journal.js';
import type { StopJobStep } from '../../functions/stop-compromised-training-job/steps.js';
import { changed, type Inverse, type UndoPlan, unchangedNote, withoutData } from './types.js';

type Data = StopJobStep extends infer S ? (S extends unknown ? Omit<S, 'summary' | 'undo' | 'critical'> : never) : never;

/** The tags of each job ml-guard stopped, by job ARN; `undefined` when they could not be read, `null` a job that is gone. */
export type LiveJobTags = Record<string, Tag[] | null | undefined>;

export type StopUndoAction = { kind: 'removeJobTag'; jobArn: string; jobName: string; tagKey: string };

/**
 * Pure: for each job stop-compromised-training-job stopped, the removal of the `ml-guard:stopped-by` tag it added
 * (only while the tag still has the value ml-guard wrote), and what a person can do about the job itself: a stopped
 * job cannot be restarted, so the undo says how to start an equivalent one (the step's own undo text). Nothing else.
 */
export function planStopUndo(record: TargetRecord, live: LiveJobTags): UndoPlan<StopUndoAction> {
  const notes: string[] = [];
  const inverses: Inverse<StopUndoAction>[] = [];
  for (const step of record.steps) {
    if (!changed(step)) {
      notes.push(unchangedNote(step));
      continue;
    }
    if (!step.data) {
      inverses.push(withoutData(step));
      continue;
    }
    const data = step.data as Data;
    const of = { id: step.id, kind: step.kind, summary: step.summary };
    inverses.push({
      of,
      summary: `Start the job ${data.jobName} again: not possible, SageMaker cannot restart a stopped job`,
      guidance: step.undo ?? 'a stopped job cannot be resumed: start a new one with the same settings',
    });
    if (!data.tag || !data.jobArn) continue;
    const summary = `Remove the tag ${data.tag.Key} from ${data.jobName}`;
    const tags = live[data.jobArn];
    const now = tags?.find((t) => t.Key === data.tag?.Key);
    if (tags === undefined) inverses.push({ of, summary, refused: 'the tags of the job could not be read' });
    else if (tags === null) inverses.push({ of, summary, refused: 'the job no longer exists' });
    else if (!now)
      inverses.push({ of, summary, refused: `changed since: the job no longer carries ${data.tag.Key} (removed since, or never added)` });
    else if (now.Value !== data.tag.Value)
      inverses.push({
        of,
        summary,
        refused: `changed since: ${data.tag.Key} is now ${now.Value ?? ''}, not ${data.tag.Value ?? ''} as ml-guard wrote it`,
      });
    else
      inverses.push({
        of,
        summary,
        action: { kind: 'removeJobTag', jobArn: data.jobArn, jobName: data.jobName, tagKey: data.tag.Key ?? '' },
      });
  }
  return { target: record.target, inverses, notes };
}

/** Reads the tags of each job the target's steps tagged, with the caller's credentials. */
export async function readJobTags(record: TargetRecord): Promise<LiveJobTags> {
  const live: LiveJobTags = {};
  for (const step of record.steps.filter(changed)) {
    const arn = (step.data as Data | undefined)?.jobArn;
    if (!arn || arn in live) continue;
    try {
      live[arn] = await listTags(arn);
    } catch (error) {
      live[arn] = /does not exist|ResourceNotFound/.test(String((error as Error).message ?? '')) ? null : undefined;
    }
  }
  return live;
}

export async function runStopUndo(action: StopUndoAction): Promise<void> {
  await sagemakerClient().send(new DeleteTagsCommand({ ResourceArn: action.jobArn, TagKeys: [action.tagKey] }));
}
