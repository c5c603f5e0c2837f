interface CredentialStep {
  summary: string;
  undo?: string;
  critical?: boolean;
}

/** Sets an access key to Inactive. `accessKeyId` is absent only in a dry-run that could not list the user's keys. */
export interface DeactivateAccessKey extends CredentialStep {
  kind: 'deactivateAccessKey';
  userName: string;
  accessKeyId?: string;
}

/**
 * Creates a replacement key for the user and stores it in the secret that holds the key being replaced, in one
 * runner: the new secret access key goes from the CreateAccessKey answer to PutSecretValue and nowhere else (never
 * into the plan, the result, a log or a notification).
 */
export interface RotateKeyIntoSecret extends CredentialStep {
  kind: 'rotateKeyIntoSecret';
  userName: string;
  /** The key the secret holds now, which is replaced. */
  replaces: string;
  secretArn: string;
  secretName: string;
}

/** Puts (or moves forward) the AWSRevokeOlderSessions inline policy of a user. */
export interface RevokeUserSessions extends CredentialStep {
  kind: 'revokeUserSessions';
  userName: string;
  policyName: string;
  /** The policy document to put. */
  document: string;
  /** The policy of that name before: its document, `null` none, absent when it could not be read. */
  previous?: string | null;
}

/** Puts (or moves forward) the AWSRevokeOlderSessions inline policy of a role, as the IAM console does. */
export interface RevokeRoleSessions extends CredentialStep {
  kind: 'revokeRoleSessions';
  roleName: string;
  policyName: string;
  document: string;
  /** The policy of that name before: its document, `null` none, absent when it could not be read. */
  previous?: string | null;
}

export type RotateStep = DeactivateAccessKey | RotateKeyIntoSecret | RevokeUserSessions | RevokeRoleSessions;
