/**
 * Every step kind of every function, for settings that name step kinds (APPROVAL_REQUIRED): a kind no function has is a
 * typo that would hold nothing back, so it stops the functions at cold start. A test keeps this list equal to the
 * functions' runners.
 */
export const STEP_KINDS: readonly string[] = [
  // quarantine-public-bucket
  'savePriorState',
  'blockPublicAccess',
  'removePublicAclGrants',
  'removePublicPolicyStatements',
  'tagQuarantined',
  // rotate-credentials
  'deactivateAccessKey',
  'rotateKeyIntoSecret',
  'revokeUserSessions',
  'revokeRoleSessions',
  // stop-compromised-training-job
  'stopTrainingJob',
  'stopProcessingJob',
  'stopTransformJob',
  'stopHyperParameterTuningJob',
];
