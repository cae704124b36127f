import { openCatalog } from '../../shared/catalog/index.js';
import { openMigrated } from '../database/postgres-migrate.js';
import { SyncPostgres, type SyncStatement } from '../database/sync-postgres.js';
import {
  POSTGRES_DEVICE_CONFIG_MIGRATIONS,
  SQLITE_DEVICE_CONFIG_MIGRATIONS,
} from './device-config-schema.js';

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

/** What the store needs of a database: better-sqlite3's statements, transactions, a per-device lock. */
interface ConfigDb {
  prepare(sql: string): SyncStatement;
  transaction<T>(work: () => T): T;
  /** Inside a transaction: until it ends, no other writer numbers a config for this device. */
  lockDevice(deviceId: string): void;
  close(): void;
}

/**
 * The config delivery's store: per device, the config last sent (its
 * revision, the message, when it was sent and when the device confirmed
 * it) and the revision the device last reported running. Its own SQLite
 * file, or tables in a PostgreSQL database several workers share.
 */
export class DeviceConfigStore {
  readonly #db: ConfigDb;

  private constructor(db: ConfigDb) {
    this.#db = db;
  }

  static open(file: string): DeviceConfigStore {
    // NORMAL: a power cut may lose the last confirmations, which the devices' next statuses make good.
    const db = openCatalog(file, { migrations: SQLITE_DEVICE_CONFIG_MIGRATIONS, synchronous: 'NORMAL' });
    return new DeviceConfigStore({
      prepare: (sql) => db.prepare(sql),
      transaction: (work) => db.transaction(work)(),
      // One process writes the file, one statement at a time.
      lockDevice: () => undefined,
      close: () => db.close(),
    });
  }

  /** Connects and brings the tables to the newest migration (EMBER_ERR_DATABASE when it cannot). */
  static openPostgres(url: string): DeviceConfigStore {
    const db = openMigrated(
      new SyncPostgres(url, 'device config store'),
      'device-configs',
      POSTGRES_DEVICE_CONFIG_MIGRATIONS,
    );
    return new DeviceConfigStore({
      prepare: (sql) => db.prepare(sql),
      transaction: (work) => db.transaction(work),
      lockDevice: (deviceId) =>
        void db.query("SELECT pg_advisory_xact_lock(hashtext('device-config:' || $1))", [deviceId]),
      close: () => db.close(),
    });
  }

  close(): void {
    this.#db.close();
  }

  /**
   * Numbers the device's next config (above what was sent and above what
   * the device says it runs), builds its message with `payloadOf(revision)`
   * and records it as sent and not yet confirmed, in one transaction, so
   * workers sharing the store never give two configs one revision.
   */
  sendNext(deviceId: string, payloadOf: (revision: number) => string, ts: number): StoredConfig {
    return this.#db.transaction(() => {
      this.#db.lockDevice(deviceId);
      const revision = this.nextRevision(deviceId);
      return this.sent(deviceId, revision, payloadOf(revision), ts);
    });
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
    });
  }

  get(deviceId: string): StoredConfig | undefined {
    const raw = this.#db.prepare('SELECT * FROM device_configs WHERE device_id = ?').get(deviceId) as
      RawConfig | undefined;
    return raw === undefined ? undefined : configOf(raw);
  }

  reported(deviceId: string): number | undefined {
    const row = this.#db.prepare('SELECT revision FROM device_reports WHERE device_id = ?').get(deviceId) as
      { revision: number } | undefined;
    return row?.revision;
  }

  all(): StoredConfig[] {
    return (this.#db.prepare('SELECT * FROM device_configs ORDER BY device_id').all() as RawConfig[]).map(
      configOf,
    );
  }
}
