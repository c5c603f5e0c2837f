import { describe, expect, it } from 'vitest';
import {
  describeDeactivation,
  describeRevocation,
  describeRotation,
  keyStatusCommand,
} from '../../functions/rotate-credentials/describe-steps.js';
import { revocationPolicy } from '../../functions/rotate-credentials/revocation.js';
import type { RevokeRoleSessions, RevokeUserSessions } from '../../functions/rotate-credentials/steps.js';

/** What each rotate-credentials step says, and how to undo it: the one describer the planners' data goes through. */
const KEY = 'AKIAIOSFODNN7EXAMPLE';
const ISSUED = '2026-11-26T03:00:01Z';
const policy = { policyName: 'AWSRevokeOlderSessions', document: revocationPolicy(ISSUED) };

describe('describeDeactivation', () => {
  it.each<[string | undefined, string | undefined, string, string | undefined]>([
    [
      KEY,
      'created 2025-01-01, 694 days ago',
      `Deactivate access key ${KEY} of alice (created 2025-01-01, 694 days ago); it is kept, not deleted`,
      `aws iam update-access-key --user-name alice --access-key-id ${KEY} --status Active`,
    ],
    [KEY, undefined, `Deactivate access key ${KEY} of alice; it is kept, not deleted`, keyStatusCommand('alice', KEY, 'Active')],
    // The keys could not be listed: the step stands for the stale ones, has no key to name, and never runs.
    [
      undefined,
      'older than 90 days',
      'Deactivate the active access keys of alice older than 90 days (the keys could not be listed)',
      undefined,
    ],
    [undefined, undefined, 'Deactivate the active access keys of alice (the keys could not be listed)', undefined],
  ])('key %s, %s', (accessKeyId, why, summary, undo) => {
    const step = { kind: 'deactivateAccessKey' as const, userName: 'alice', ...(accessKeyId ? { accessKeyId } : {}) };
    expect(describeDeactivation(step, why)).toEqual({ summary, ...(undo ? { undo } : {}) });
  });

  it('shell-quotes the user and key in the command', () => {
    expect(keyStatusCommand("o'neil", KEY, 'Inactive')).toBe(
      `aws iam update-access-key --user-name 'o'\\''neil' --access-key-id ${KEY} --status Inactive`,
    );
  });
});

describe('describeRotation', () => {
  const step = {
    kind: 'rotateKeyIntoSecret' as const,
    userName: 'alice',
    replaces: KEY,
    secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:ml/keys-AbCdEf',
    secretName: 'ml/keys',
  };
  const undo =
    'the replaced value stays in the secret as AWSPREVIOUS: make it current again (aws secretsmanager update-secret-version-stage --secret-id arn:aws:secretsmanager:us-east-1:123456789012:secret:ml/keys-AbCdEf --version-stage AWSCURRENT --move-to-version-id <AWSPREVIOUS version> --remove-from-version-id <new version>), then deactivate the new key (aws iam update-access-key --user-name alice --access-key-id <new key> --status Inactive)';

  it.each<[number, string]>([
    [1, `Create a new access key for alice and store it in the secret ml/keys, which holds ${KEY}`],
    // IAM allows two keys per user: with two, CreateAccessKey is refused, and the summary says so beforehand.
    [
      2,
      `Create a new access key for alice and store it in the secret ml/keys, which holds ${KEY} (alice already has 2 access keys, the most IAM allows: IAM will refuse; no other key is deactivated or deleted to make room)`,
    ],
  ])('the user has %i key(s)', (keyCount, summary) => {
    expect(describeRotation(step, keyCount)).toEqual({ summary, undo });
  });
});

describe('describeRevocation', () => {
  const user = (previous?: string | null): RevokeUserSessions => ({
    kind: 'revokeUserSessions',
    userName: 'alice',
    ...policy,
    ...(previous === undefined ? {} : { previous }),
  });
  const role = (previous?: string | null): RevokeRoleSessions => ({
    kind: 'revokeRoleSessions',
    roleName: 'Batch',
    ...policy,
    ...(previous === undefined ? {} : { previous }),
  });
  const older = revocationPolicy('2026-11-20T00:00:00Z');
  const other = '{"Statement":[]}';

  it.each<[string, RevokeUserSessions | RevokeRoleSessions, string, string]>([
    [
      'a user, the policy not read',
      user(),
      `Deny every session of alice issued before ${ISSUED} with the inline policy AWSRevokeOlderSessions (whether it exists could not be read)`,
      'aws iam delete-user-policy --user-name alice --policy-name AWSRevokeOlderSessions (if it did not exist before)',
    ],
    [
      'a role without the policy',
      role(null),
      `Deny every session of Batch issued before ${ISSUED}: add the inline policy AWSRevokeOlderSessions`,
      'aws iam delete-role-policy --role-name Batch --policy-name AWSRevokeOlderSessions',
    ],
    [
      'a role whose policy denied older sessions',
      role(older),
      `Move the inline policy AWSRevokeOlderSessions of Batch forward to deny every session issued before ${ISSUED} (it denied those before 2026-11-20T00:00:00Z)`,
      `put the previous document back: aws iam put-role-policy --role-name Batch --policy-name AWSRevokeOlderSessions --policy-document '${older}'`,
    ],
    [
      'a user whose policy of that name was another policy',
      user(other),
      `Move the inline policy AWSRevokeOlderSessions of alice forward to deny every session issued before ${ISSUED} (it was not a revocation policy: replaced)`,
      `put the previous document back: aws iam put-user-policy --user-name alice --policy-name AWSRevokeOlderSessions --policy-document '${other}'`,
    ],
  ])('%s', (_, step, summary, undo) => {
    expect(describeRevocation(step, ISSUED)).toEqual({ summary, undo });
  });
});
