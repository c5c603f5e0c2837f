import { afterEach, describe, expect, it, vi } from 'vitest';
import { type IdentityProof, PROOF_HEADER, proofProblem, provenIdentity } from '../../functions/core/remediation/approver.js';
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

describe('the shape of an identity proof, checked with the rest of the answer', () => {
  const valid = {
    url: 'https://sts.eu-west-2.amazonaws.com/',
    headers: { authorization: 'AWS4-HMAC-SHA256 ...' },
    body: 'Action=GetCallerIdentity&Version=2011-06-15',
  };
  const headers = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`x-h${i}`, 'v']));

  it.each<[string, unknown, string | undefined]>([
    ['a valid one', valid, undefined],
    ['a string', 'https://sts.amazonaws.com/', 'approval.proof: expected an object'],
    ['null', null, 'approval.proof: expected an object'],
    ['an array', [valid], 'approval.proof: expected an object'],
    ['unknown fields, the first three named', { ...valid, a: 1, b: 2, c: 3, d: 4 }, 'approval.proof: unknown field(s) a, b, c'],
    ['a url that is not a string', { ...valid, url: 1 }, 'approval.proof.url: expected a URL'],
    ['a url of 200 characters', { ...valid, url: 'u'.repeat(200) }, undefined],
    ['a url of 201 characters', { ...valid, url: 'u'.repeat(201) }, 'approval.proof.url: expected a URL'],
    ['a body that is not a string', { ...valid, body: {} }, 'approval.proof.body: expected a string'],
    ['a body of 200 characters', { ...valid, body: 'b'.repeat(200) }, undefined],
    ['a body of 201 characters', { ...valid, body: 'b'.repeat(201) }, 'approval.proof.body: expected a string'],
    ['headers that are a string', { ...valid, headers: 'authorization: x' }, 'approval.proof.headers: expected an object'],
    ['headers that are null', { ...valid, headers: null }, 'approval.proof.headers: expected an object'],
    ['headers that are an array', { ...valid, headers: [['authorization', 'x']] }, 'approval.proof.headers: expected an object'],
    ['20 headers', { ...valid, headers: headers(20) }, undefined],
    ['21 headers', { ...valid, headers: headers(21) }, 'approval.proof.headers: expected at most 20 headers, each a string'],
    [
      'a header that is not a string',
      { ...valid, headers: { 'x-amz-date': 20261126 } },
      'approval.proof.headers: expected at most 20 headers, each a string',
    ],
    [
      'one header of several that is not a string',
      { ...valid, headers: { ...valid.headers, 'x-amz-date': 20261126 } },
      'approval.proof.headers: expected at most 20 headers, each a string',
    ],
    ['a header name of 100 characters', { ...valid, headers: { ['h'.repeat(100)]: 'v' } }, undefined],
    [
      'a header name of 101 characters',
      { ...valid, headers: { ['h'.repeat(101)]: 'v' } },
      'approval.proof.headers: expected at most 20 headers, each a string',
    ],
    ['a header value of 2000 characters', { ...valid, headers: { h: 'v'.repeat(2000) } }, undefined],
    [
      'a header value of 2001 characters',
      { ...valid, headers: { h: 'v'.repeat(2001) } },
      'approval.proof.headers: expected at most 20 headers, each a string',
    ],
  ])('%s: %j', (_case, proof, problem) => {
    expect(proofProblem(proof)).toBe(problem);
  });
});

describe('a proof that does not prove who signed it', () => {
  const signed = () => signIdentityProof(KEY, CREDENTIALS, 'eu-west-2', NOW);

  it.each<[string, (p: IdentityProof) => IdentityProof, string]>([
    ['not a URL', (p) => ({ ...p, url: 'sts.eu-west-2.amazonaws.com' }), 'the identity proof is not a URL'],
    [
      'to another path',
      (p) => ({ ...p, url: 'https://sts.eu-west-2.amazonaws.com/x' }),
      'the identity proof is not a request to AWS STS (sts.eu-west-2.amazonaws.com)',
    ],
    [
      'with a query',
      (p) => ({ ...p, url: 'https://sts.eu-west-2.amazonaws.com/?Action=AssumeRole' }),
      'the identity proof is not a request to AWS STS (sts.eu-west-2.amazonaws.com)',
    ],
    [
      'to another port',
      (p) => ({ ...p, url: 'https://sts.eu-west-2.amazonaws.com:8443/' }),
      'the identity proof is not a request to AWS STS (sts.eu-west-2.amazonaws.com)',
    ],
    ['naming another host than its URL', (p) => ({ ...p, url: 'https://sts.amazonaws.com/' }), 'the identity proof names another host'],
    [
      'without an Authorization header',
      (p) => ({ ...p, headers: Object.fromEntries(Object.entries(p.headers).filter(([k]) => k !== 'authorization')) }),
      'the identity proof was not signed for this approval',
    ],
    [
      'whose host is not signed',
      (p) => ({ ...p, headers: { ...p.headers, authorization: (p.headers.authorization as string).replace('host;', '') } }),
      'the identity proof was not signed for this approval',
    ],
    [
      'without a signing time',
      (p) => ({ ...p, headers: Object.fromEntries(Object.entries(p.headers).filter(([k]) => k !== 'x-amz-date')) }),
      'the identity proof was not signed within 5 minutes of now',
    ],
    [
      'with a signing time in another format',
      (p) => ({ ...p, headers: { ...p.headers, 'x-amz-date': NOW.toUTCString() } }),
      'the identity proof was not signed within 5 minutes of now',
    ],
  ])('refuses one %s, without asking STS', async (_case, change, why) => {
    const send = stsAnswers(200, callerIdentity);

    expect(await provenIdentity(change(await signed()), KEY, NOW)).toEqual({ invalid: why });
    expect(send).not.toHaveBeenCalled();
  });

  it.each([
    ['signed exactly 5 minutes ago', 5 * 60_000],
    ['signed exactly 5 minutes ahead (a clock ahead of ours)', -5 * 60_000],
  ])('takes a proof %s', async (_case, offset) => {
    stsAnswers(200, callerIdentity);

    expect(await provenIdentity(await signed(), KEY, new Date(NOW.getTime() + offset))).toEqual({ arn: ALICE });
  });

  it('sends a proof without its Host header to the host of its URL (fetch sets it)', async () => {
    const send = stsAnswers(200, callerIdentity);
    const { host: _host, ...headers } = (await signed()).headers;

    expect(await provenIdentity({ ...(await signed()), headers }, KEY, NOW)).toEqual({ arn: ALICE });
    expect(String(send.mock.calls[0]?.[0])).toBe('https://sts.eu-west-2.amazonaws.com/');
  });

  it.each<[string, number, string, string]>([
    ['an answer without an ARN', 200, '<GetCallerIdentityResponse/>', 'STS refused the identity proof (HTTP 200)'],
    ['an ARN with an error status', 500, callerIdentity, 'STS refused the identity proof (HTTP 500)'],
    ['an error without a code', 403, '<ErrorResponse/>', 'STS refused the identity proof (HTTP 403)'],
  ])('refuses %s', async (_case, status, body, why) => {
    stsAnswers(status, body);

    expect(await provenIdentity(await signed(), KEY, NOW)).toEqual({ invalid: why });
  });

  it('refuses an answer whose body cannot be read', async () => {
    const broken = new Response('x', { status: 200 });
    vi.spyOn(broken, 'text').mockRejectedValue(new Error('stream broken'));
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => broken),
    );

    expect(await provenIdentity(await signed(), KEY, NOW)).toEqual({ invalid: 'STS refused the identity proof (HTTP 200)' });
  });
});
