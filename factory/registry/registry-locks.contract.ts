import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { RegistryCatalogFixture } from './model-registry.contract.js';
import type { RegistryCatalog } from './registry-catalog.js';

/** The locks registries sharing a catalogue take turns by, on every home a catalogue may have. */
export function describeRegistryLockContract(
  name: string,
  makeCatalogs: () => Promise<RegistryCatalogFixture>,
): void {
  describe(`registry locks in ${name}`, () => {
    const cleanup: (() => Promise<void>)[] = [];

    async function twoCatalogs(): Promise<[RegistryCatalog, RegistryCatalog]> {
      const catalogs = await makeCatalogs();
      const home = await catalogs.home('shared');
      const first = home.open().catalog;
      const second = home.open().catalog;
      cleanup.push(async () => {
        first.close();
        second.close();
        await catalogs.dispose();
      });
      return [first, second];
    }

    afterEach(async () => {
      for (const done of cleanup.splice(0)) await done();
    });

    it('gives a lock to one holder at a time, until it lets go', async () => {
      const [one, other] = await twoCatalogs();
      expect(one.tryLock('model:v1', 'a', 60_000)).toBe(true);
      expect(other.tryLock('model:v1', 'b', 60_000)).toBe(false);
      expect(other.tryLock('model:v2', 'b', 60_000)).toBe(true);
      // Its holder may renew it; a stranger's unlock leaves it alone.
      expect(one.tryLock('model:v1', 'a', 60_000)).toBe(true);
      other.unlock('model:v1', 'b');
      expect(other.tryLock('model:v1', 'b', 60_000)).toBe(false);
      one.unlock('model:v1', 'a');
      expect(other.tryLock('model:v1', 'b', 60_000)).toBe(true);
    });

    it('frees the lock of a holder that died once its time is up', async () => {
      const [one, other] = await twoCatalogs();
      expect(one.tryLock('model:v1', 'dead', 200)).toBe(true);
      expect(other.tryLock('model:v1', 'b', 60_000)).toBe(false);
      await sleep(400);
      expect(other.tryLock('model:v1', 'b', 60_000)).toBe(true);
      expect(one.tryLock('model:v1', 'dead', 200)).toBe(false);
    });
  });
}
