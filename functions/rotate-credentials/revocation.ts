/**
 * The session-revocation policy, as the IAM console's "Revoke active sessions" writes it on a role (IAM user guide,
 * "Revoke IAM role temporary security credentials"): an inline policy named AWSRevokeOlderSessions that denies every
 * action on every resource to credentials whose aws:TokenIssueTime is before a time. Long-term access keys carry no
 * aws:TokenIssueTime, so the policy denies only temporary credentials (role sessions, console sessions, and the
 * GetSessionToken / GetFederationToken credentials of a user) issued before that time. Pure.
 */

export const REVOCATION_POLICY_NAME = 'AWSRevokeOlderSessions';

/** The time as IAM conditions take it, rounded up to the next whole second so that "now" itself is covered. */
export function revocationTime(now: Date): string {
  const ms = now.getTime();
  const up = Math.ceil(ms / 1000) * 1000;
  return new Date(up).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function revocationPolicy(issuedBefore: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: {
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { DateLessThan: { 'aws:TokenIssueTime': issuedBefore } },
    },
  });
}

/**
 * The latest time before which an existing revocation policy denies every action, or undefined when the document is
 * not such a policy (then it is replaced by one that is).
 */
export function revokedBefore(document: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    return undefined;
  }
  const statements = (parsed as { Statement?: unknown } | null)?.Statement;
  const list = Array.isArray(statements) ? statements : [statements];
  const times = list.flatMap((s) => {
    if (!s || typeof s !== 'object') return [];
    const { Effect, Action, Resource, Condition } = s as Record<string, unknown>;
    const all = (v: unknown) => v === '*' || (Array.isArray(v) && v.includes('*'));
    if (Effect !== 'Deny' || !all(Action) || !all(Resource)) return [];
    const conditions = Condition && typeof Condition === 'object' ? (Condition as Record<string, unknown>) : {};
    // Only a condition on the token's issue time, and nothing else, makes the statement a revocation.
    if (Object.keys(conditions).length !== 1) return [];
    const operator = conditions.DateLessThan as Record<string, unknown> | undefined;
    const value = operator && Object.keys(operator).length === 1 ? operator['aws:TokenIssueTime'] : undefined;
    const values = Array.isArray(value) ? value : [value];
    return values.filter((v): v is string => typeof v === 'string' && !Number.isNaN(Date.parse(v)));
  });
  if (times.length === 0) return undefined;
  return times.reduce((latest, t) => (Date.parse(t) > Date.parse(latest) ? t : latest));
}

/**
 * True when an existing policy already denies what must be denied: every session the finding saw in use, which was
 * issued before the last activity it saw (`seenUntil`); or, when the finding does not say when that was (or says a
 * time after `issuedBefore`), every session issued before `issuedBefore`. A later finding update about new activity
 * moves the time forward again; a repeated delivery of the same finding does not.
 */
export function coversSessions(document: string | undefined, issuedBefore: string, seenUntil?: string): boolean {
  const existing = document === undefined ? undefined : revokedBefore(document);
  if (existing === undefined) return false;
  const revoked = Date.parse(existing);
  const seen = seenUntil ? Date.parse(seenUntil) : Number.NaN;
  if (Number.isNaN(seen) || seen > Date.parse(issuedBefore)) return revoked >= Date.parse(issuedBefore);
  return revoked > seen;
}
