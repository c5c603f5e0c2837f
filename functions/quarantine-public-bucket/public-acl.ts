import type { Grant } from '../core/aws/s3.js';

export const PUBLIC_GROUPS = [
  'http://acs.amazonaws.com/groups/global/AllUsers',
  'http://acs.amazonaws.com/groups/global/AuthenticatedUsers',
] as const;

/** Grants to the AllUsers or AuthenticatedUsers groups: anyone, or any AWS account. */
export function isPublicGrant(grant: Grant): boolean {
  const uri = grant.Grantee?.URI;
  return grant.Grantee?.Type === 'Group' && (PUBLIC_GROUPS as readonly (string | undefined)[]).includes(uri);
}
