import type Database from 'better-sqlite3';
import { EmberError } from '../errors.js';

/** One step of a schema: SQL run once, in a transaction, to go from `version - 1` to `version`. */
export interface Migration {
  /** 1, 2, 3…; stored in `PRAGMA user_version` once `up` has run. */
  version: number;
  /**
   * SQL statements. They run inside a transaction, so they must not BEGIN or
   * COMMIT themselves, and `PRAGMA foreign_keys` cannot change there.
   */
  up: string;
}

/** What {@link migrate} did. */
export interface MigrationResult {
  from: number;
  to: number;
  applied: number[];
}

/** The schema version stored in the database header; 0 for a new database. */
export function schemaVersion(db: Database.Database): number {
  const version: unknown = db.pragma('user_version', { simple: true });
  return typeof version === 'number' ? version : 0;
}

function sqliteCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function assertOrdered(migrations: readonly Migration[]): void {
  let previous = 0;
  for (const { version } of migrations) {
    if (!Number.isSafeInteger(version) || version <= previous) {
      throw new EmberError(
        'EMBER_ERR_CATALOG_MIGRATION',
        `migration versions must be positive integers in increasing order; ${version} follows ${previous}`,
      );
    }
    previous = version;
  }
}

function applyOne(db: Database.Database, migration: Migration): boolean {
  // Re-read inside the write lock: another process may have migrated since we looked.
  if (schemaVersion(db) >= migration.version) return false;
  db.exec(migration.up);
  const violations = db.pragma('foreign_key_check') as unknown[];
  if (violations.length > 0) {
    throw new Error(`it leaves ${violations.length} foreign key violation(s)`);
  }
  // user_version lives in the database header, which the transaction covers too.
  db.pragma(`user_version = ${migration.version}`);
  return true;
}

/**
 * Brings the schema up to the last migration, each in its own IMMEDIATE
 * transaction: a failing migration rolls back completely and leaves
 * `user_version` at the last one that succeeded. Refuses a database whose
 * schema is newer than `migrations` knows (EMBER_ERR_CATALOG_TOO_NEW), since
 * older code writing to it could corrupt data it does not understand.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[]): MigrationResult {
  assertOrdered(migrations);
  const from = schemaVersion(db);
  const latest = migrations.at(-1)?.version ?? 0;
  if (from > latest) {
    throw new EmberError(
      'EMBER_ERR_CATALOG_TOO_NEW',
      `database ${db.name} has schema version ${from}, newer than the ${latest} this software knows`,
    );
  }
  const applied: number[] = [];
  for (const migration of migrations) {
    if (migration.version <= from) continue;
    try {
      if (db.transaction(() => applyOne(db, migration)).immediate()) applied.push(migration.version);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new EmberError(
        'EMBER_ERR_CATALOG_MIGRATION',
        `migration ${migration.version} of ${db.name} failed: ${reason}`,
        // SQLITE_BUSY: another process held the write lock past the busy timeout.
        { cause: error, retryable: sqliteCode(error) === 'SQLITE_BUSY' },
      );
    }
  }
  return { from, to: schemaVersion(db), applied };
}
