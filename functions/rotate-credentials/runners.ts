import { AccessKeyLimitError } from '../core/aws/iam.js';
import { describeError, MlGuardError } from '../core/errors.js';
import { readState } from '../core/remediation/steps.js';
import type { Runners } from '../core/remediation/types.js';
import { shellQuote } from '../core/text.js';
import type { IamAdapter } from './observe.js';
import type { RotateKeyIntoSecret, RotateStep } from './steps.js';

/**
 * A replacement key was created but could not be stored. Its secret access key existed only in this invocation and
 * is now gone: nobody can use the key. It is left as it is (ml-guard deletes no key) and named so a person deletes it.
 */
export class RotationIncompleteError extends MlGuardError {
  override readonly name = 'RotationIncompleteError';
  /** No retry can store a secret access key that is gone. */
  readonly retryable = false;
}

/** One runner per step kind, each with the IAM actions it calls. */
export const runners: Runners<RotateStep, IamAdapter> = {
  deactivateAccessKey: {
    iamActions: ['iam:UpdateAccessKey'],
    identify: (step) => `${step.kind}:${step.userName}:${step.accessKeyId ?? 'unlisted'}`,
    async run(step, iam) {
      await iam.deactivateAccessKey(step.userName, readState(step.accessKeyId, 'the access keys of the user were not listed'));
      return { outcome: 'done' };
    },
  },
  rotateKeyIntoSecret: {
    iamActions: ['iam:CreateAccessKey', 'secretsmanager:PutSecretValue'],
    async run(step, iam, recordProgress) {
      // The new secret access key lives in `key` only, for the time between these two calls.
      let key: Awaited<ReturnType<IamAdapter['createAccessKey']>>;
      try {
        key = await iam.createAccessKey(step.userName);
      } catch (error) {
        if (error instanceof AccessKeyLimitError) {
          throw new AccessKeyLimitError(
            `${error.message}: no replacement was made, and no other key was deactivated or deleted to make room; delete the key that is no longer used, then rotate ${step.replaces} by hand`,
            { cause: error },
          );
        }
        throw error;
      }
      // Journaled before anything else can fail: a crash from here on leaves a record that names the new key.
      await recordProgress({ createdAccessKeyId: key.accessKeyId });
      let version: string | undefined;
      try {
        version = await iam.storeAccessKeyInSecret(step.secretArn, key);
      } catch (error) {
        throw lostKey(step, key.accessKeyId, `could not store it in the secret ${step.secretName} (${describeError(error)})`, error);
      }
      // The version now AWSCURRENT, for an undo to check that the secret was not written again since.
      if (version) await recordProgress({ secretVersionId: version });
      return {
        outcome: 'done',
        detail: `new key ${key.accessKeyId} is the current value of ${step.secretName}${version ? ` (version ${version})` : ''}; ${step.replaces} is kept as AWSPREVIOUS`,
      };
    },
    /**
     * An earlier attempt started the rotation and ended before its outcome was journaled. If it journaled the key it
     * created and the secret holds that key, the rotation is done; if the secret does not hold it, the key's secret
     * access key died with that attempt: no second key is created (the user would hit IAM's two-key limit, and the
     * orphan would stay unnamed), the orphan is named for a person to delete.
     */
    async resume(step, started, iam) {
      const created = started.progress?.createdAccessKeyId;
      if (!created) return runners.rotateKeyIntoSecret.run(step, iam, async () => undefined);
      const content = await iam.readSecretContent(step.secretArn, [created]);
      if (content.format === 'access-key' && content.accessKeyId === created) {
        return {
          outcome: 'done',
          detail: `new key ${created} (created by attempt ${started.attempt}) is the current value of ${step.secretName}`,
        };
      }
      throw lostKey(step, created, `attempt ${started.attempt} ended before storing it in the secret ${step.secretName}`);
    },
  },
  revokeUserSessions: {
    iamActions: ['iam:PutUserPolicy'],
    async run(step, iam) {
      await iam.putUserPolicy(step.userName, step.policyName, step.document);
      return { outcome: 'done' };
    },
  },
  revokeRoleSessions: {
    iamActions: ['iam:PutRolePolicy'],
    async run(step, iam) {
      await iam.putRolePolicy(step.roleName, step.policyName, step.document);
      return { outcome: 'done' };
    },
  },
};

/** A key ml-guard created whose secret access key is gone: named, with the command to delete it. */
function lostKey(step: RotateKeyIntoSecret, accessKeyId: string, why: string, cause?: unknown): RotationIncompleteError {
  return new RotationIncompleteError(
    `created access key ${accessKeyId} but ${why}: its secret access key is lost, so the key is unusable; it was left active and unused: delete it (aws iam delete-access-key --user-name ${shellQuote(step.userName)} --access-key-id ${shellQuote(accessKeyId)}) and rotate by hand`,
    cause === undefined ? undefined : { cause },
  );
}
