/**
 * IAM users and roles as every function compares them, and the PROTECTED_PRINCIPALS entries that protect them. Pure.
 *
 * Names are compared without regard to case: IAM user names and role names are unique within an account whatever
 * their case ("Admin" and "admin" cannot both exist), so a case-insensitive match can only protect more, never touch
 * the wrong principal. The path of an ARN is ignored (a name is unique whatever its path); the account of an ARN
 * must match. ARNs are not compared as strings because GuardDuty names a principal by its name, not its ARN, and the
 * ARN read from IAM may carry a path the protected entry leaves out (or the other way round).
 */

export type PrincipalKind = 'user' | 'role';

export interface Principal {
  kind: PrincipalKind;
  name: string;
  account: string;
}

/** IAM user and role names: 1 to 64 letters, digits and `+=,.@_-`. */
const NAME = /^[\w+=,.@-]{1,64}$/;
const IAM_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):(user|role)\/(?:[^/]+\/)*([^/]+)$/;
const ASSUMED_ROLE_ARN = /^arn:aws[a-z-]*:sts::(\d{12}):assumed-role\/([^/]+)\/.+$/;

export function isPrincipalName(name: string): boolean {
  return NAME.test(name);
}

/** What a PROTECTED_PRINCIPALS entry names: a user or role of an account (ARN), or any user or role of that name. */
export interface ProtectedEntry {
  kind?: PrincipalKind;
  account?: string;
  name: string;
}

/** An entry of PROTECTED_PRINCIPALS, or undefined when it is neither a name nor an IAM user, role or assumed-role ARN. */
export function parseProtectedEntry(entry: string): ProtectedEntry | undefined {
  const iam = IAM_ARN.exec(entry);
  if (iam) return { kind: iam[2] as PrincipalKind, account: iam[1] as string, name: iam[3] as string };
  const assumed = ASSUMED_ROLE_ARN.exec(entry);
  if (assumed) return { kind: 'role', account: assumed[1] as string, name: assumed[2] as string };
  return isPrincipalName(entry) ? { name: entry } : undefined;
}

/** The account, kind and name of an IAM user or role ARN as IAM returns it. */
export function parsePrincipalArn(arn: string): Principal | undefined {
  const match = IAM_ARN.exec(arn);
  return match ? { kind: match[2] as PrincipalKind, account: match[1] as string, name: match[3] as string } : undefined;
}

export function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/**
 * The PROTECTED_PRINCIPALS entry naming the principal, if any: its name (a user or a role of that name), its user or
 * role ARN (any path, same account), or for a role an assumed-role ARN of it.
 */
export function protectedEntryFor(principal: Principal, entries: readonly string[]): string | undefined {
  return entries.find((entry) => {
    const parsed = parseProtectedEntry(entry);
    if (!parsed || !sameName(parsed.name, principal.name)) return false;
    if (parsed.kind && parsed.kind !== principal.kind) return false;
    return !parsed.account || parsed.account === principal.account;
  });
}
