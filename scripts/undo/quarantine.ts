import { GetObjectCommand } from '@aws-sdk/client-s3';
import {
  ALL_PUBLIC_ACCESS_BLOCKED,
  type BucketRef,
  type Grant,
  getBucketAcl,
  getBucketPolicy,
  getBucketTags,
  getPublicAccessBlock,
  type Owner,
  ownS3Client,
  type PublicAccessBlockConfiguration,
  type Tag,
} from '../../functions/core/aws/s3.js';
import type { JournaledStep, TargetRecord } from '../../functions/core/journal/journal.js';
import type {
  BlockPublicAccess,
  RemovePublicAclGrants,
  RemovePublicPolicyStatements,
  SavePriorState,
  TagQuarantined,
} from '../../functions/quarantine-public-bucket/steps.js';
import { changed, difference, type Inverse, type UndoPlan, unchangedNote, withoutData } from './types.js';

/** The document quarantine-public-bucket saved before its first change (`savePriorState`), as read back. */
export interface PriorState {
  bucket: string;
  eventId?: string;
  tags: Tag[] | null;
  publicAccessBlock: PublicAccessBlockConfiguration | null;
  policy: string | null;
  acl: { owner?: Owner; grants: Grant[] } | null;
  unreadable?: unknown[];
}

/** What is read of the bucket now; `undefined` a part that could not be read. */
export interface LiveBucket {
  tags?: Tag[];
  publicAccessBlock?: PublicAccessBlockConfiguration | null;
  policy?: string | null;
  acl?: { owner?: Owner; grants: Grant[] };
}

export type QuarantineUndoAction =
  | { kind: 'restorePublicAccessBlock'; ref: BucketRef; configuration: PublicAccessBlockConfiguration | null }
  | { kind: 'restoreAcl'; ref: BucketRef; owner: Owner; grants: Grant[] }
  | { kind: 'restorePolicy'; ref: BucketRef; policy: string | null }
  | { kind: 'restoreTags'; ref: BucketRef; tags: Tag[] };

/** A step as journaled (`data`): the planner's step without its text. */
type Data<S> = S extends unknown ? Omit<S, 'summary' | 'undo' | 'critical'> : never;

/**
 * Pure: the inverse of each step quarantine-public-bucket did to a bucket, from the journal, the prior state it saved
 * and the bucket now. A step is undone only where the bucket is still as that step left it; otherwise it is refused
 * with what changed. Inverses keep the order of the steps: public access is unblocked first, since S3 refuses a public
 * ACL or policy while Block Public Access is on.
 */
export function planQuarantineUndo(
  record: TargetRecord,
  prior: PriorState | { unreadable: string } | undefined,
  live: LiveBucket,
): UndoPlan<QuarantineUndoAction> {
  const notes: string[] = [];
  const inverses: Inverse<QuarantineUndoAction>[] = [];
  const noPrior =
    prior === undefined
      ? 'no prior state was saved for this bucket'
      : 'unreadable' in prior && typeof prior.unreadable === 'string'
        ? `the saved prior state could not be read: ${prior.unreadable}`
        : undefined;
  const state = noPrior ? undefined : (prior as PriorState);
  const partsUnread = state?.unreadable?.length ? 'the saved prior state says some of the bucket could not be read then' : undefined;
  for (const step of record.steps) {
    if (step.kind === 'savePriorState') {
      if (changed(step)) notes.push(`${step.summary}: nothing to undo (it is what the undo restores from)`);
      continue;
    }
    if (!changed(step)) {
      notes.push(unchangedNote(step));
      continue;
    }
    if (!step.data) {
      inverses.push(withoutData(step));
      continue;
    }
    const why = noPrior ?? partsUnread;
    const inverse = why || !state ? undefined : inverseOf(step, state, live);
    inverses.push(inverse ?? { of: step, summary: `Undo "${step.summary}"`, refused: why ?? 'unknown step kind' });
  }
  return { target: record.target, inverses, notes };
}

function inverseOf(step: JournaledStep, prior: PriorState, live: LiveBucket): Inverse<QuarantineUndoAction> | undefined {
  const data = step.data as Data<BlockPublicAccess | RemovePublicAclGrants | RemovePublicPolicyStatements | TagQuarantined>;
  const ref = { bucket: data.bucket, expectedOwner: data.expectedOwner };
  const of = { id: step.id, kind: step.kind, summary: step.summary };
  const refuse = (summary: string, refused: string) => ({ of, summary, refused });
  switch (data.kind) {
    case 'blockPublicAccess': {
      const summary = prior.publicAccessBlock
        ? `Put back the Block Public Access settings ${shorthand(prior.publicAccessBlock)}`
        : 'Delete the Block Public Access settings (the bucket had none)';
      if (live.publicAccessBlock === undefined) return refuse(summary, 'the Block Public Access settings could not be read');
      if (!allBlocked(live.publicAccessBlock))
        return refuse(
          summary,
          `changed since: the Block Public Access settings are now ${live.publicAccessBlock ? shorthand(live.publicAccessBlock) : 'deleted'}, not the four ml-guard turned on`,
        );
      return { of, summary, action: { kind: 'restorePublicAccessBlock', ref, configuration: prior.publicAccessBlock } };
    }
    case 'removePublicAclGrants': {
      const left = data.acl;
      const summary = `Put back the ACL saved with the prior state (${prior.acl?.grants.length ?? 0} grant(s))`;
      if (!left || !prior.acl?.owner) return refuse(summary, 'the saved prior state has no ACL to put back');
      if (!live.acl) return refuse(summary, 'the ACL could not be read');
      const diff = difference(live.acl.grants, left.keep, grantLabel);
      if (diff || live.acl.owner?.ID !== left.owner.ID)
        return refuse(summary, `changed since: the ACL is not the one ml-guard left (${diff || `owner ${live.acl.owner?.ID ?? 'none'}`})`);
      return { of, summary, action: { kind: 'restoreAcl', ref, owner: prior.acl.owner, grants: prior.acl.grants } };
    }
    case 'removePublicPolicyStatements': {
      const summary =
        prior.policy === null
          ? 'Delete the bucket policy (the bucket had none)'
          : 'Put back the bucket policy saved with the prior state, byte for byte';
      const leftPolicy = data.deletePolicy ? null : (data.policy ?? undefined);
      if (live.policy === undefined) return refuse(summary, 'the bucket policy could not be read');
      if (live.policy !== leftPolicy) {
        const what =
          leftPolicy === null
            ? 'a bucket policy was put since ml-guard deleted it'
            : live.policy === null
              ? 'the bucket policy ml-guard put was deleted since'
              : 'the bucket policy is not the text ml-guard put (edited since)';
        return refuse(summary, `changed since: ${what}`);
      }
      return { of, summary, action: { kind: 'restorePolicy', ref, policy: prior.policy } };
    }
    case 'tagQuarantined': {
      const original = prior.tags ?? [];
      const summary = `Remove the quarantine tags and put back the ${original.length} original tag(s)`;
      if (!data.tags) return refuse(summary, 'the journal does not say which tags ml-guard put');
      if (live.tags === undefined) return refuse(summary, 'the tags could not be read');
      const diff = difference(live.tags, data.tags, tagLabel);
      if (diff) return refuse(summary, `changed since: the tags are not those ml-guard put (${diff})`);
      return { of, summary, action: { kind: 'restoreTags', ref, tags: original } };
    }
    default:
      return undefined;
  }
}

const SETTINGS = Object.keys(ALL_PUBLIC_ACCESS_BLOCKED) as (keyof PublicAccessBlockConfiguration)[];
const allBlocked = (pab: PublicAccessBlockConfiguration | null) => !!pab && SETTINGS.every((k) => pab[k] === true);
const shorthand = (pab: PublicAccessBlockConfiguration) => SETTINGS.map((k) => `${k}=${pab[k] === true}`).join(',');
const tagLabel = (t: Tag) => `${t.Key}=${t.Value ?? ''}`;
const grantLabel = (g: Grant) => `${g.Grantee?.URI ?? g.Grantee?.ID ?? g.Grantee?.EmailAddress ?? '?'} ${g.Permission ?? ''}`;

/** Where the prior state of a target was saved, from its journaled savePriorState step. */
export function priorStateLocation(record: TargetRecord): { bucket: string; key: string } | undefined {
  const save = record.steps.find((s) => s.kind === 'savePriorState' && changed(s));
  const data = save?.data as Data<Omit<SavePriorState, 'document'>> | undefined;
  return data ? { bucket: data.forensicsBucket, key: data.key } : undefined;
}

/** Reads the prior state with the caller's credentials (the person's, never ml-guard's role). */
export async function readPriorState(location: { bucket: string; key: string }): Promise<PriorState | { unreadable: string }> {
  try {
    const out = await ownS3Client().send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
    return JSON.parse((await out.Body?.transformToString()) ?? 'null') as PriorState;
  } catch (error) {
    return { unreadable: `s3://${location.bucket}/${location.key}: ${(error as Error).name}: ${(error as Error).message}` };
  }
}

/** Reads the bucket now; a part that cannot be read stays undefined (its steps are refused). */
export async function readBucket(ref: BucketRef): Promise<LiveBucket> {
  const part = <T>(read: () => Promise<T>) => read().catch(() => undefined);
  const [tags, publicAccessBlock, policy, acl] = await Promise.all([
    part(() => getBucketTags(ref)),
    part(async () => (await getPublicAccessBlock(ref)) ?? null),
    part(async () => (await getBucketPolicy(ref)) ?? null),
    part(() => getBucketAcl(ref)),
  ]);
  return {
    ...(tags ? { tags } : {}),
    ...(publicAccessBlock !== undefined ? { publicAccessBlock } : {}),
    ...(policy !== undefined ? { policy } : {}),
    ...(acl ? { acl } : {}),
  };
}
