import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isEmberError, type ErrorCode } from '../errors.js';
import type { ObjectStore } from './object-store.js';

/** A store for one test, empty, and how to throw it away. */
export interface ObjectStoreFixture {
  store: ObjectStore;
  dispose(): Promise<void>;
}

/** Keys every store must refuse with EMBER_ERR_STORE_BAD_KEY. */
export const BAD_KEYS = [
  '',
  '/etc/passwd',
  '../outside',
  'a/../../outside',
  'a/..',
  './a',
  'a/./b',
  'a//b',
  'a/',
  'a\\b',
  '..\\outside',
  'a\u0000b',
  'a\nb',
  'a\u007fb',
  'C:/windows',
  'x'.repeat(1025),
];

const FIVE_MB = 5 * 1024 * 1024;

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(isEmberError(error, code), `expected ${code}, got ${String(error)}`).toBe(true);
}

async function putInBatches(store: ObjectStore, keys: readonly string[], batchSize: number): Promise<void> {
  for (let start = 0; start < keys.length; start += batchSize) {
    await Promise.all(keys.slice(start, start + batchSize).map((key) => store.put(key, key)));
  }
}

/**
 * The behaviour every {@link ObjectStore} adapter must show. Call it inside a
 * test file with a factory that returns a fresh, empty store for each test.
 */
export function describeObjectStoreContract(name: string, open: () => Promise<ObjectStoreFixture>): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let fixture: ObjectStoreFixture;
    let store: ObjectStore;
    let scratch: string;

    beforeEach(async () => {
      fixture = await open();
      store = fixture.store;
      scratch = await mkdtemp(join(tmpdir(), 'ember-store-contract-'));
    });

    afterEach(async () => {
      await fixture.dispose();
      await rm(scratch, { recursive: true, force: true });
    });

    it('describes itself for logs', () => {
      expect(store.describe()).toMatch(/^(file|s3):\/\//);
    });

    it('round-trips every byte value', async () => {
      const body = Uint8Array.from({ length: 256 }, (_, index) => index);
      await store.put('bytes/all.bin', body);
      expect(Buffer.from(await store.get('bytes/all.bin')).equals(body)).toBe(true);
    });

    it('round-trips an empty object', async () => {
      await store.put('empty', new Uint8Array(0));
      expect((await store.get('empty')).byteLength).toBe(0);
      expect(await store.exists('empty')).toBe(true);
    });

    it('round-trips 5 MB of random bytes unchanged', async () => {
      const body = randomBytes(FIVE_MB);
      await store.put('big/random.bin', body, { contentType: 'application/octet-stream' });
      const back = await store.get('big/random.bin');
      expect(back.byteLength).toBe(FIVE_MB);
      expect(sha256(back)).toBe(sha256(body));
    });

    it('streams 5 MB from a file and back into a file', async () => {
      const body = randomBytes(FIVE_MB);
      const source = join(scratch, 'source.bin');
      const destination = join(scratch, 'nested', 'copy.bin');
      await writeFile(source, body);
      await store.putFile('big/file.bin', source);
      await store.getToFile('big/file.bin', destination);
      expect(sha256(await readFile(destination))).toBe(sha256(body));
      expect(sha256(await store.get('big/file.bin'))).toBe(sha256(body));
    });

    it('stores text as UTF-8', async () => {
      const text = 'Flamme über 400 °C 🔥\n';
      await store.put('notes/fire.txt', text, { contentType: 'text/plain' });
      expect(await store.getText('notes/fire.txt')).toBe(text);
      expect(Buffer.from(await store.get('notes/fire.txt')).equals(Buffer.from(text, 'utf8'))).toBe(true);
    });

    it('replaces an object on overwrite', async () => {
      await store.put('runs/1/meta.json', '{"version":1}');
      await store.put('runs/1/meta.json', '{"version":2}');
      expect(await store.getText('runs/1/meta.json')).toBe('{"version":2}');
      expect(await store.list('runs/')).toEqual(['runs/1/meta.json']);
    });

    it('ends concurrent writes of one key with one whole body, never a mix', async () => {
      const bodies = Array.from({ length: 12 }, (_, index) => Buffer.alloc(64 * 1024, index + 1));
      await Promise.all(bodies.map((body) => store.put('race.bin', body)));
      const back = Buffer.from(await store.get('race.bin'));
      expect(bodies.some((body) => body.equals(back))).toBe(true);
    });

    it('lists keys under a prefix, as a string prefix, sorted', async () => {
      const keys = ['runs/2/a.json', 'runs/10/a.json', 'runs/1/b.json', 'runs/1/a.json', 'models/m.onnx'];
      await Promise.all(keys.map((key) => store.put(key, key)));
      expect(await store.list('runs/1/')).toEqual(['runs/1/a.json', 'runs/1/b.json']);
      expect(await store.list('runs/1')).toEqual(['runs/1/a.json', 'runs/1/b.json', 'runs/10/a.json']);
      expect(await store.list('runs/')).toEqual([
        'runs/1/a.json',
        'runs/1/b.json',
        'runs/10/a.json',
        'runs/2/a.json',
      ]);
      expect(await store.list('')).toEqual([...keys].sort());
      expect(await store.list('nothing/')).toEqual([]);
    });

    it('lists in UTF-8 byte order, where a folder sorts by its slash', async () => {
      const keys = ['b', 'a/x', 'a0', 'a.txt', 'a-c', 'é', 'z'];
      await Promise.all(keys.map((key) => store.put(key, key)));
      expect(await store.list('')).toEqual(['a-c', 'a.txt', 'a/x', 'a0', 'b', 'z', 'é']);
    });

    // 1000 is S3's page size; s3rver takes about 8 ms a put, hence the long timeout.
    it('lists more than 1000 keys (one S3 page)', { timeout: 60_000 }, async () => {
      const keys = Array.from({ length: 1100 }, (_, index) => `many/k${String(index).padStart(4, '0')}`);
      await putInBatches(store, keys, 100);
      await store.put('manx', 'not under the prefix');
      const listed = await store.list('many/');
      expect(listed).toHaveLength(1100);
      expect(listed).toEqual(keys);
    });

    it('deletes objects, and deleting nothing is fine', async () => {
      await store.put('gone/soon.txt', 'x');
      await store.put('gone/stays.txt', 'y');
      await store.delete('gone/soon.txt');
      expect(await store.exists('gone/soon.txt')).toBe(false);
      expect(await store.exists('gone/stays.txt')).toBe(true);
      expect(await store.list('gone/')).toEqual(['gone/stays.txt']);
      await store.delete('gone/soon.txt');
      await store.delete('never/was.txt');
    });

    it('lets a key be an object again once the keys below it are deleted', async () => {
      await store.put('slot/inner', 'x');
      await store.delete('slot/inner');
      await store.put('slot', 'now an object');
      expect(await store.getText('slot')).toBe('now an object');
      expect(await store.list('')).toEqual(['slot']);
    });

    it('reports a missing object with EMBER_ERR_STORE_NOT_FOUND', async () => {
      await store.put('present/a', 'a');
      expect(await store.exists('absent')).toBe(false);
      expect(await store.exists('present')).toBe(false);
      await expectCode(store.get('absent'), 'EMBER_ERR_STORE_NOT_FOUND');
      await expectCode(store.get('present'), 'EMBER_ERR_STORE_NOT_FOUND');
      await expectCode(store.getText('present/a/deeper'), 'EMBER_ERR_STORE_NOT_FOUND');
      const destination = join(scratch, 'never.bin');
      await expectCode(store.getToFile('absent', destination), 'EMBER_ERR_STORE_NOT_FOUND');
      await expect(stat(destination)).rejects.toThrow();
    });

    it('refuses unsafe keys with EMBER_ERR_STORE_BAD_KEY and writes nothing', async () => {
      const source = join(scratch, 'source.txt');
      await writeFile(source, 'x');
      for (const key of BAD_KEYS) {
        await expectCode(store.put(key, 'x'), 'EMBER_ERR_STORE_BAD_KEY');
        await expectCode(store.putFile(key, source), 'EMBER_ERR_STORE_BAD_KEY');
        await expectCode(store.get(key), 'EMBER_ERR_STORE_BAD_KEY');
        await expectCode(store.getToFile(key, join(scratch, 'out')), 'EMBER_ERR_STORE_BAD_KEY');
        await expectCode(store.exists(key), 'EMBER_ERR_STORE_BAD_KEY');
        await expectCode(store.delete(key), 'EMBER_ERR_STORE_BAD_KEY');
      }
      await expectCode(store.list('../'), 'EMBER_ERR_STORE_BAD_KEY');
      await expectCode(store.list('/abs'), 'EMBER_ERR_STORE_BAD_KEY');
      expect(await store.list('')).toEqual([]);
    });

    it('refuses to upload a file it cannot read', async () => {
      await expectCode(store.putFile('x', join(scratch, 'missing.bin')), 'EMBER_ERR_FILE_UNREADABLE');
      expect(await store.exists('x')).toBe(false);
    });
  });
}
