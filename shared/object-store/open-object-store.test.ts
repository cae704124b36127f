import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isEmberError } from '../errors.js';
import { FolderStore } from './folder-store.js';
import { openObjectStore, parseStoreTarget, resolveS3StoreOptions } from './open-object-store.js';
import { S3Store } from './s3-store.js';

function badTargetMessage(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (isEmberError(error, 'EMBER_ERR_STORE_BAD_TARGET')) return error.message;
    throw error;
  }
  throw new Error('expected EMBER_ERR_STORE_BAD_TARGET');
}

describe('parseStoreTarget', () => {
  it('resolves folders against the working directory', () => {
    expect(parseStoreTarget('data/store', '/srv')).toEqual({
      kind: 'folder',
      root: resolve('/srv', 'data/store'),
    });
    expect(parseStoreTarget('/abs/store', '/srv')).toEqual({ kind: 'folder', root: resolve('/abs/store') });
  });

  it('reads file URLs', () => {
    const root = resolve('/var/lib/ember watch');
    expect(parseStoreTarget(pathToFileURL(root).href)).toEqual({ kind: 'folder', root });
  });

  it('reads s3 URLs with and without a prefix', () => {
    expect(parseStoreTarget('s3://ember-data')).toEqual({ kind: 's3', bucket: 'ember-data', prefix: '' });
    expect(parseStoreTarget('s3://ember-data/')).toEqual({ kind: 's3', bucket: 'ember-data', prefix: '' });
    expect(parseStoreTarget('s3://ember-data/datasets/v1/')).toEqual({
      kind: 's3',
      bucket: 'ember-data',
      prefix: 'datasets/v1',
    });
  });

  it('explains bad targets in one line', () => {
    const messages = [
      badTargetMessage(() => parseStoreTarget('')),
      badTargetMessage(() => parseStoreTarget('http://example.com/x')),
      badTargetMessage(() => parseStoreTarget('s3://')),
      badTargetMessage(() => parseStoreTarget('s3://Bad_Bucket/x')),
      badTargetMessage(() => parseStoreTarget('s3://bucket/../up')),
      badTargetMessage(() => parseStoreTarget('file://remote-host/share')),
    ];
    expect(messages[1]).toContain("unsupported scheme 'http:'");
    expect(messages[3]).toContain('"Bad_Bucket"');
    for (const message of messages) {
      expect(message).not.toContain('\n');
      expect(message).toContain('s3://bucket/prefix');
    }
  });
});

describe('resolveS3StoreOptions', () => {
  const location = { bucket: 'b', prefix: 'p' };

  it('takes endpoint, region and credentials from the environment', () => {
    const options = resolveS3StoreOptions('s3://b/p', location, {
      env: {
        EMBERWATCH_S3_ENDPOINT: 'http://127.0.0.1:9000',
        AWS_REGION: 'eu-central-1',
        AWS_ACCESS_KEY_ID: 'id',
        AWS_SECRET_ACCESS_KEY: 'secret',
      },
    });
    expect(options).toEqual({
      bucket: 'b',
      prefix: 'p',
      endpoint: 'http://127.0.0.1:9000',
      region: 'eu-central-1',
      credentials: { accessKeyId: 'id', secretAccessKey: 'secret' },
      forcePathStyle: true,
    });
  });

  it('prefers explicit options, and leaves credentials to the default chain when none are given', () => {
    const options = resolveS3StoreOptions('s3://b/p', location, {
      s3: { region: 'us-west-2', forcePathStyle: false },
      env: { AWS_REGION: 'eu-central-1' },
    });
    expect(options).toEqual({ bucket: 'b', prefix: 'p', region: 'us-west-2', forcePathStyle: false });
  });

  it('refuses half a key pair and endpoints that are not URLs', () => {
    expect(
      badTargetMessage(() => resolveS3StoreOptions('s3://b', location, { env: { AWS_ACCESS_KEY_ID: 'id' } })),
    ).toContain('AWS_SECRET_ACCESS_KEY');
    expect(
      badTargetMessage(() =>
        resolveS3StoreOptions('s3://b', location, { env: { EMBERWATCH_S3_ENDPOINT: 'localhost:9000' } }),
      ),
    ).toContain('not an http(s) URL');
  });
});

describe('openObjectStore', () => {
  it('opens the adapter the target names, without touching disk or network', async () => {
    const folder = openObjectStore('some/folder', { cwd: '/nonexistent-ember' });
    expect(folder).toBeInstanceOf(FolderStore);
    expect(folder.describe()).toBe(pathToFileURL('/nonexistent-ember/some/folder').href);
    const s3 = openObjectStore('s3://ember-data/runs', { env: {} });
    expect(s3).toBeInstanceOf(S3Store);
    expect(s3.describe()).toBe('s3://ember-data/runs/');
    await Promise.all([folder.close(), s3.close()]);
  });
});
