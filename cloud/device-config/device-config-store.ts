import type Database from 'better-sqlite3';
import { openCatalog, type Migration } from '../../shared/catalog/index.js';

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    up: `
CREATE TABLE device_configs (
  device_id TEXT PRIMARY KEY,
  revision INTEGER NOT NULL,
  payload TEXT NOT NULL,
  sent_at INTEGER NOT NULL,
  applied_at INTEGER
);
CREATE TABLE device_reports (
  device_id TEXT PRIMARY KEY,
  revision INTEGER NOT NULL,
  ts INTEGER NOT NULL
);`,
  },
];

/** The config the cloud last sent a device, and whether the device confirmed it. */
export interface StoredConfig {
  readonly deviceId: string;
  readonly revision: number;
  /** The message as sent, its revision included. */
  readonly payload: string;
  readonly sentAt: number;
  readonly appliedAt: number | null;
}

interface RawConfig {
  device_id: string;
  revision: number;
  payload: string;
  sent_at: number;
  applied_at: number | null;
}

function configOf(raw: RawConfig): StoredConfig {
  return {
    deviceId: raw.device_id,
    revision: raw.revision,
    payload: raw.payload,
    sentAt: raw.sent_at,
    appliedAt: raw.applied_at,
  };
}

/**
 * The config delivery's SQLite file: per device, the config last sent (its
 * revision, the message, when it was sent and when the device confirmed it)
 * and the revision the device last reported running.
 */
export class DeviceConfigStore {
  readonly #db: Database.Database;

  private constructor(db: Database.Database) {
    this.#db = db;
  }

  static open(file: string): DeviceConfigStore {
    // NORMAL: a power cut may lose the last confirmations, which the devices' next statuses make good.
    return new DeviceConfigStore(openCatalog(file, { migrations: MIGRATIONS, synchronous: 'NORMAL' }));
  }

  close(): void {
    this.#db.close();
  }

  /** The next revision for a device: above what was sent and above what the device says it runs. */
  nextRevision(deviceId: string): number {
    const sent = this.get(deviceId)?.revision ?? 0;
    return Math.max(sent, this.reported(deviceId) ?? 0) + 1;
  }

  /** Records a config as sent and not yet confirmed. */
  sent(deviceId: string, revision: number, payload: string, ts: number): StoredConfig {
    this.#db
      .prepare(
        `INSERT INTO device_configs (device_id, revision, payload, sent_at, applied_at) VALUES (?, ?, ?, ?, NULL)
         ON CONFLICT(device_id) DO UPDATE SET revision = excluded.revision, payload = excluded.payload,
           sent_at = excluded.sent_at, applied_at = NULL`,
      )
      .run(deviceId, revision, payload, ts);
    return { deviceId, revision, payload, sentAt: ts, appliedAt: null };
  }

  /** Records what a device reports running; marks its config applied when that is it or a later one. */
  reportedRunning(deviceId: string, revision: number, ts: number): void {
    this.#db.transaction(() => {
      this.#db
        .prepare(
          `INSERT INTO device_reports (device_id, revision, ts) VALUES (?, ?, ?)
           ON CONFLICT(device_id) DO UPDATE SET revision = excluded.revision, ts = excluded.ts`,
        )
        .run(deviceId, revision, ts);
      this.#db
        .prepare(
          'UPDATE device_configs SET applied_at = ? WHERE device_id = ? AND applied_at IS NULL AND revision <= ?',
        )
        .run(ts, deviceId, revision);
    })();
  }

  get(deviceId: string): StoredConfig | undefined {
    const raw = this.#db.prepare('SELECT * FROM device_configs WHERE device_id = ?').get(deviceId) as
      RawConfig | undefined;
    return raw === undefined ? undefined : configOf(raw);
  }

  reported(deviceId: string): number | undefined {
    return this.#db
      .prepare('SELECT revision FROM device_reports WHERE device_id = ?')
      .pluck()
      .get(deviceId) as number | undefined;
  }

  all(): StoredConfig[] {
    return (this.#db.prepare('SELECT * FROM device_configs ORDER BY device_id').all() as RawConfig[]).map(
      configOf,
    );
  }
}
