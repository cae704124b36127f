import type Database from 'better-sqlite3';
import { openCatalog } from '../../shared/catalog/index.js';
import type { Logger } from '../../shared/logging.js';
import { DeviceRecord, FLEET_MIGRATIONS } from './device-record.js';

/** Where the fleet keeps its last known device states: a SQLite file or a PostgreSQL database. */
export interface FleetStorage {
  /** Every stored device; a row that no longer parses is logged and skipped. */
  load(log: Logger): DeviceRecord[];
  /** Writes the records in one transaction, stamped `updatedAt`. */
  write(records: readonly DeviceRecord[], updatedAt: number): void;
  close(): void;
}

/** The fleet's SQLite file: one JSON row per device (see device-record.ts), `synchronous=NORMAL`. */
export class FleetFile implements FleetStorage {
  readonly #db: Database.Database;
  readonly #upsert: Database.Statement<[string, string, number]>;

  private constructor(db: Database.Database) {
    this.#db = db;
    this.#upsert = db.prepare(
      `INSERT INTO devices (device_id, state, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (device_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
    );
  }

  /** Opens (or creates, with its folder) the file. */
  static open(path: string): FleetFile {
    return new FleetFile(openCatalog(path, { synchronous: 'NORMAL', migrations: FLEET_MIGRATIONS }));
  }

  /** Every stored device; a row that no longer parses is logged and skipped. */
  load(log: Logger): DeviceRecord[] {
    const rows = this.#db
      .prepare<[], { device_id: string; state: string }>('SELECT device_id, state FROM devices')
      .all();
    return parseDeviceRows(rows, log);
  }

  /** Writes the records in one transaction, stamped `updatedAt`. */
  write(records: readonly DeviceRecord[], updatedAt: number): void {
    this.#db.transaction(() => {
      for (const record of records) this.#upsert.run(record.deviceId, JSON.stringify(record), updatedAt);
    })();
  }

  close(): void {
    this.#db.close();
  }
}

/** Stored rows as records; a row that no longer parses is logged and skipped. */
export function parseDeviceRows(
  rows: readonly { device_id: string; state: string }[],
  log: Logger,
): DeviceRecord[] {
  const records: DeviceRecord[] = [];
  for (const row of rows) {
    const parsed = DeviceRecord.safeParse(safeJson(row.state));
    if (parsed.success) records.push(parsed.data);
    else log.warn({ deviceId: row.device_id }, 'unreadable stored device state skipped');
  }
  return records;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
