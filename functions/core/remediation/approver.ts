import { describeError } from '../errors.js';

/**
 * Who answers an approval, checked rather than taken on trust. The person's `npm run approve` signs an
 * `sts:GetCallerIdentity` request with their own credentials (AWS Signature Version 4) and sends it, unsent, with the
 * answer; the function sends it to STS, which answers with the ARN of whoever signed it. The signature covers a header
 * holding the approval's key, so a proof made for one approval cannot answer another; STS refuses a signature more than
 * 15 minutes old, and this module one more than 5 minutes away from now. The same scheme as HashiCorp Vault's AWS IAM
 * auth method. The function needs no permission for it: the request is the person's, not the function's.
 */

/** The signed request, as the answer carries it. */
export interface IdentityProof {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** The header that binds a proof to one approval: its value is the approval's key, and it must be signed. */
export const PROOF_HEADER = 'x-ml-guard-approval';
export const PROOF_BODY = 'Action=GetCallerIdentity&Version=2011-06-15';
/** How far from now the proof's signing time may be. */
const PROOF_MAX_SKEW_MS = 5 * 60_000;
const STS_HOST = /^sts(\.[a-z0-9-]+)?\.amazonaws\.com(\.cn)?$/;
const STS_TIMEOUT_MS = 3_000;

/** Checks a proof's shape as part of the answer's validation: why not, or nothing. */
export function proofProblem(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'approval.proof: expected an object';
  const p = raw as Record<string, unknown>;
  const extra = Object.keys(p).filter((k) => !['url', 'headers', 'body'].includes(k));
  if (extra.length) return `approval.proof: unknown field(s) ${extra.slice(0, 3).join(', ')}`;
  if (typeof p.url !== 'string' || p.url.length > 200) return 'approval.proof.url: expected a URL';
  if (typeof p.body !== 'string' || p.body.length > 200) return 'approval.proof.body: expected a string';
  const headers = p.headers;
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) return 'approval.proof.headers: expected an object';
  const entries = Object.entries(headers);
  if (entries.length > 20 || entries.some(([k, v]) => typeof v !== 'string' || k.length > 100 || v.length > 2_000)) {
    return 'approval.proof.headers: expected at most 20 headers, each a string';
  }
  return undefined;
}

/**
 * The ARN of whoever signed the proof, asked of STS; or why the proof does not prove it (then the answer is refused:
 * a proof that does not hold is a forgery or a mistake, never a reason to act).
 */
export async function provenIdentity(
  proof: IdentityProof,
  key: string,
  now: Date,
  send: typeof fetch = fetch,
): Promise<{ arn: string } | { invalid: string }> {
  let url: URL;
  try {
    url = new URL(proof.url);
  } catch {
    return { invalid: 'the identity proof is not a URL' };
  }
  if (url.protocol !== 'https:' || !STS_HOST.test(url.hostname) || url.pathname !== '/' || url.search || url.port) {
    return { invalid: `the identity proof is not a request to AWS STS (${url.hostname})` };
  }
  if (proof.body !== PROOF_BODY) return { invalid: 'the identity proof is not an sts:GetCallerIdentity request' };
  const headers = Object.fromEntries(Object.entries(proof.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const signed = /SignedHeaders=([a-z0-9;-]+)/.exec(headers.authorization ?? '')?.[1]?.split(';') ?? [];
  if (headers[PROOF_HEADER] !== key || !signed.includes(PROOF_HEADER) || !signed.includes('host')) {
    return { invalid: 'the identity proof was not signed for this approval' };
  }
  if (headers.host !== undefined && headers.host !== url.hostname) return { invalid: 'the identity proof names another host' };
  // x-amz-date is ISO 8601 basic format, 20261126T030000Z, and nothing else.
  const date = headers['x-amz-date'] ?? '';
  const signedAt = /^\d{8}T\d{6}Z$/.test(date)
    ? Date.parse(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 11)}:${date.slice(11, 13)}:${date.slice(13)}`)
    : Number.NaN;
  if (!(Math.abs(now.getTime() - signedAt) <= PROOF_MAX_SKEW_MS)) {
    return { invalid: 'the identity proof was not signed within 5 minutes of now' };
  }
  // fetch sets Host itself, from the URL checked above.
  const { host: _host, ...sent } = headers;
  let response: Response;
  try {
    response = await send(url, { method: 'POST', headers: sent, body: proof.body, signal: AbortSignal.timeout(STS_TIMEOUT_MS) });
  } catch (error) {
    return { invalid: `STS could not be asked who signed the identity proof (${describeError(error)})` };
  }
  const text = await response.text().catch(() => '');
  const arn = /<Arn>([^<]{1,2048})<\/Arn>/.exec(text)?.[1];
  if (response.status !== 200 || !arn) {
    const code = /<Code>([^<]{1,100})<\/Code>/.exec(text)?.[1];
    return { invalid: `STS refused the identity proof (HTTP ${response.status}${code ? ` ${code}` : ''})` };
  }
  return { arn };
}
