import {
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { DescribeSecretCommand, type DescribeSecretCommandOutput, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { getRolePolicy, getUserPolicy, iamClient, listAccessKeys, secretsManagerClient } from '../../functions/core/aws/iam.js';
import type { JournaledStep, TargetRecord } from '../../functions/core/journal/journal.js';
import type {
  DeactivateAccessKey,
  RevokeRoleSessions,
  RevokeUserSessions,
  RotateKeyIntoSecret,
} from '../../functions/rotate-credentials/steps.js';
import { changed, type Inverse, type UndoPlan, unchangedNote, withoutData } from './types.js';

type Data<S> = S extends unknown ? Omit<S, 'summary' | 'undo' | 'critical'> : never;
type StepData = Data<DeactivateAccessKey | RotateKeyIntoSecret | RevokeUserSessions | RevokeRoleSessions>;

/** What is read now of what rotate-credentials changed; `undefined` a part that could not be read (its step is refused). */
export interface LiveCredentials {
  /** Access key status by `<user>/<key id>`; `null` a key that no longer exists. */
  keys: Record<string, 'Active' | 'Inactive' | null | undefined>;
  /** The secret's stages by secret ARN: which version holds AWSCURRENT and AWSPREVIOUS. */
  secrets: Record<string, { current?: string; previous?: string } | undefined>;
  /** The inline policy's document (decoded) by `user/<name>/<policy>` or `role/<name>/<policy>`; `null` none. */
  policies: Record<string, string | null | undefined>;
}

export type RotateUndoAction =
  | { kind: 'activateAccessKey'; userName: string; accessKeyId: string }
  | { kind: 'restoreSecretVersion'; secretArn: string; moveTo: string; removeFrom: string }
  | { kind: 'restoreInlinePolicy'; principal: 'user' | 'role'; name: string; policyName: string; document: string | null };

const keyOf = (userName: string, id: string) => `${userName}/${id}`;
const policyOf = (principal: 'user' | 'role', name: string, policyName: string) => `${principal}/${name}/${policyName}`;

/** What `LiveCredentials` must hold to plan the undo of a target's steps. */
export function needs(record: TargetRecord): {
  keys: [string, string][];
  secrets: string[];
  policies: ['user' | 'role', string, string][];
} {
  const out = { keys: [] as [string, string][], secrets: [] as string[], policies: [] as ['user' | 'role', string, string][] };
  for (const step of record.steps.filter(changed)) {
    const data = step.data as StepData | undefined;
    if (data?.kind === 'deactivateAccessKey' && data.accessKeyId) out.keys.push([data.userName, data.accessKeyId]);
    if (data?.kind === 'rotateKeyIntoSecret') out.secrets.push(data.secretArn);
    if (data?.kind === 'revokeUserSessions') out.policies.push(['user', data.userName, data.policyName]);
    if (data?.kind === 'revokeRoleSessions') out.policies.push(['role', data.roleName, data.policyName]);
  }
  return out;
}

/**
 * Pure: the inverse of each step rotate-credentials did to a principal, in the reverse order of the steps (the old key
 * is active again before its secret is put back to it). Each is planned only where the resource is still as the step
 * left it: the key Inactive, AWSCURRENT on the version ml-guard stored, the revocation policy the text ml-guard put.
 * The replacement key ml-guard created is left as it is (active, and kept by the secret as AWSPREVIOUS): the undo
 * names it for a person to delete once nothing uses it.
 */
export function planRotateUndo(record: TargetRecord, live: LiveCredentials): UndoPlan<RotateUndoAction> {
  const notes: string[] = [];
  const inverses: Inverse<RotateUndoAction>[] = [];
  for (const step of [...record.steps].reverse()) {
    if (!changed(step)) {
      notes.push(unchangedNote(step));
      continue;
    }
    inverses.push(step.data ? inverseOf(step, step.data as StepData, live) : withoutData(step));
  }
  return { target: record.target, inverses, notes };
}

function inverseOf(step: JournaledStep, data: StepData, live: LiveCredentials): Inverse<RotateUndoAction> {
  const of = { id: step.id, kind: step.kind, summary: step.summary };
  const refuse = (summary: string, refused: string) => ({ of, summary, refused });
  switch (data.kind) {
    case 'deactivateAccessKey': {
      const id = data.accessKeyId ?? '(not listed)';
      const summary = `Reactivate access key ${id} of ${data.userName} (the key a finding may name as compromised: reactivate it only if it is not)`;
      if (!data.accessKeyId) return refuse(summary, 'the journal does not name the key');
      const status = live.keys[keyOf(data.userName, data.accessKeyId)];
      if (status === undefined) return refuse(summary, "the user's access keys could not be read");
      if (status === null) return refuse(summary, 'changed since: the key was deleted');
      if (status !== 'Inactive') return refuse(summary, `changed since: the key is ${status} again (ml-guard left it Inactive)`);
      return { of, summary, action: { kind: 'activateAccessKey', userName: data.userName, accessKeyId: data.accessKeyId } };
    }
    case 'rotateKeyIntoSecret': {
      const created = step.progress?.createdAccessKeyId;
      const stored = step.progress?.secretVersionId;
      const summary = `Move AWSCURRENT of the secret ${data.secretName} back to the version that holds ${data.replaces} (AWSPREVIOUS)`;
      const guidance = created
        ? `the key ml-guard created, ${created}, is left active (the secret keeps it as AWSPREVIOUS): delete it once nothing uses it: aws iam delete-access-key --user-name ${data.userName} --access-key-id ${created}`
        : undefined;
      const stages = live.secrets[data.secretArn];
      if (!stored) return refuse(summary, 'the journal does not name the secret version ml-guard stored');
      if (!stages) return refuse(summary, "the secret's versions could not be read");
      if (stages.current !== stored)
        return refuse(
          summary,
          `changed since: AWSCURRENT is version ${stages.current ?? 'none'}, not ${stored}, which ml-guard stored (the secret was written again)`,
        );
      if (!stages.previous) return refuse(summary, 'the secret has no AWSPREVIOUS version to move back to');
      return {
        of,
        summary,
        action: { kind: 'restoreSecretVersion', secretArn: data.secretArn, moveTo: stages.previous, removeFrom: stored },
        ...(guidance ? { guidance } : {}),
      };
    }
    case 'revokeUserSessions':
    case 'revokeRoleSessions': {
      const [principal, name] =
        data.kind === 'revokeUserSessions' ? (['user', data.userName] as const) : (['role', data.roleName] as const);
      const previous = (data as { previous?: string | null }).previous;
      const summary =
        previous === null
          ? `Delete the inline policy ${data.policyName} of ${principal} ${name} (it had none)`
          : `Put back the previous inline policy ${data.policyName} of ${principal} ${name}, byte for byte`;
      if (previous === undefined) return refuse(summary, `the journal does not say whether ${name} had a ${data.policyName} policy before`);
      const now = live.policies[policyOf(principal, name, data.policyName)];
      if (now === undefined) return refuse(summary, 'the inline policy could not be read');
      if (now !== data.document)
        return refuse(
          summary,
          `changed since: ${now === null ? 'the policy ml-guard put was deleted' : 'the policy is not the text ml-guard put (sessions were revoked again, or it was edited)'}`,
        );
      return { of, summary, action: { kind: 'restoreInlinePolicy', principal, name, policyName: data.policyName, document: previous } };
    }
  }
}

/** Reads what the steps need, with the caller's credentials; a part that cannot be read stays undefined. */
export async function readCredentials(record: TargetRecord): Promise<LiveCredentials> {
  const want = needs(record);
  const live: LiveCredentials = { keys: {}, secrets: {}, policies: {} };
  for (const [user, id] of want.keys) {
    const keys = await listAccessKeys(user).catch(() => undefined);
    live.keys[keyOf(user, id)] = keys
      ? ((keys.find((k) => k.accessKeyId === id)?.status as 'Active' | 'Inactive' | undefined) ?? null)
      : undefined;
  }
  for (const arn of want.secrets) {
    let out: DescribeSecretCommandOutput | undefined;
    try {
      out = await secretsManagerClient().send(new DescribeSecretCommand({ SecretId: arn }));
    } catch {
      out = undefined;
    }
    const holder = (stage: string) => Object.entries(out?.VersionIdsToStages ?? {}).find(([, stages]) => stages.includes(stage))?.[0];
    const [current, previous] = [holder('AWSCURRENT'), holder('AWSPREVIOUS')];
    live.secrets[arn] = out ? { ...(current ? { current } : {}), ...(previous ? { previous } : {}) } : undefined;
  }
  for (const [principal, name, policyName] of want.policies) {
    const read = principal === 'user' ? getUserPolicy(name, policyName) : getRolePolicy(name, policyName);
    live.policies[policyOf(principal, name, policyName)] = await read.then(
      (doc) => doc ?? null,
      () => undefined,
    );
  }
  return live;
}

/** Runs one inverse with the caller's credentials. */
export async function runRotateUndo(action: RotateUndoAction): Promise<void> {
  switch (action.kind) {
    case 'activateAccessKey':
      await iamClient().send(new UpdateAccessKeyCommand({ UserName: action.userName, AccessKeyId: action.accessKeyId, Status: 'Active' }));
      return;
    case 'restoreSecretVersion':
      // Secrets Manager moves AWSPREVIOUS to the version AWSCURRENT is removed from.
      await secretsManagerClient().send(
        new UpdateSecretVersionStageCommand({
          SecretId: action.secretArn,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: action.moveTo,
          RemoveFromVersionId: action.removeFrom,
        }),
      );
      return;
    case 'restoreInlinePolicy': {
      const { principal, name, policyName, document } = action;
      const iam = iamClient();
      if (principal === 'user' && document === null)
        await iam.send(new DeleteUserPolicyCommand({ UserName: name, PolicyName: policyName }));
      else if (principal === 'user')
        await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: policyName, PolicyDocument: document ?? '' }));
      else if (document === null) await iam.send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: policyName }));
      else await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: policyName, PolicyDocument: document }));
      return;
    }
  }
}
