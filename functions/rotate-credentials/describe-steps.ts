import type { StepText } from '../core/remediation/steps.js';
import { shellQuote } from '../core/text.js';
import { revokedBefore } from './revocation.js';
import type { DeactivateAccessKey, RevokeRoleSessions, RevokeUserSessions, RotateKeyIntoSecret } from './steps.js';

/**
 * The one place where what a rotate-credentials step says, and how to undo it, is written. The planner builds a
 * step's data and passes what the text says besides it: why a key is deactivated, how many keys the user has, the
 * time before which sessions are denied.
 */

/**
 * Deactivating a key: `why` it is (`created 2025-01-01, 400 days ago`). When the keys could not be listed the step
 * stands for every stale key, and `why` says which (`older than 90 days`).
 */
export function describeDeactivation(step: DeactivateAccessKey, why?: string): StepText {
  const { userName, accessKeyId } = step;
  if (accessKeyId === undefined)
    return { summary: `Deactivate the active access keys of ${userName}${why ? ` ${why}` : ''} (the keys could not be listed)` };
  return {
    summary: `Deactivate access key ${accessKeyId} of ${userName}${why ? ` (${why})` : ''}; it is kept, not deleted`,
    undo: keyStatusCommand(userName, accessKeyId, 'Active'),
  };
}

/** Rotating the key a secret holds; `keyCount`, how many access keys the user has (IAM allows two). */
export function describeRotation(step: RotateKeyIntoSecret, keyCount: number): StepText {
  const { userName: name, replaces, secretArn, secretName } = step;
  const full =
    keyCount >= 2
      ? ` (${name} already has ${keyCount} access keys, the most IAM allows: IAM will refuse; no other key is deactivated or deleted to make room)`
      : '';
  return {
    summary: `Create a new access key for ${name} and store it in the secret ${secretName}, which holds ${replaces}${full}`,
    undo: `the replaced value stays in the secret as AWSPREVIOUS: make it current again (aws secretsmanager update-secret-version-stage --secret-id ${shellQuote(secretArn)} --version-stage AWSCURRENT --move-to-version-id <AWSPREVIOUS version> --remove-from-version-id <new version>), then deactivate the new key (aws iam update-access-key --user-name ${shellQuote(name)} --access-key-id <new key> --status Inactive)`,
  };
}

/** Putting the revocation policy, which denies the sessions issued before `issuedBefore`; undone by its previous document. */
export function describeRevocation(step: RevokeUserSessions | RevokeRoleSessions, issuedBefore: string): StepText {
  const [kind, name] = step.kind === 'revokeUserSessions' ? (['user', step.userName] as const) : (['role', step.roleName] as const);
  const { policyName, previous } = step;
  const previousTime = previous ? revokedBefore(previous) : undefined;
  const summary =
    previous === undefined
      ? `Deny every session of ${name} issued before ${issuedBefore} with the inline policy ${policyName} (whether it exists could not be read)`
      : previous === null
        ? `Deny every session of ${name} issued before ${issuedBefore}: add the inline policy ${policyName}`
        : `Move the inline policy ${policyName} of ${name} forward to deny every session issued before ${issuedBefore}${previousTime ? ` (it denied those before ${previousTime})` : ' (it was not a revocation policy: replaced)'}`;
  const cli = `--${kind}-name ${shellQuote(name)}`;
  const undo = previous
    ? `put the previous document back: aws iam put-${kind}-policy ${cli} --policy-name ${shellQuote(policyName)} --policy-document ${shellQuote(previous)}`
    : `aws iam delete-${kind}-policy ${cli} --policy-name ${shellQuote(policyName)}${previous === undefined ? ' (if it did not exist before)' : ''}`;
  return { summary, undo };
}

/** The AWS CLI command that sets an access key's status. */
export function keyStatusCommand(userName: string, accessKeyId: string, status: 'Active' | 'Inactive'): string {
  return `aws iam update-access-key --user-name ${shellQuote(userName)} --access-key-id ${shellQuote(accessKeyId)} --status ${status}`;
}
