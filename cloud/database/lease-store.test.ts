import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { postgresForFile } from '../../test/helpers/postgres.js';
import { describeLeaseStoreContract } from './lease-store.contract.js';
import { PostgresLeaseStore, SqliteLeaseStore, type LeaseStore } from './lease-store.js';
import { SingletonLease } from './singleton-lease.js';

describeLeaseStoreContract('SQLite', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'ember-leases-'));
  return {
    store: () => new SqliteLeaseStore(join(folder, 'leases.sqlite')),
    dispose: () => rm(folder, { recursive: true, force: true }),
  };
});

const createDatabase = postgresForFile();

describeLeaseStoreContract('PostgreSQL', async () => {
  const database = await createDatabase();
  return { store: () => new PostgresLeaseStore(database.url), dispose: () => database.drop() };
});

describe('SingletonLease', () => {
  it('counts the lease lost as soon as a renewal fails, and gains it back once the database answers', async () => {
    let failing = false;
    const store: LeaseStore = {
      open: () => undefined,
      close: () => undefined,
      claim: () => {
        if (failing) throw new Error('connection lost');
        return true;
      },
      release: () => undefined,
      holderOf: () => undefined,
    };
    const keeper = new SingletonLease({
      store,
      name: 'rollout',
      holder: 'a',
      ttlMs: 1_000,
      renewEveryMs: 20,
    });
    const seen: boolean[] = [];
    keeper.onChange((held) => seen.push(held));
    keeper.start();
    try {
      expect(keeper.held).toBe(true);
      failing = true;
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(keeper.held).toBe(false);
      failing = false;
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(keeper.held).toBe(true);
      expect(seen).toEqual([true, false, true]);
    } finally {
      keeper.stop();
    }
  });
});
