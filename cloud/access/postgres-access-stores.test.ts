import { describe, expect, it } from 'vitest';
import { postgresForFile, queryRows } from '../../test/helpers/postgres.js';
import { AccessAdmin } from './access-admin.js';
import { AccessControl } from './access-control.js';
import { postgresAccessStores } from './access-stores-set.js';
import { describeAccessStoresContract } from './access-stores.contract.js';

const createDatabase = postgresForFile();

describeAccessStoresContract('PostgreSQL', async () => {
  const database = await createDatabase();
  const stores = postgresAccessStores(database.url);
  const each = [stores.users, stores.tokens, stores.sessions, stores.audit];
  for (const store of each) await store.start();
  let disposed = false;
  return {
    ...stores,
    async dispose() {
      if (disposed) return;
      disposed = true;
      for (const store of each) await store.stop();
      await database.drop();
    },
  };
});

describe('access stores on one PostgreSQL connection', () => {
  it('share one for users, tokens and sessions, one for the audit log, each store refused once it stopped', async () => {
    const database = await createDatabase();
    const connections = async (): Promise<number> => {
      const [row] = await queryRows<{ n: number }>(
        database.url,
        "SELECT count(*)::int - 1 AS n FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'",
      );
      return row?.n ?? -1;
    };
    const stores = postgresAccessStores(database.url);
    const each = [stores.users, stores.tokens, stores.sessions, stores.audit];
    try {
      for (const store of each) await store.start();
      expect(await connections()).toBe(2);
      await stores.users.stop();
      await expect(stores.users.get('ann')).rejects.toMatchObject({ code: 'EMBER_ERR_NOT_STARTED' });
      expect(await stores.tokens.list()).toEqual([]);
      for (const store of each) await store.stop();
      expect(await connections()).toBe(0);
    } finally {
      for (const store of each) await store.stop();
      await database.drop();
    }
  });
});

describe('access on PostgreSQL shared by two workers', () => {
  it('lets a user signed up and a token issued on one sign in and call on the other, and one audit log', async () => {
    const database = await createDatabase();
    const one = new AccessControl({ stores: postgresAccessStores(database.url) });
    const two = new AccessControl({ stores: postgresAccessStores(database.url) });
    await one.start();
    await two.start();
    try {
      const admin = new AccessAdmin(one);
      await admin.createUser(
        { username: 'ann', role: 'operator', password: 'correct horse battery' },
        'cli:root',
      );
      const issued = await admin.createToken({ name: 'ci', role: 'admin' }, 'cli:root');
      const session = await two.login('ann', 'correct horse battery');
      expect(await one.sessionPrincipal(session.cookie)).toMatchObject({
        kind: 'user',
        name: 'ann',
        role: 'operator',
      });
      expect(await two.tokenPrincipal(issued.token)).toMatchObject({ role: 'admin' });
      await new AccessAdmin(two).revokeToken(issued.record.id, 'ann');
      expect(await one.tokenPrincipal(issued.token)).toBeUndefined();
      const actions = (await two.auditEntries({ limit: 10 })).map((e) => e.action);
      expect(actions).toEqual(['token-revoked', 'token-created', 'user-created']);
      const versions = await queryRows<{ component: string; version: number }>(
        database.url,
        "SELECT component, version FROM ember_schema WHERE component IN ('access', 'audit') ORDER BY component",
      );
      expect(versions).toEqual([
        { component: 'access', version: 1 },
        { component: 'audit', version: 1 },
      ]);
    } finally {
      await one.stop();
      await two.stop();
      await database.drop();
    }
  });
});
