import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LeaseStore } from './lease-store.js';
import { SingletonLease } from './singleton-lease.js';

/** One test's database: `store()` opens another store on it, as another worker would. */
export interface LeaseBackend {
  store(): LeaseStore;
  dispose(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => boolean, withinMs: number): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > withinMs) throw new Error(`${what} did not happen within ${withinMs} ms`);
    await sleep(10);
  }
  return Date.now() - started;
}

/**
 * The behaviour every lease store must have: one suite, run on a SQLite
 * file and on PostgreSQL.
 */
export function describeLeaseStoreContract(name: string, makeBackend: () => Promise<LeaseBackend>): void {
  describe(`LeaseStore on ${name}`, () => {
    let backend: LeaseBackend;
    let opened: LeaseStore[];

    function open(): LeaseStore {
      const store = backend.store();
      store.open();
      opened.push(store);
      return store;
    }

    beforeEach(async () => {
      backend = await makeBackend();
      opened = [];
    });

    afterEach(async () => {
      for (const store of opened) store.close();
      await backend.dispose();
    });

    it('gives a free lease to the first claimer and refuses it to others until it expires', async () => {
      const [a, b] = [open(), open()];
      expect(a.holderOf('rollout')).toBeUndefined();
      expect(a.claim('rollout', 'worker-a', 400)).toBe(true);
      expect(b.claim('rollout', 'worker-b', 400)).toBe(false);
      expect(b.holderOf('rollout')).toBe('worker-a');
      // Another name is another lease.
      expect(b.claim('learning', 'worker-b', 400)).toBe(true);
      await sleep(500);
      expect(b.holderOf('rollout')).toBeUndefined();
      expect(b.claim('rollout', 'worker-b', 400)).toBe(true);
      expect(a.claim('rollout', 'worker-a', 400)).toBe(false);
      expect(a.holderOf('rollout')).toBe('worker-b');
    });

    it('keeps a lease its holder renews past its first expiry', async () => {
      const [a, b] = [open(), open()];
      expect(a.claim('repeats', 'worker-a', 300)).toBe(true);
      for (let i = 0; i < 4; i++) {
        await sleep(150);
        expect(a.claim('repeats', 'worker-a', 300)).toBe(true);
        expect(b.claim('repeats', 'worker-b', 300)).toBe(false);
      }
      expect(b.holderOf('repeats')).toBe('worker-a');
    });

    it('hands a released lease over at once, and ignores a release by one who does not hold it', () => {
      const [a, b] = [open(), open()];
      expect(a.claim('rollout', 'worker-a', 60_000)).toBe(true);
      b.release('rollout', 'worker-b');
      expect(b.holderOf('rollout')).toBe('worker-a');
      a.release('rollout', 'worker-a');
      expect(b.holderOf('rollout')).toBeUndefined();
      expect(b.claim('rollout', 'worker-b', 60_000)).toBe(true);
    });

    it('gives one lease to exactly one of several workers claiming it in turn', async () => {
      const stores = [open(), open(), open()];
      const won = await Promise.all(
        stores.map(async (store, i) => {
          await sleep(0);
          return store.claim('learning', `worker-${String(i)}`, 60_000);
        }),
      );
      expect(won.filter(Boolean)).toHaveLength(1);
    });

    it('runs a singleton on one keeper at a time and hands it over when the holder stops', async () => {
      const keepers = ['a', 'b', 'c'].map(
        (holder) =>
          new SingletonLease({ store: open(), name: 'rollout', holder, ttlMs: 600, renewEveryMs: 100 }),
      );
      const changes: string[] = [];
      keepers.forEach((keeper, i) => keeper.onChange((held) => changes.push(`${String(i)} ${String(held)}`)));
      for (const keeper of keepers) keeper.start();
      try {
        const holders = (): number[] => keepers.flatMap((k, i) => (k.held ? [i] : []));
        expect(holders()).toEqual([0]);
        await sleep(700);
        expect(holders()).toEqual([0]);
        keepers[0]?.stop();
        expect(keepers[0]?.held).toBe(false);
        await until('another keeper holding it', () => holders().length === 1, 1_000);
        const next = holders()[0] ?? -1;
        expect(next).toBeGreaterThan(0);
        expect(changes).toEqual(['0 true', '0 false', `${String(next)} true`]);
      } finally {
        for (const keeper of keepers) keeper.stop();
      }
    });

    it('lets another keeper take over from one that stopped renewing without a word, once its lease expires', async () => {
      const dead = open();
      // A worker killed outright: it claimed, then never renewed nor released.
      expect(dead.claim('repeats', 'killed', 500)).toBe(true);
      const keeper = new SingletonLease({
        store: open(),
        name: 'repeats',
        holder: 'survivor',
        ttlMs: 500,
        renewEveryMs: 50,
      });
      keeper.start();
      try {
        expect(keeper.held).toBe(false);
        const waited = await until('the survivor holding it', () => keeper.held, 2_000);
        expect(waited).toBeLessThan(1_000);
      } finally {
        keeper.stop();
      }
    });
  });
}
