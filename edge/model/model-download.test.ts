import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchLimited } from './model-download.js';

describe('fetchLimited', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/chunked') {
        // No content-length: only counting the streamed bytes can catch it.
        response.writeHead(200);
        for (let i = 0; i < 10; i++) response.write(Buffer.alloc(1000, i));
        response.end();
        return;
      }
      if (request.url === '/declared-large') {
        response.writeHead(200, { 'content-length': 5000 });
        response.end(Buffer.alloc(5000));
        return;
      }
      response.writeHead(200, { 'content-length': 3 });
      response.end('abc');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });

  it('returns the body when it fits', async () => {
    expect(
      Buffer.from(await fetchLimited(`${base}/small`, { maxBytes: 3, timeoutMs: 2000 })).toString(),
    ).toBe('abc');
    expect((await fetchLimited(`${base}/chunked`, { maxBytes: 10_000, timeoutMs: 2000 })).byteLength).toBe(
      10_000,
    );
  });

  it('cuts off a body over the limit, declared or streamed, as not retryable', async () => {
    for (const path of ['/chunked', '/declared-large']) {
      await expect(fetchLimited(`${base}${path}`, { maxBytes: 2500, timeoutMs: 2000 })).rejects.toMatchObject(
        {
          code: 'EMBER_ERR_MODEL_DOWNLOAD',
          retryable: false,
        },
      );
    }
  });

  it('reports an unreachable server as retryable', async () => {
    await expect(
      fetchLimited('http://127.0.0.1:1/x', { maxBytes: 10, timeoutMs: 2000 }),
    ).rejects.toMatchObject({
      code: 'EMBER_ERR_MODEL_DOWNLOAD',
      retryable: true,
    });
  });
});
