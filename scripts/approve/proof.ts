import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, SourceData } from '@smithy/types';
import { type IdentityProof, PROOF_BODY, PROOF_HEADER } from '../../functions/core/remediation/approver.js';

/** SHA-256 and HMAC-SHA-256 as the signer wants them, from node:crypto. */
class Sha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

function bytes(data: SourceData): string | Uint8Array {
  if (typeof data === 'string' || data instanceof Uint8Array) return data;
  return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
}

/**
 * An sts:GetCallerIdentity request signed with the answerer's credentials and not sent: the function sends it to learn,
 * from STS, who signed it (see functions/core/remediation/approver.ts). The approval's key is in a signed header, so the
 * proof answers this approval only.
 */
export async function signIdentityProof(
  key: string,
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider,
  region: string,
  now: Date = new Date(),
): Promise<IdentityProof> {
  const hostname = region.startsWith('cn-') ? `sts.${region}.amazonaws.com.cn` : `sts.${region}.amazonaws.com`;
  const signer = new SignatureV4({ credentials, region, service: 'sts', sha256: Sha256 });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'https:',
      hostname,
      path: '/',
      query: {},
      headers: { host: hostname, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', [PROOF_HEADER]: key },
      body: PROOF_BODY,
    },
    { signingDate: now },
  );
  return { url: `https://${hostname}/`, headers: signed.headers, body: PROOF_BODY };
}
