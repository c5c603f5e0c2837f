import { afterEach, describe, expect, it, vi } from 'vitest';
import { type IdentityProof, PROOF_HEADER, provenIdentity } from '../../functions/core/remediation/approver.js';
import { signIdentityProof } from '../../scripts/approve/proof.js';

/**
 * The proof of who answers an approval: `npm run approve` signs an sts:GetCallerIdentity request (Signature Version 4,
 * the SDK's own signer) and the function has STS answer it. STS is played by a stub of `fetch` that answers as STS
 * documents (GetCallerIdentity response XML; an ErrorResponse with a 403 for a bad signature).
 */
const NOW = new Date('2026-11-26T03:00:00.000Z');
const KEY = `quarantine-public-bucket#29cc9880-571c-ca45-f9d4-6f8592ecc0fe#${'a'.repeat(32)}`;
const ALICE = 'arn:aws:sts::123456789012:assumed-role/SecurityResponder/alice';
const CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'test-secret-not-real' };

const stsAnswers = (status: number, body: string) => {
  const send = vi.fn(async (_url: URL | string | Request, _init?: RequestInit) => new Response(body, { status }));
  vi.stubGlobal('fetch', send);
  return send;
};
const callerIdentity = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>${ALICE}</Arn><UserId>AROAEXAMPLE:alice</UserId><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`;
const signatureDoesNotMatch =
  '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match</Message></Error></ErrorResponse>';

afterEach(() => vi.unstubAllGlobals());

describe('the proof of who answers an approval', () => {
  it('is a signed GetCallerIdentity request bound to the key, which STS answers with the signer; the function sends it as signed', async () => {
    const send = stsAnswers(200, callerIdentity);
    const proof = await signIdentityProof(KEY, CREDENTIALS, 'eu-west-2', NOW);

    const proven = await provenIdentity(proof, KEY, new Date(NOW.getTime() + 60_000));

    expect(proven).toEqual({ arn: ALICE });
    expect(proof.url).toBe('https://sts.eu-west-2.amazonaws.com/');
    expect(proof.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/20261126\/eu-west-2\/sts\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-ml-guard-approval, Signature=[0-9a-f]{64}$/,
    );
    const [url, init] = send.mock.calls[0] ?? [];
    expect(String(url)).toBe('https://sts.eu-west-2.amazonaws.com/');
    expect(init).toMatchObject({ method: 'POST', body: 'Action=GetCallerIdentity&Version=2011-06-15' });
    const { host: _host, ...sent } = proof.headers;
    expect(init?.headers).toEqual(sent);
  });

  it.each<[string, (p: IdentityProof) => IdentityProof, string, Date?]>([
    ['made for another approval', (p) => p, 'the identity proof was not signed for this approval'],
    [
      'whose key header is not signed',
      (p) => ({ ...p, headers: { ...p.headers, authorization: (p.headers.authorization as string).replace(';x-ml-guard-approval', '') } }),
      'the identity proof was not signed for this approval',
    ],
    [
      'sent elsewhere than STS',
      (p) => ({ ...p, url: 'https://sts.eu-west-2.amazonaws.com.attacker.example/' }),
      'the identity proof is not a request to AWS STS (sts.eu-west-2.amazonaws.com.attacker.example)',
    ],
    [
      'over plain HTTP',
      (p) => ({ ...p, url: 'http://sts.eu-west-2.amazonaws.com/' }),
      'the identity proof is not a request to AWS STS (sts.eu-west-2.amazonaws.com)',
    ],
    [
      'for another STS action',
      (p) => ({ ...p, body: 'Action=AssumeRole&Version=2011-06-15' }),
      'the identity proof is not an sts:GetCallerIdentity request',
    ],
    ['signed too long ago', (p) => p, 'the identity proof was not signed within 5 minutes of now', new Date(NOW.getTime() + 6 * 60_000)],
  ])('refuses a proof %s, without asking STS', async (_case, change, why, at = NOW) => {
    const send = stsAnswers(200, callerIdentity);
    const key = _case === 'made for another approval' ? `${KEY.slice(0, -1)}b` : KEY;
    const proof = change(await signIdentityProof(KEY, CREDENTIALS, 'eu-west-2', NOW));

    expect(await provenIdentity(proof, key, at)).toEqual({ invalid: why });
    expect(send).not.toHaveBeenCalled();
  });

  it("refuses a proof STS does not accept, with STS's error code", async () => {
    stsAnswers(403, signatureDoesNotMatch);
    const proof = await signIdentityProof(KEY, CREDENTIALS, 'eu-west-2', NOW);

    expect(await provenIdentity(proof, KEY, NOW)).toEqual({ invalid: 'STS refused the identity proof (HTTP 403 SignatureDoesNotMatch)' });
  });

  it('refuses, rather than trusts, a proof STS could not be asked about', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => Promise.reject(Object.assign(new TypeError('fetch failed'), { name: 'TypeError' }))),
    );
    const proof = await signIdentityProof(KEY, CREDENTIALS, 'eu-west-2', NOW);

    expect(await provenIdentity(proof, KEY, NOW)).toEqual({
      invalid: 'STS could not be asked who signed the identity proof (TypeError: fetch failed)',
    });
  });

  it('binds the header it checks: the key travels in the signed header the function compares', async () => {
    const proof = await signIdentityProof(KEY, CREDENTIALS, 'eu-west-2', NOW);
    expect(proof.headers[PROOF_HEADER]).toBe(KEY);
  });
});
