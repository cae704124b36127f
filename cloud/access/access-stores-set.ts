import { join } from 'node:path';
import type { AuditLog, SessionStore, TokenStore, UserStore } from './access-stores.js';
import { AccessHandle } from './access-tables.js';
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

/**
 * The same stores in a PostgreSQL database several workers share: a user
 * or token made on one is valid on all. Users, tokens and sessions share
 * one connection; the audit log has its own.
 */
export function postgresAccessStores(url: string): AccessStores {
  const where = { postgresUrl: url };
  const access = new AccessHandle(where, 'access', 'access store');
  return {
    users: new SqlUserStore(access),
    tokens: new SqlTokenStore(access),
    sessions: new SqlSessionStore(access),
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
