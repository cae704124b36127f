import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeAccessStoresContract, type AccessStoresFixture } from './access-stores.contract.js';
import { SqlAuditLog } from './sql-audit-log.js';
import { SqlSessionStore } from './sql-session-store.js';
import { SqlTokenStore } from './sql-token-store.js';
import { SqlUserStore } from './sql-user-store.js';

async function sqliteStores(): Promise<AccessStoresFixture & { dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'ember-access-'));
  const access = join(dir, 'access.sqlite');
  const stores = {
    users: new SqlUserStore({ path: access }),
    tokens: new SqlTokenStore({ path: access }),
    sessions: new SqlSessionStore({ path: access }),
    audit: new SqlAuditLog({ path: join(dir, 'audit.sqlite') }),
  };
  for (const store of Object.values(stores)) await store.start();
  let disposed = false;
  return {
    ...stores,
    dir,
    async dispose() {
      if (disposed) return;
      disposed = true;
      for (const store of Object.values(stores)) await store.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

describeAccessStoresContract('SQLite', sqliteStores);

describe('SQLite access stores', () => {
  it('keep their files owner-only', async () => {
    const stores = await sqliteStores();
    try {
      await stores.audit.append({ ts: 1, actor: 'a', action: 'b', subject: 'c', detail: '' });
      for (const name of ['access.sqlite', 'audit.sqlite', 'audit.sqlite-wal']) {
        expect(statSync(join(stores.dir, name)).mode & 0o777, name).toBe(0o600);
      }
    } finally {
      await stores.dispose();
    }
  });

  it('see what another connection to the same file wrote (the CLI beside a running cloud)', async () => {
    const stores = await sqliteStores();
    const other = new SqlUserStore({ path: join(stores.dir, 'access.sqlite') });
    try {
      await other.start();
      await other.create({
        username: 'ann',
        role: 'admin',
        passwordHash: 'h',
        disabled: false,
        createdAt: 1,
        updatedAt: 1,
      });
      expect((await stores.users.get('ann'))?.role).toBe('admin');
    } finally {
      await other.stop();
      await stores.dispose();
    }
  });
});
