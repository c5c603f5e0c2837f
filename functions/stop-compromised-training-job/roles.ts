import { isPrincipalName, parsePrincipalArn, protectedEntryFor as protectedEntryOf, sameName } from '../core/principals.js';

/**
 * Which IAM role a GuardDuty finding names, and whether a job runs with it. Pure.
 *
 * A finding about temporary credentials names the role, not its ARN: for `userType: AssumedRole`,
 * `accessKeyDetails.userName` is the role's name and `principalId` is `<role id AROA...>:<session name>` (see the
 * recorded finding in events/guardduty/policy-s3-bucketblockpublicaccessdisabled.json). The role's path is not in
 * the finding, so a job's `RoleArn` (`arn:<partition>:iam::<account>:role/<path/><name>`) is compared by its account
 * and its last path segment, the role name. IAM role names are unique within an account whatever their path and
 * case, so the name is compared without regard to case.
 */

export interface RoleRef {
  name: string;
  account: string;
  partition: string;
  /** `arn:<partition>:iam::<account>:role/<name>`: the path, if the role has one, is not known from the finding. */
  arn: string;
}

/** IAM role names: 1 to 64 characters of letters, digits and `+=,.@_-`. */
export const isRoleName = isPrincipalName;

export function roleRef(name: string, account: string, partition: string): RoleRef {
  return { name, account, partition, arn: `arn:${partition}:iam::${account}:role/${name}` };
}

/** The account and name of an IAM role ARN (`arn:aws:iam::123456789012:role/path/Name`), or undefined. */
export function parseRoleArn(arn: string): { account: string; name: string } | undefined {
  const parsed = parsePrincipalArn(arn);
  return parsed?.kind === 'role' ? { account: parsed.account, name: parsed.name } : undefined;
}

/** True when the role ARN is the role: same account, same name (whatever the path). */
export function isSameRole(roleArn: string | undefined, role: RoleRef): boolean {
  const parsed = roleArn ? parseRoleArn(roleArn) : undefined;
  return !!parsed && parsed.account === role.account && sameName(parsed.name, role.name);
}

/**
 * The entry of PROTECTED_PRINCIPALS that names the role, if any: its name, its role ARN (any path) or an
 * assumed-role ARN of it. User ARNs and other principals never match a role.
 */
export function protectedEntryFor(role: RoleRef, protectedPrincipals: readonly string[]): string | undefined {
  return protectedEntryOf({ kind: 'role', name: role.name, account: role.account }, protectedPrincipals);
}
