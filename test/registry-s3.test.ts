import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { describeModelRegistryContract } from '../factory/registry/model-registry.contract.js';
import { S3Store } from '../shared/object-store/s3-store.js';
import { startS3Server, type S3TestServer } from './helpers/s3-server.js';

let server: S3TestServer;

beforeAll(async () => {
  server = await startS3Server();
});

afterAll(async () => {
  await server.stop();
});

// Each test gets its own prefix in the one bucket, so that tests cannot see each other's models.
describeModelRegistryContract('S3 (s3rver)', () => {
  const store = new S3Store({
    bucket: server.bucket,
    prefix: `registry-${randomUUID()}`,
    endpoint: server.endpoint,
    region: server.region,
    credentials: server.credentials,
  });
  return Promise.resolve({ store, dispose: () => store.close() });
});
