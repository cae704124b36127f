import { join } from 'node:path';
import type { AuditLog, SessionStore, TokenStore, UserStore } from './access-stores.js';
import { SqliteAuditLog } from './sqlite-audit-log.js';
import { SqliteSessionStore } from './sqlite-session-store.js';
import { SqliteTokenStore } from './sqlite-token-store.js';
import { SqliteUserStore } from './sqlite-user-store.js';

/** The four stores authentication and the audit log need. */
export interface AccessStores {
  readonly users: UserStore;
  readonly tokens: TokenStore;
  readonly sessions: SessionStore;
  readonly audit: AuditLog;
}

/** The SQLite adapters in the cloud's data folder: access.sqlite (users, tokens, sessions) and audit.sqlite. */
export function sqliteAccessStores(dataDir: string): AccessStores {
  const access = join(dataDir, 'access.sqlite');
  return {
    users: new SqliteUserStore({ path: access }),
    tokens: new SqliteTokenStore({ path: access }),
    sessions: new SqliteSessionStore({ path: access }),
    audit: new SqliteAuditLog({ path: join(dataDir, 'audit.sqlite') }),
  };
}
