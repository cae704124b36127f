import type Database from 'better-sqlite3';
import { openCatalog, type Migration } from '../../shared/catalog/index.js';
import { EmberError } from '../../shared/errors.js';
import { openMigrated } from '../database/postgres-migrate.js';
import { sqlStateOfDatabaseError, SyncPostgres, type SyncStatement } from '../database/sync-postgres.js';

const accessTables = (integer: string): string => `
CREATE TABLE users (
  username TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at ${integer} NOT NULL,
  updated_at ${integer} NOT NULL
);
CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  created_by TEXT NOT NULL,
  created_at ${integer} NOT NULL,
  expires_at ${integer},
  last_used_at ${integer},
  revoked_at ${integer}
);
CREATE TABLE sessions (
  hash TEXT PRIMARY KEY,
  id TEXT NOT NULL,
  username TEXT NOT NULL,
  created_at ${integer} NOT NULL,
  expires_at ${integer} NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (username);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);`;

const auditTable = (seq: string, integer: string): string => `
CREATE TABLE audit (
  seq ${seq},
  ts ${integer} NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  detail TEXT NOT NULL
);`;

/** users, api_tokens and sessions share one file, access.sqlite; each store opens its own connection. */
export const ACCESS_MIGRATIONS: readonly Migration[] = [{ version: 1, up: accessTables('INTEGER') }];
export const AUDIT_MIGRATIONS: readonly Migration[] = [
  { version: 1, up: auditTable('INTEGER PRIMARY KEY AUTOINCREMENT', 'INTEGER') },
];
/** The same tables in PostgreSQL, versioned in `ember_schema` as `access` and `audit`. */
export const POSTGRES_ACCESS_MIGRATIONS: readonly Migration[] = [{ version: 1, up: accessTables('BIGINT') }];
export const POSTGRES_AUDIT_MIGRATIONS: readonly Migration[] = [
  { version: 1, up: auditTable('BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY', 'BIGINT') },
];

/** Where the access stores keep their tables: a SQLite file, or a PostgreSQL database several workers share. */
export type AccessWhere = { readonly path: string } | { readonly postgresUrl: string };

/** The statements the stores run: better-sqlite3's shape, which SyncPostgres shares. */
export interface AccessDb {
  prepare(sql: string): SyncStatement;
}

/**
 * One connection, of one store or shared by several (the users, tokens and
 * sessions on PostgreSQL): opened by the first store's start(), closed by
 * the last one's stop(), refused in between. On PostgreSQL the tables are
 * migrated at open, versioned in `ember_schema` as `component` (`access`
 * or `audit`).
 */
export class AccessHandle {
  readonly #where: AccessWhere;
  readonly #migrations: Readonly<Record<'sqlite' | 'postgres', readonly Migration[]>>;
  readonly #component: string;
  readonly #what: string;
  readonly #users = new Set<object>();
  #db: { readonly db: AccessDb; close(): void } | undefined;

  constructor(where: AccessWhere, component: 'access' | 'audit', what: string) {
    this.#where = where;
    this.#component = component;
    this.#migrations =
      component === 'access'
        ? { sqlite: ACCESS_MIGRATIONS, postgres: POSTGRES_ACCESS_MIGRATIONS }
        : { sqlite: AUDIT_MIGRATIONS, postgres: POSTGRES_AUDIT_MIGRATIONS };
    this.#what = what;
  }

  /** Opens the connection for `user` (a store), unless it is open already. */
  open(user: object): void {
    this.#db ??= this.#connect();
    this.#users.add(user);
  }

  /** `user` is done with it; closed when no store uses it any more. */
  close(user: object): void {
    this.#users.delete(user);
    if (this.#users.size > 0) return;
    this.#db?.close();
    this.#db = undefined;
  }

  #connect(): { readonly db: AccessDb; close(): void } {
    if ('path' in this.#where) {
      const db: Database.Database = openCatalog(this.#where.path, { migrations: this.#migrations.sqlite });
      return { db, close: () => db.close() };
    }
    const pg = openMigrated(
      new SyncPostgres(this.#where.postgresUrl, this.#what),
      this.#component,
      this.#migrations.postgres,
    );
    return { db: pg, close: () => pg.close() };
  }

  /** The connection, for a store between its start() and stop(). */
  dbOf(user: object): AccessDb {
    if (this.#db === undefined || !this.#users.has(user)) {
      throw new EmberError('EMBER_ERR_NOT_STARTED', `${this.#what}: used before start() or after stop()`);
    }
    return this.#db.db;
  }
}

/** True for SQLite's and PostgreSQL's (23505) unique and primary-key violations. */
export function isUniqueViolation(error: unknown): boolean {
  if (sqlStateOfDatabaseError(error) === '23505') return true;
  const code = error instanceof Error && 'code' in error ? String(error.code) : '';
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** Synchronous database work as a promise: a throw becomes a rejection, as an adapter over a network would fail. */
export function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
