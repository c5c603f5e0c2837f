import type { StepText } from '../core/remediation/steps.js';

interface CredentialStep {
  critical?: boolean;
}

/** Sets an access key to Inactive. */
export interface DeactivateAccessKey extends CredentialStep {
  kind: 'deactivateAccessKey';
  userName: string;
  /** Absent: the user's keys could not be listed (not read, see readState); the step then stands for its stale keys. */
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

/** A step as the planner decides it: data only. Its sentence and undo text come from describe-steps.ts. */
export type RotateStepData = DeactivateAccessKey | RotateKeyIntoSecret | RevokeUserSessions | RevokeRoleSessions;

/** A step of a plan: its data and its text. */
export type RotateStep = RotateStepData & StepText;
