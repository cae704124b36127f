import type Database from 'better-sqlite3';
import { openCatalog, type Migration } from '../../shared/catalog/index.js';
import { EmberError } from '../../shared/errors.js';

/** users, api_tokens and sessions share one file, access.sqlite; each store opens its own connection. */
export const ACCESS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    up: `
CREATE TABLE users (
  username TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  last_used_at INTEGER,
  revoked_at INTEGER
);
CREATE TABLE sessions (
  hash TEXT PRIMARY KEY,
  id TEXT NOT NULL,
  username TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (username);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);`,
  },
];

export const AUDIT_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    up: `
CREATE TABLE audit (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  ts INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  detail TEXT NOT NULL
);`,
  },
];

/** One connection of a store: opened by start(), closed by stop(), refused in between. */
export class SqliteHandle {
  readonly #path: string;
  readonly #migrations: readonly Migration[];
  readonly #what: string;
  #db: Database.Database | undefined;

  constructor(path: string, migrations: readonly Migration[], what: string) {
    this.#path = path;
    this.#migrations = migrations;
    this.#what = what;
  }

  open(): void {
    this.#db ??= openCatalog(this.#path, { migrations: this.#migrations });
  }

  close(): void {
    this.#db?.close();
    this.#db = undefined;
  }

  get db(): Database.Database {
    if (this.#db === undefined) {
      throw new EmberError('EMBER_ERR_NOT_STARTED', `${this.#what}: used before start() or after stop()`);
    }
    return this.#db;
  }

  get isOpen(): boolean {
    return this.#db?.open === true;
  }
}

/** True for SQLite's unique and primary-key violations. */
export function isUniqueViolation(error: unknown): boolean {
  const code = error instanceof Error && 'code' in error ? String(error.code) : '';
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** Synchronous SQLite work as a promise: a throw becomes a rejection, as an adapter over a network would fail. */
export function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
