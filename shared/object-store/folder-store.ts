import { constants } from 'node:fs';
import { copyFile, readFile, readdir, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EmberError } from '../errors.js';
import { isTemporaryName, systemErrorCode, TEMP_SUFFIX, writeFileAtomically } from './atomic-file.js';
import { assertKeyPrefix, assertObjectKey, compareKeys, objectKeyProblem } from './object-key.js';
import type { ObjectStore, PutOptions } from './object-store.js';

// Codes that say "nothing is stored under this key" rather than "the disk failed".
const ABSENT = new Set(['ENOENT', 'ENOTDIR', 'EISDIR']);
const RETRYABLE = new Set(['EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY']);
// A key that is also the folder of other keys, or whose parent is an object.
const KEY_CLASH = new Set(['EISDIR', 'ENOTDIR', 'ENOTEMPTY', 'EEXIST', 'EPERM']);

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * An {@link ObjectStore} in a local folder: one file per key, written
 * atomically. The default store on a laptop and on a gateway.
 */
export class FolderStore implements ObjectStore {
  /** Absolute path of the folder that holds the objects. */
  readonly root: string;
  readonly #rootWithSeparator: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.#rootWithSeparator = this.root.endsWith(sep) ? this.root : this.root + sep;
  }

  describe(): string {
    return pathToFileURL(this.root).href;
  }

  async put(key: string, body: Uint8Array | string, _options?: PutOptions): Promise<void> {
    const path = this.#pathOf(key);
    try {
      await writeFileAtomically(path, (temporary) => writeFile(temporary, body, { flag: 'wx' }));
    } catch (error) {
      throw this.#failure('put', key, error);
    }
  }

  async putFile(key: string, sourcePath: string, _options?: PutOptions): Promise<void> {
    const path = this.#pathOf(key);
    await assertReadableFile(sourcePath);
    try {
      await writeFileAtomically(path, (temporary) =>
        copyFile(sourcePath, temporary, constants.COPYFILE_EXCL),
      );
    } catch (error) {
      throw this.#failure('put', key, error);
    }
  }

  async get(key: string): Promise<Uint8Array> {
    const path = this.#pathOf(key);
    try {
      return await readFile(path);
    } catch (error) {
      throw this.#failure('get', key, error);
    }
  }

  async getText(key: string): Promise<string> {
    return Buffer.from(await this.get(key)).toString('utf8');
  }

  async getToFile(key: string, destinationPath: string): Promise<void> {
    const path = this.#pathOf(key);
    if (!(await this.exists(key))) throw this.#notFound(key);
    try {
      await writeFileAtomically(resolve(destinationPath), (temporary) =>
        copyFile(path, temporary, constants.COPYFILE_EXCL),
      );
    } catch (error) {
      throw this.#failure('get', key, error);
    }
  }

  async exists(key: string): Promise<boolean> {
    const path = this.#pathOf(key);
    try {
      return (await stat(path)).isFile();
    } catch (error) {
      if (ABSENT.has(systemErrorCode(error) ?? '')) return false;
      throw this.#failure('check', key, error);
    }
  }

  async list(prefix: string): Promise<string[]> {
    assertKeyPrefix(prefix);
    const keys: string[] = [];
    try {
      await this.#collect(this.root, '', prefix, keys);
    } catch (error) {
      throw this.#failure('list', prefix, error);
    }
    return keys.sort(compareKeys);
  }

  async delete(key: string): Promise<void> {
    const path = this.#pathOf(key);
    try {
      await unlink(path);
    } catch (error) {
      const code = systemErrorCode(error) ?? '';
      // unlink on a folder fails with EPERM on macOS and EISDIR on Linux: either way no object is there.
      if (ABSENT.has(code) || code === 'EPERM') return;
      throw this.#failure('delete', key, error);
    }
    await this.#pruneEmptyFolders(dirname(path));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  #pathOf(key: string): string {
    assertObjectKey(key);
    const segments = key.split('/');
    if (segments.some((segment) => segment.endsWith(TEMP_SUFFIX))) {
      throw new EmberError(
        'EMBER_ERR_STORE_BAD_KEY',
        `object key ${JSON.stringify(key)} uses ${TEMP_SUFFIX}`,
      );
    }
    const path = join(this.root, ...segments);
    // Key validation already keeps paths inside; this guards against a future rule slipping.
    if (!path.startsWith(this.#rootWithSeparator)) {
      throw new EmberError(
        'EMBER_ERR_STORE_BAD_KEY',
        `object key ${JSON.stringify(key)} leaves ${this.root}`,
      );
    }
    return path;
  }

  async #collect(folder: string, folderKey: string, prefix: string, keys: string[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      if (ABSENT.has(systemErrorCode(error) ?? '')) return;
      throw error;
    }
    for (const entry of entries) {
      if (isTemporaryName(entry.name)) continue;
      const key = folderKey === '' ? entry.name : `${folderKey}/${entry.name}`;
      if (objectKeyProblem(key) !== undefined) continue;
      if (entry.isDirectory()) {
        const asPrefix = `${key}/`;
        if (asPrefix.startsWith(prefix) || prefix.startsWith(asPrefix)) {
          await this.#collect(join(folder, entry.name), key, prefix, keys);
        }
      } else if (entry.isFile() && key.startsWith(prefix)) {
        keys.push(key);
      }
    }
  }

  // Keeps the tree free of empty folders, so that a deleted 'a/b' lets 'a' become an object again.
  async #pruneEmptyFolders(folder: string): Promise<void> {
    let current = folder;
    while (current.startsWith(this.#rootWithSeparator)) {
      try {
        await rmdir(current);
      } catch {
        return;
      }
      current = dirname(current);
    }
  }

  #notFound(key: string): EmberError {
    return new EmberError('EMBER_ERR_STORE_NOT_FOUND', `no object ${key} in ${this.describe()}`);
  }

  #failure(action: string, key: string, error: unknown): EmberError {
    if (error instanceof EmberError) return error;
    const code = systemErrorCode(error) ?? '';
    if (action === 'get' && ABSENT.has(code)) return this.#notFound(key);
    const clash =
      action === 'put' && KEY_CLASH.has(code) ? ' (a key cannot also be the folder of other keys)' : '';
    return new EmberError(
      'EMBER_ERR_STORE',
      `cannot ${action} ${key} in ${this.describe()}: ${messageOf(error)}${clash}`,
      { cause: error, retryable: RETRYABLE.has(code) },
    );
  }
}

async function assertReadableFile(path: string): Promise<void> {
  try {
    if ((await stat(path)).isFile()) return;
  } catch (error) {
    throw new EmberError('EMBER_ERR_FILE_UNREADABLE', `cannot read ${path}: ${messageOf(error)}`, {
      cause: error,
    });
  }
  throw new EmberError('EMBER_ERR_FILE_UNREADABLE', `cannot read ${path}: not a regular file`);
}
