import { describe, expect, it } from 'vitest';
import { ModelFileCache, type ServedModelFiles } from './model-file-cache.js';

function files(version: string): ServedModelFiles {
  return { model: Buffer.from(`model ${version}`), manifest: Buffer.from(`manifest ${version}`) };
}

describe('ModelFileCache', () => {
  it('reads a version once however often it is served', async () => {
    const reads: string[] = [];
    const cache = new ModelFileCache((version) => {
      reads.push(version);
      return Promise.resolve(files(version));
    });
    const served = await Promise.all([cache.get('m1'), cache.get('m1'), cache.get('m1')]);
    expect(served.map((f) => Buffer.from(f.manifest).toString())).toEqual([
      'manifest m1',
      'manifest m1',
      'manifest m1',
    ]);
    expect(reads).toEqual(['m1']);
  });

  it('does not keep a failed read, so a version registered later is found', async () => {
    let registered = false;
    const cache = new ModelFileCache((version) =>
      registered ? Promise.resolve(files(version)) : Promise.reject(new Error(`no model ${version}`)),
    );
    await expect(cache.get('m2')).rejects.toThrow('no model m2');
    expect(cache.versions()).toEqual([]);
    registered = true;
    expect(Buffer.from((await cache.get('m2')).model).toString()).toBe('model m2');
  });

  it('drops the least recently served version beyond its limit', async () => {
    const reads: string[] = [];
    const cache = new ModelFileCache((version) => {
      reads.push(version);
      return Promise.resolve(files(version));
    }, 2);
    await cache.get('a');
    await cache.get('b');
    await cache.get('a');
    await cache.get('c');
    expect(cache.versions()).toEqual(['a', 'c']);
    await cache.get('b');
    expect(reads).toEqual(['a', 'b', 'c', 'b']);
  });
});
