import { describeError } from '../core/errors.js';
import type { Runners } from '../core/remediation/types.js';
import { AccessKeyLimitReached } from './aws.js';
import type { IamAdapter } from './observe.js';
import type { RotateStep } from './steps.js';

/** Raised when a step that needs the live state is asked to run without it (only a dry-run plan lacks it). */
class StateNotRead extends Error {
  override readonly name = 'StateNotRead';
}

/**
 * A replacement key was created but could not be stored. Its secret access key existed only in this invocation and
 * is now gone: nobody can use the key. It is left as it is (ml-guard deletes no key) and named so a person deletes it.
 */
export class RotationIncomplete extends Error {
  override readonly name = 'RotationIncomplete';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** One runner per step kind, each with the IAM actions it calls. */
export const rotateRunners: Runners<RotateStep, IamAdapter> = {
  deactivateAccessKey: {
    iamActions: ['iam:UpdateAccessKey'],
    identify: (step) => `${step.kind}:${step.userName}:${step.accessKeyId ?? 'unlisted'}`,
    async run(step, iam) {
      if (!step.accessKeyId) throw new StateNotRead('the access keys of the user were not listed');
      await iam.deactivateAccessKey(step.userName, step.accessKeyId);
      return { outcome: 'done' };
    },
  },
  rotateKeyIntoSecret: {
    iamActions: ['iam:CreateAccessKey', 'secretsmanager:PutSecretValue'],
    async run(step, iam) {
      // The new secret access key lives in `key` only, for the time between these two calls.
      let key: Awaited<ReturnType<IamAdapter['createAccessKey']>>;
      try {
        key = await iam.createAccessKey(step.userName);
      } catch (error) {
        if (error instanceof AccessKeyLimitReached) {
          throw new AccessKeyLimitReached(
            `${error.message}: no replacement was made, and no other key was deactivated or deleted to make room; delete the key that is no longer used, then rotate ${step.replaces} by hand`,
            { cause: error },
          );
        }
        throw error;
      }
      let version: string | undefined;
      try {
        version = await iam.storeAccessKeyInSecret(step.secretArn, key);
      } catch (error) {
        throw new RotationIncomplete(
          `created access key ${key.accessKeyId} but could not store it in the secret ${step.secretName} (${describeError(error)}): its secret access key is lost, so the key is unusable; it was left active and unused: delete it (aws iam delete-access-key --user-name ${step.userName} --access-key-id ${key.accessKeyId}) and rotate by hand`,
          { cause: error },
        );
      }
      return {
        outcome: 'done',
        detail: `new key ${key.accessKeyId} is the current value of ${step.secretName}${version ? ` (version ${version})` : ''}; ${step.replaces} is kept as AWSPREVIOUS`,
      };
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
