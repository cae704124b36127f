import type { Migration } from '../../shared/catalog/index.js';
import { EmberError, isEmberError } from '../../shared/errors.js';
import type { SyncPostgres } from './sync-postgres.js';

/** What one run of {@link migratePostgres} did. */
export interface PostgresMigrationResult {
  readonly from: number;
  readonly to: number;
  readonly applied: readonly number[];
}

/**
 * Brings one component's tables (`component`: incidents, access…) to the
 * newest of `migrations`, in one transaction under an advisory lock, so
 * several workers starting at once apply each migration exactly once. The
 * versions applied are kept per component in `ember_schema`. A database
 * newer than the migrations is refused (EMBER_ERR_CATALOG_TOO_NEW); a
 * failed migration rolls back whole (EMBER_ERR_CATALOG_MIGRATION).
 */
export function migratePostgres(
  db: SyncPostgres,
  component: string,
  migrations: readonly Migration[],
): PostgresMigrationResult {
  migrations.forEach((migration, index) => {
    const previous = index === 0 ? 0 : (migrations[index - 1]?.version ?? 0);
    if (!Number.isInteger(migration.version) || migration.version <= previous) {
      throw new EmberError(
        'EMBER_ERR_CATALOG_MIGRATION',
        `${component}: migration versions must be increasing positive integers (got ${migration.version} after ${previous})`,
      );
    }
  });
  return db.transaction(() => {
    db.query("SELECT pg_advisory_xact_lock(hashtext('emberwatch-migrations'))");
    db.exec(`CREATE TABLE IF NOT EXISTS ember_schema (
      component TEXT NOT NULL, version INTEGER NOT NULL, applied_at BIGINT NOT NULL,
      PRIMARY KEY (component, version))`);
    const from =
      db.query<{ version: number | null }>(
        'SELECT max(version) AS version FROM ember_schema WHERE component = $1',
        [component],
      ).rows[0]?.version ?? 0;
    const newest = migrations.at(-1)?.version ?? 0;
    if (from > newest) {
      throw new EmberError(
        'EMBER_ERR_CATALOG_TOO_NEW',
        `${component}: the database is at schema ${from}, this software knows up to ${newest}`,
      );
    }
    const applied: number[] = [];
    for (const migration of migrations) {
      if (migration.version <= from) continue;
      try {
        db.exec(migration.up);
      } catch (error) {
        if (!isEmberError(error, 'EMBER_ERR_DATABASE')) throw error;
        throw new EmberError(
          'EMBER_ERR_CATALOG_MIGRATION',
          `${component}: migration ${migration.version} failed: ${error.message}`,
          { cause: error },
        );
      }
      db.query('INSERT INTO ember_schema (component, version, applied_at) VALUES ($1, $2, $3)', [
        component,
        migration.version,
        Date.now(),
      ]);
      applied.push(migration.version);
    }
    return { from, to: Math.max(from, newest), applied };
  });
}

/**
 * Opens `db` and brings `component`'s tables to the newest of `migrations`
 * ({@link migratePostgres}); closes it again when that fails, so a store
 * that cannot start leaves no connection behind. Returns `db`.
 */
export function openMigrated(
  db: SyncPostgres,
  component: string,
  migrations: readonly Migration[],
): SyncPostgres {
  db.open();
  try {
    migratePostgres(db, component, migrations);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
