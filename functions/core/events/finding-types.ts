/**
 * The GuardDuty finding types each remediation handles: one source of truth for the functions' own checks and for
 * the notify function, which takes the findings no remediation handles. The EventBridge rules in template.yaml list
 * the same types; a test keeps both in step through the sample events.
 */

/** A set of finding types: exact names, and EventBridge-style wildcards (`*` matches any run of characters). */
export interface FindingTypeSet {
  exact: readonly string[];
  wildcard: readonly string[];
}

const ANOMALOUS_BEHAVIOR_TACTICS = [
  'CredentialAccess',
  'DefenseEvasion',
  'Discovery',
  'Exfiltration',
  'Impact',
  'Persistence',
  'PrivilegeEscalation',
] as const;

/** Findings that mean a bucket is, or may have become, public (quarantine-public-bucket). */
export const PUBLIC_BUCKET_FINDINGS: FindingTypeSet = {
  exact: ['Policy:S3/BucketBlockPublicAccessDisabled', 'Policy:S3/BucketAnonymousAccessGranted', 'Policy:S3/BucketPublicAccessGranted'],
  wildcard: [],
};

/** Credential-compromise findings whose principal may be running SageMaker work (stop-compromised-training-job). */
export const COMPROMISED_ROLE_FINDINGS: FindingTypeSet = {
  exact: [
    'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
    'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.InsideAWS',
    'UnauthorizedAccess:IAMUser/MaliciousIPCaller',
    'UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom',
    'UnauthorizedAccess:IAMUser/TorIPCaller',
    ...ANOMALOUS_BEHAVIOR_TACTICS.map((t) => `${t}:IAMUser/AnomalousBehavior`),
  ],
  wildcard: [],
};

/** Findings about compromised IAM credentials, subject to the severity threshold (rotate-credentials). */
export const COMPROMISED_CREDENTIAL_FINDINGS: FindingTypeSet = {
  exact: [],
  wildcard: ['UnauthorizedAccess:IAMUser/*', '*:IAMUser/AnomalousBehavior', 'PenTest:IAMUser/*'],
};

/**
 * S3 Protection findings about a caller reading, changing, deleting or listing a bucket's data (GuardDuty's S3
 * finding types of the Exfiltration, Impact, UnauthorizedAccess and Discovery purposes): at or above
 * S3_EXFILTRATION_SEVERITY_THRESHOLD their caller is contained (rotate-credentials, and stop-compromised-training-job
 * for a role), below it they are notified. `PenTest:S3/*` (a penetration-testing distribution called S3), `Policy:S3/*`
 * (a bucket's own settings) and `Stealth:S3/*` are not: a tool's name or a setting says nothing of whose credentials
 * were used.
 */
export const S3_EXFILTRATION_FINDINGS: FindingTypeSet = {
  exact: [],
  wildcard: ['Exfiltration:S3/*', 'Impact:S3/*', 'UnauthorizedAccess:S3/*', 'Discovery:S3/*'],
};

/** Root credential usage: handled whatever its severity (GuardDuty rates it low, and it always matters). */
export const ROOT_CREDENTIAL_USAGE = 'Policy:IAMUser/RootCredentialUsage';

export function isFindingTypeIn(set: FindingTypeSet, type: string): boolean {
  return set.exact.includes(type) || set.wildcard.some((w) => wildcardToRegExp(w).test(type));
}

function wildcardToRegExp(wildcard: string): RegExp {
  const escaped = wildcard.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`);
}
