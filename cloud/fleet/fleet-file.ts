import type Database from 'better-sqlite3';
import { openCatalog } from '../../shared/catalog/index.js';
import type { Logger } from '../../shared/logging.js';
import { DeviceRecord, FLEET_MIGRATIONS } from './device-record.js';

/** The fleet's SQLite file: one JSON row per device (see device-record.ts), `synchronous=NORMAL`. */
export class FleetFile {
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
    const records: DeviceRecord[] = [];
    for (const row of rows) {
      const parsed = DeviceRecord.safeParse(safeJson(row.state));
      if (parsed.success) records.push(parsed.data);
      else log.warn({ deviceId: row.device_id }, 'unreadable stored device state skipped');
    }
    return records;
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

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
