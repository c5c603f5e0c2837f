import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { GetBucketTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { clientOptions, REQUEST_TIMEOUT_MS } from '../../functions/core/aws/client-options.js';
import { describeError, isTransient } from '../../functions/core/errors.js';

/** An HTTP server on a loopback port that reads every request and never answers it. */
async function silentServer(): Promise<{ server: Server; sockets: Set<Socket>; requests: () => number; endpoint: string }> {
  const sockets = new Set<Socket>();
  let requests = 0;
  const server = createServer(() => {
    requests += 1; // and never answer
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, sockets, requests: () => requests, endpoint: `http://127.0.0.1:${port}` };
}

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('an AWS call that never answers', () => {
  it('is cut by the request timeout of the shared client options, as a transient error a retry may fix', { timeout: 15_000 }, async () => {
    // Prepare
    const { server, sockets, requests, endpoint } = await silentServer();
    const client = new S3Client({
      ...clientOptions,
      maxAttempts: 1,
      endpoint,
      forcePathStyle: true,
      region: 'eu-west-2',
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'test-secret-not-real' },
    });
    cleanup = async () => {
      client.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    };

    // Act: wait for the call, or give up 2 s after the request timeout (the call would otherwise hang until Lambda's).
    const deadline = REQUEST_TIMEOUT_MS + 2_000;
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const error = await Promise.race([
      client.send(new GetBucketTaggingCommand({ Bucket: 'ml-model-artifacts-123456789012' })).then(
        () => new Error('the call resolved, though the server never answered'),
        (e: unknown) => e,
      ),
      new Promise<'still pending'>((resolve) => {
        timer = setTimeout(() => resolve('still pending'), deadline);
      }),
    ]);
    clearTimeout(timer);
    const took = performance.now() - started;

    // Assess
    expect(error, `the call was still pending ${deadline} ms after it was sent`).not.toBe('still pending');
    expect(error).toBeInstanceOf(Error);
    expect(requests()).toBe(1);
    expect(took).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 200);
    expect(took).toBeLessThan(REQUEST_TIMEOUT_MS + 2_000);
    expect(isTransient(error), describeError(error)).toBe(true);
  });
});
