import { join } from 'node:path';
import type { AuditLog, SessionStore, TokenStore, UserStore } from './access-stores.js';
import { SqlAuditLog } from './sql-audit-log.js';
import { SqlSessionStore } from './sql-session-store.js';
import { SqlTokenStore } from './sql-token-store.js';
import { SqlUserStore } from './sql-user-store.js';

/** The four stores authentication and the audit log need. */
export interface AccessStores {
  readonly users: UserStore;
  readonly tokens: TokenStore;
  readonly sessions: SessionStore;
  readonly audit: AuditLog;
}

/** The SQLite adapters in the cloud's data folder: access.sqlite (users, tokens, sessions) and audit.sqlite. */
export function sqliteAccessStores(dataDir: string): AccessStores {
  const access = { path: join(dataDir, 'access.sqlite') };
  return {
    users: new SqlUserStore(access),
    tokens: new SqlTokenStore(access),
    sessions: new SqlSessionStore(access),
    audit: new SqlAuditLog({ path: join(dataDir, 'audit.sqlite') }),
  };
}

/** The same stores in a PostgreSQL database several workers share: a user or token made on one is valid on all. */
export function postgresAccessStores(url: string): AccessStores {
  const where = { postgresUrl: url };
  return {
    users: new SqlUserStore(where),
    tokens: new SqlTokenStore(where),
    sessions: new SqlSessionStore(where),
    audit: new SqlAuditLog(where),
  };
}

/** The cloud's access stores: in `database` when the configuration names one, else in `dataDir`. */
export function accessStoresOf(where: {
  readonly dataDir: string;
  readonly database?: string;
}): AccessStores {
  return where.database === undefined
    ? sqliteAccessStores(where.dataDir)
    : postgresAccessStores(where.database);
}
