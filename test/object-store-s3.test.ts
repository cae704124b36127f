import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEmberError } from '../shared/errors.js';
import { describeObjectStoreContract } from '../shared/object-store/object-store.contract.js';
import { openObjectStore } from '../shared/object-store/open-object-store.js';
import { S3Store } from '../shared/object-store/s3-store.js';
import { s3Environment, startS3Server, type S3TestServer } from './helpers/s3-server.js';

let server: S3TestServer;

beforeAll(async () => {
  server = await startS3Server();
});

afterAll(async () => {
  await server.stop();
});

function storeAt(prefix: string, overrides: Partial<ConstructorParameters<typeof S3Store>[0]> = {}): S3Store {
  return new S3Store({
    bucket: server.bucket,
    prefix,
    endpoint: server.endpoint,
    region: server.region,
    credentials: server.credentials,
    ...overrides,
  });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describeObjectStoreContract('S3 (s3rver)', () => {
  const store = storeAt(`contract-${randomUUID()}`);
  return Promise.resolve({ store, dispose: () => store.close() });
});

describe('S3Store against s3rver', () => {
  it('keeps keys under its prefix, invisible to stores under other prefixes', async () => {
    const root = storeAt('');
    const site = storeAt('sites/alpha/');
    const other = storeAt('sites/beta');
    try {
      await site.put('snapshots/1.bin', new Uint8Array([1, 2, 3]));
      expect(await root.list('sites/')).toEqual(['sites/alpha/snapshots/1.bin']);
      expect(await site.list('')).toEqual(['snapshots/1.bin']);
      expect(await other.list('')).toEqual([]);
      expect(site.describe()).toBe(`s3://${server.bucket}/sites/alpha/ at ${server.endpoint}`);
    } finally {
      await Promise.all([root.close(), site.close(), other.close()]);
    }
  });

  it('is opened from an s3:// target with endpoint and credentials from the environment', async () => {
    const store = openObjectStore(`s3://${server.bucket}/from-env`, {
      env: s3Environment(server),
    });
    const root = storeAt('');
    try {
      await store.put('model.onnx', 'weights', { contentType: 'application/octet-stream' });
      expect(await root.getText('from-env/model.onnx')).toBe('weights');
    } finally {
      await Promise.all([store.close(), root.close()]);
    }
  });

  it('reports a missing bucket as a permanent EMBER_ERR_STORE', async () => {
    const store = storeAt('', { bucket: 'no-such-bucket' });
    try {
      const error = await rejection(store.put('a', 'x'));
      expect(isEmberError(error, 'EMBER_ERR_STORE')).toBe(true);
      expect(isEmberError(error) && error.retryable).toBe(false);
      expect(String(error)).toContain('bucket does not exist');
    } finally {
      await store.close();
    }
  });

  it('reports rejected credentials as a permanent EMBER_ERR_STORE', async () => {
    const store = storeAt('', { credentials: { accessKeyId: 'WRONG', secretAccessKey: 'WRONG' } });
    try {
      const error = await rejection(store.get('a'));
      expect(isEmberError(error, 'EMBER_ERR_STORE')).toBe(true);
      expect(isEmberError(error) && error.retryable).toBe(false);
    } finally {
      await store.close();
    }
  });

  it('reports an unreachable server as a retryable EMBER_ERR_STORE', async () => {
    const store = storeAt('', { endpoint: `http://127.0.0.1:${await closedPort()}` });
    try {
      const error = await rejection(store.list(''));
      expect(isEmberError(error, 'EMBER_ERR_STORE')).toBe(true);
      expect(isEmberError(error) && error.retryable).toBe(true);
    } finally {
      await store.close();
    }
  });
});
