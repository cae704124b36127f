import type Database from 'better-sqlite3';
import { openCatalog, type Migration } from '../../shared/catalog/index.js';
import { EmberError } from '../../shared/errors.js';
import { migratePostgres } from './postgres-migrate.js';
import { SyncPostgres } from './sync-postgres.js';

/**
 * Named leases, each held by at most one holder at a time until it expires:
 * how several workers sharing a database agree which one runs a singleton
 * (rollout orchestration, alert repeats, learning). A holder that stops
 * renewing (killed, cut off) loses its lease when it expires.
 */
export interface LeaseStore {
  /** Opens the file or connection and creates the table. */
  open(): void;
  close(): void;
  /**
   * Takes `name` for `holder` when no one holds it, its lease expired or
   * `holder` already has it, until `ttlMs` from now (the database's clock on
   * PostgreSQL, so workers' clocks need not agree). True when `holder` holds it.
   */
  claim(name: string, holder: string, ttlMs: number): boolean;
  /** Gives `name` up at once when `holder` holds it, so another can take it without waiting. */
  release(name: string, holder: string): void;
  /** Who holds `name` now, if anyone. */
  holderOf(name: string): string | undefined;
}

const TABLE = `CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);`;

/** PostgreSQL's table, versioned with the other components' (`ember_schema`). */
export const POSTGRES_LEASE_MIGRATIONS: readonly Migration[] = [{ version: 1, up: TABLE }];
const SQLITE_LEASE_MIGRATIONS: readonly Migration[] = [{ version: 1, up: TABLE }];

/** An upsert that only overwrites a lease that is ours or expired; RETURNING says whether it did. */
function claimSql(now: string): string {
  return `INSERT INTO leases (name, holder, expires_at) VALUES (@name, @holder, ${now} + @ttl)
ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
WHERE leases.holder = excluded.holder OR leases.expires_at <= ${now}
RETURNING holder`;
}

/** The server's clock in ms: the one clock every worker sharing the database reads. */
const PG_NOW = '(extract(epoch from clock_timestamp()) * 1000)::bigint';

/** Leases in a PostgreSQL database several workers share. */
export class PostgresLeaseStore implements LeaseStore {
  readonly #db: SyncPostgres;

  constructor(url: string) {
    this.#db = new SyncPostgres(url, 'lease store');
  }

  open(): void {
    this.#db.open();
    try {
      migratePostgres(this.#db, 'leases', POSTGRES_LEASE_MIGRATIONS);
    } catch (error) {
      this.#db.close();
      throw error;
    }
  }

  close(): void {
    this.#db.close();
  }

  claim(name: string, holder: string, ttlMs: number): boolean {
    const sql = claimSql(PG_NOW).replace('@ttl', '@ttl::bigint');
    return this.#db.prepare(sql).get({ name, holder, ttl: Math.round(ttlMs) }) !== undefined;
  }

  release(name: string, holder: string): void {
    this.#db.prepare('DELETE FROM leases WHERE name = @name AND holder = @holder').run({ name, holder });
  }

  holderOf(name: string): string | undefined {
    const row = this.#db
      .prepare<[{ name: string }], { holder: string }>(
        `SELECT holder FROM leases WHERE name = @name AND expires_at > ${PG_NOW}`,
      )
      .get({ name });
    return row?.holder;
  }
}

/**
 * Leases in a SQLite file: one cloud process owns its files, so it holds
 * every lease; the table keeps the same rules so one contract suite covers
 * both stores.
 */
export class SqliteLeaseStore implements LeaseStore {
  readonly #path: string;
  readonly #now: () => number;
  #db: Database.Database | undefined;

  constructor(path: string, now: () => number = Date.now) {
    this.#path = path;
    this.#now = now;
  }

  open(): void {
    this.#db ??= openCatalog(this.#path, { synchronous: 'NORMAL', migrations: SQLITE_LEASE_MIGRATIONS });
  }

  close(): void {
    this.#db?.close();
    this.#db = undefined;
  }

  claim(name: string, holder: string, ttlMs: number): boolean {
    const row: unknown = this.#require()
      .prepare(claimSql('@now'))
      .get({ name, holder, ttl: Math.round(ttlMs), now: this.#now() });
    return row !== undefined;
  }

  release(name: string, holder: string): void {
    this.#require()
      .prepare('DELETE FROM leases WHERE name = @name AND holder = @holder')
      .run({ name, holder });
  }

  holderOf(name: string): string | undefined {
    const row = this.#require()
      .prepare('SELECT holder FROM leases WHERE name = @name AND expires_at > @now')
      .get({ name, now: this.#now() }) as { holder: string } | undefined;
    return row?.holder;
  }

  #require(): Database.Database {
    if (this.#db === undefined) throw new EmberError('EMBER_ERR_NOT_STARTED', 'lease store is not open');
    return this.#db;
  }
}
