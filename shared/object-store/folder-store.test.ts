import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isEmberError } from '../errors.js';
import { TEMP_SUFFIX } from './atomic-file.js';
import { FolderStore } from './folder-store.js';
import { describeObjectStoreContract } from './object-store.contract.js';

describeObjectStoreContract('folder', async () => {
  const root = await mkdtemp(join(tmpdir(), 'ember-folder-store-'));
  return { store: new FolderStore(root), dispose: () => rm(root, { recursive: true, force: true }) };
});

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

describe('FolderStore', () => {
  let sandbox: string;
  let root: string;
  let store: FolderStore;

  beforeEach(async () => {
    sandbox = await mkdtemp(join(tmpdir(), 'ember-folder-sandbox-'));
    root = join(sandbox, 'root');
    store = new FolderStore(root);
  });

  afterEach(async () => {
    await rm(sandbox, { recursive: true, force: true });
  });

  it('does no I/O until used, then creates its folders', async () => {
    expect(await readdir(sandbox)).toEqual([]);
    await store.put('a/b/c.json', '{}');
    expect(await filesUnder(sandbox)).toEqual([join(root, 'a', 'b', 'c.json')]);
    expect(store.describe()).toBe(`file://${root}`);
  });

  it('leaves no temporary files behind', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, index) => store.put('same', `body ${index}`)));
    expect(await filesUnder(root)).toEqual([join(root, 'same')]);
  });

  it('ignores half-written temporary files a crash left behind, and refuses their names as keys', async () => {
    await mkdir(join(root, 'runs'), { recursive: true });
    await writeFile(join(root, 'runs', `.0123${TEMP_SUFFIX}`), 'half');
    await store.put('runs/done.json', '{}');
    expect(await store.list('')).toEqual(['runs/done.json']);
    await expect(store.put(`runs/x${TEMP_SUFFIX}`, 'x')).rejects.toMatchObject({
      code: 'EMBER_ERR_STORE_BAD_KEY',
    });
  });

  it('refuses a key that is already the folder of other keys, and cleans up', async () => {
    await store.put('model/weights.onnx', 'w');
    const error: unknown = await store.put('model', 'm').catch((rejection: unknown) => rejection);
    expect(isEmberError(error, 'EMBER_ERR_STORE')).toBe(true);
    expect(String(error)).toContain('cannot also be the folder');
    await expect(store.put('model/weights.onnx/inner', 'x')).rejects.toMatchObject({
      code: 'EMBER_ERR_STORE',
    });
    expect(await filesUnder(root)).toEqual([join(root, 'model', 'weights.onnx')]);
  });

  it('removes folders that deleting leaves empty, but never the root', async () => {
    await store.put('a/b/c', 'x');
    await store.put('keep', 'y');
    await store.delete('a/b/c');
    expect(await readdir(root)).toEqual(['keep']);
    await store.delete('keep');
    expect(await readdir(root)).toEqual([]);
  });

  it('lists nothing from a root that does not exist yet', async () => {
    expect(await store.list('')).toEqual([]);
  });

  it('never writes outside its root, whatever the key', async () => {
    // Deep enough that any '..' the generator can produce would still land inside the sandbox.
    const deepRoot = join(sandbox, 'l1', 'l2', 'l3', 'l4', 'l5', 'l6', 'root');
    const deepStore = new FolderStore(deepRoot);
    const segment = fc.constantFrom('a', '.', '..', '', 'b.txt', '\\', '..\\..', 'C:', '\u0000', ' ', '~');
    const keyArbitrary = fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => parts.join('/'));
    let written = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(keyArbitrary, fc.string({ maxLength: 12 })), async (key) => {
        try {
          await deepStore.put(key, 'x');
          written += 1;
        } catch (error) {
          if (!isEmberError(error, 'EMBER_ERR_STORE_BAD_KEY') && !isEmberError(error, 'EMBER_ERR_STORE')) {
            throw error;
          }
        }
        for (const file of await filesUnder(sandbox)) expect(file.startsWith(deepRoot + sep)).toBe(true);
      }),
      { numRuns: 200 },
    );
    expect(written).toBeGreaterThan(0);
  });
});
