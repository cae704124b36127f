import type { Migration } from '../../shared/catalog/index.js';

const tables = (integer: string): string => `
CREATE TABLE device_configs (
  device_id TEXT PRIMARY KEY,
  revision INTEGER NOT NULL,
  payload TEXT NOT NULL,
  sent_at ${integer} NOT NULL,
  applied_at ${integer}
);
CREATE TABLE device_reports (
  device_id TEXT PRIMARY KEY,
  revision INTEGER NOT NULL,
  ts ${integer} NOT NULL
);`;

/** The delivery's own SQLite file. */
export const SQLITE_DEVICE_CONFIG_MIGRATIONS: readonly Migration[] = [{ version: 1, up: tables('INTEGER') }];

/** The same tables in a PostgreSQL database several workers share, versioned as `device-configs`. */
export const POSTGRES_DEVICE_CONFIG_MIGRATIONS: readonly Migration[] = [{ version: 1, up: tables('BIGINT') }];
