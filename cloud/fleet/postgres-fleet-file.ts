import type { Migration } from '../../shared/catalog/index.js';
import type { Logger } from '../../shared/logging.js';
import { openMigrated } from '../database/postgres-migrate.js';
import { SyncPostgres } from '../database/sync-postgres.js';
import type { DeviceRecord } from './device-record.js';
import { parseDeviceRows, type FleetStorage } from './fleet-file.js';

/** The same one table as the SQLite file, versioned in `ember_schema` as `fleet`. */
export const POSTGRES_FLEET_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    up: `
CREATE TABLE devices (
  device_id TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);`,
  },
];

/**
 * The fleet's last known device states in a PostgreSQL database several
 * workers share: each worker loads every device at start and writes the
 * devices it changed; a device written by two workers keeps the later write.
 */
export class PostgresFleetFile implements FleetStorage {
  readonly #db: SyncPostgres;

  private constructor(db: SyncPostgres) {
    this.#db = db;
  }

  /** Connects and brings the table to the newest migration. */
  static open(url: string): PostgresFleetFile {
    const db = openMigrated(new SyncPostgres(url, 'fleet store'), 'fleet', POSTGRES_FLEET_MIGRATIONS);
    return new PostgresFleetFile(db);
  }

  load(log: Logger): DeviceRecord[] {
    const rows = this.#db.query<{ device_id: string; state: string }>(
      'SELECT device_id, state FROM devices',
    ).rows;
    return parseDeviceRows(rows, log);
  }

  write(records: readonly DeviceRecord[], updatedAt: number): void {
    if (records.length === 0) return;
    // One statement for the whole flush: one round trip however many devices changed.
    const values: string[] = [];
    const params: (string | number)[] = [];
    for (const record of records) {
      const n = params.length;
      values.push(`($${String(n + 1)}, $${String(n + 2)}, $${String(n + 3)}::bigint)`);
      params.push(record.deviceId, JSON.stringify(record), updatedAt);
    }
    this.#db.query(
      `INSERT INTO devices (device_id, state, updated_at) VALUES ${values.join(', ')}
       ON CONFLICT (device_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
      params,
    );
  }

  close(): void {
    this.#db.close();
  }
}
