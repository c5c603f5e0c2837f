import { afterEach, describe, expect, it, vi } from 'vitest';
import { endpointOverridden } from '../../functions/core/aws/client-options.js';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('AWS clients', () => {
  it('retry throttling in adaptive mode, up to 3 attempts (the time budget counts on it)', async () => {
    const { s3Client } = await import('../../functions/core/aws/s3.js');
    const { snsClient } = await import('../../functions/core/aws/sns.js');

    for (const client of [s3Client(), snsClient()]) {
      const strategy = await client.config.retryStrategy();
      expect((strategy as { mode?: string }).mode).toBe('adaptive');
      expect(await client.config.maxAttempts()).toBe(3);
    }
  });

  it('address S3 virtual-host style against AWS', async () => {
    const { s3Client } = await import('../../functions/core/aws/s3.js');

    expect(s3Client().config.forcePathStyle).toBe(false);
  });

  it.each(['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3'])('address S3 path style when %s points at another endpoint', async (name) => {
    vi.stubEnv(name, 'http://localhost:4566');
    const { s3Client } = await import('../../functions/core/aws/s3.js');

    expect(s3Client().config.forcePathStyle).toBe(true);
  });

  it('see an override only for the service it names', () => {
    expect(endpointOverridden('S3', { AWS_ENDPOINT_URL_SNS: 'http://localhost:4566' })).toBe(false);
    expect(endpointOverridden('S3', {})).toBe(false);
  });
});
