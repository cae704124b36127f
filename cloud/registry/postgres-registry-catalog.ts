import type { Migration } from '../../shared/catalog/index.js';
import {
  registryLocksSql,
  registryTables,
  registryTablesSql,
} from '../../factory/registry/catalog-schema.js';
import {
  RegistryCatalog,
  type OpenedCatalog,
  type RegistryCatalogHome,
} from '../../factory/registry/registry-catalog.js';
import { migratePostgres } from '../database/postgres-migrate.js';
import { SyncPostgres } from '../database/sync-postgres.js';

/** Prefixed: the database holds every shared store's tables (the learning store has its own `decisions`). */
const TABLES = registryTables('registry_');

/** The registry's tables in a PostgreSQL database several workers share, versioned as `registry`. */
export const POSTGRES_REGISTRY_MIGRATIONS: readonly Migration[] = [
  { version: 1, up: `${registryTablesSql(TABLES)}\n${registryLocksSql(TABLES, 'BIGINT')}` },
];

/** The server's clock, so that a lock expires alike for every worker whatever its own clock says. */
const SERVER_NOW_MS = '(extract(epoch FROM clock_timestamp()) * 1000)::bigint';

/**
 * Opens the registry's catalogue in PostgreSQL (EMBER_ERR_DATABASE when it
 * cannot connect): `fresh` only for the worker whose start created the
 * tables, which then fills them from the object store.
 */
export function openPostgresRegistryCatalog(url: string): OpenedCatalog {
  const db = new SyncPostgres(url, 'registry catalogue');
  db.open();
  try {
    const { from } = migratePostgres(db, 'registry', POSTGRES_REGISTRY_MIGRATIONS);
    const catalog = new RegistryCatalog(
      {
        prepare: (sql) => db.prepare(sql),
        exec: (sql) => db.exec(sql),
        transaction: (work) => db.transaction(work),
        nowMsSql: SERVER_NOW_MS,
        close: () => db.close(),
      },
      TABLES,
    );
    return { catalog, fresh: from === 0 };
  } catch (error) {
    db.close();
    throw error;
  }
}

/** The catalogue home of a registry whose catalogue is shared by the workers of one database. */
export function postgresRegistryCatalog(url: string): RegistryCatalogHome {
  return { description: 'the PostgreSQL database', open: () => openPostgresRegistryCatalog(url) };
}
