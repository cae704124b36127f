import type Database from 'better-sqlite3';
import { openCatalog } from '../../shared/catalog/index.js';
import { openMigrated } from '../database/postgres-migrate.js';
import { SyncPostgres, type SyncStatement } from '../database/sync-postgres.js';
import { POSTGRES_ROLLOUT_MIGRATIONS } from './postgres-rollout-schema.js';
import {
  deviceOf,
  offerOf,
  rolloutOf,
  ROLLOUT_MIGRATIONS,
  type DeviceRow,
  type OfferRow,
  type RawDevice,
  type RawOffer,
  type RawRollout,
  type RolloutRow,
} from './rollout-rows.js';

/** What the store needs of its database: statements, transactions, and the SQL both write differently. */
interface RolloutDatabase {
  statement(sql: string): SyncStatement;
  transaction(work: () => void): void;
  close(): void;
  /** The column that orders offers as they were made. */
  readonly insertOrder: string;
  /** The larger of two values in one row. */
  readonly greatest: string;
}

function sqliteDatabase(db: Database.Database): RolloutDatabase {
  // Prepared once per SQL text: reports arrive by the thousand.
  const statements = new Map<string, Database.Statement>();
  return {
    statement(sql) {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = db.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
    transaction: (work) => db.transaction(work)(),
    close: () => db.close(),
    insertOrder: 'rowid',
    greatest: 'MAX',
  };
}

function postgresDatabase(db: SyncPostgres): RolloutDatabase {
  return {
    statement: (sql) => db.prepare(sql),
    transaction: (work) => db.transaction(work),
    close: () => db.close(),
    insertOrder: 'seq',
    greatest: 'GREATEST',
  };
}

/**
 * Rollouts, their devices and every offer sent, in one SQLite file or a
 * PostgreSQL database, so that a restarted cloud picks a rollout up where
 * it was. On SQLite NORMAL synchronous: a killed process loses nothing; a
 * power cut may lose the last reports, which the devices' next reports or
 * the deadline make good.
 */
export class RolloutStore {
  readonly #db: RolloutDatabase;

  private constructor(db: RolloutDatabase) {
    this.#db = db;
  }

  /** The SQLite file `file`. */
  static open(file: string): RolloutStore {
    return new RolloutStore(
      sqliteDatabase(openCatalog(file, { migrations: ROLLOUT_MIGRATIONS, synchronous: 'NORMAL' })),
    );
  }

  /** The PostgreSQL database at `url`, its tables migrated as component `rollouts`. */
  static openPostgres(url: string): RolloutStore {
    const db = openMigrated(new SyncPostgres(url, 'rollout store'), 'rollouts', POSTGRES_ROLLOUT_MIGRATIONS);
    return new RolloutStore(postgresDatabase(db));
  }

  #sql(text: string): SyncStatement {
    return this.#db.statement(text);
  }

  /** The first column of the first row, or undefined. */
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the column's type is the caller's to name
  #value<T>(text: string, ...params: unknown[]): T | undefined {
    const row = this.#sql(text).get(...params) as Record<string, unknown> | undefined;
    return row === undefined ? undefined : (Object.values(row)[0] as T);
  }

  /** The first column of every row. */
  #values<T>(text: string, ...params: unknown[]): T[] {
    return (this.#sql(text).all(...params) as Record<string, unknown>[]).map(
      (row) => Object.values(row)[0] as T,
    );
  }

  close(): void {
    this.#db.close();
  }

  transaction(work: () => void): void {
    this.#db.transaction(work);
  }

  insertRollout(row: RolloutRow, devices: readonly DeviceRow[]): void {
    this.transaction(() => {
      const seq = this.#value<number>('SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM rollouts') ?? 1;
      this.#sql(
        `INSERT INTO rollouts (id, seq, version, previous_version, state, started_at, updated_at, canary_share, reason, phase_started_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        row.id,
        seq,
        row.version,
        row.previousVersion,
        row.state,
        row.startedAt,
        row.updatedAt,
        row.canaryShare,
        row.reason,
        row.phaseStartedAt,
      );
      devices.forEach((d, position) => {
        this.#sql(
          `INSERT INTO rollout_devices (rollout_id, device_id, position, canary, status, reason, active_before, installed_at, revert_version)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(row.id, d.deviceId, position, d.canary ? 1 : 0, d.status, d.reason, d.activeBefore, null, null);
      });
    });
  }

  updateRollout(row: RolloutRow): void {
    this.#sql(
      'UPDATE rollouts SET state = ?, updated_at = ?, reason = ?, previous_version = ?, phase_started_at = ? WHERE id = ?',
    ).run(row.state, row.updatedAt, row.reason, row.previousVersion, row.phaseStartedAt, row.id);
  }

  updateDevice(rolloutId: string, d: DeviceRow): void {
    this.#sql(
      `UPDATE rollout_devices SET status = ?, reason = ?, installed_at = ?, revert_version = ?
         WHERE rollout_id = ? AND device_id = ?`,
    ).run(d.status, d.reason, d.installedAt, d.revertVersion, rolloutId, d.deviceId);
  }

  insertOffer(offer: Omit<OfferRow, 'answered'>): void {
    this.#sql(
      'INSERT INTO offers (id, rollout_id, device_id, kind, payload, sequence) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(offer.id, offer.rolloutId, offer.deviceId, offer.kind, offer.payload, offer.sequence);
  }

  /**
   * The sequence of the next offer to a device: above every offer made to
   * it and above the newest its reports say it accepted (so offers made
   * after this file was lost are not taken for replays). Call it inside the
   * transaction that inserts the offer.
   */
  nextSequence(deviceId: string): number {
    const offered =
      this.#value<number>(
        'SELECT COALESCE(MAX(sequence), 0) AS n FROM offers WHERE device_id = ?',
        deviceId,
      ) ?? 0;
    const accepted = this.#value<number>(
      'SELECT accepted FROM device_sequences WHERE device_id = ?',
      deviceId,
    );
    return Math.max(offered, accepted ?? 0) + 1;
  }

  /** What a device's report says of the newest sequence it accepted. */
  recordAcceptedSequence(deviceId: string, sequence: number): void {
    this.#sql(
      `INSERT INTO device_sequences (device_id, accepted) VALUES (?, ?)
         ON CONFLICT(device_id) DO UPDATE SET accepted = ${this.#db.greatest}(device_sequences.accepted, excluded.accepted)`,
    ).run(deviceId, sequence);
  }

  /** The newest install offer a rollout made to a device. */
  installOffer(rolloutId: string, deviceId: string): OfferRow | undefined {
    const id = this.#value<string>(
      `SELECT id FROM offers WHERE rollout_id = ? AND device_id = ? AND kind = 'install' ORDER BY ${this.#db.insertOrder} DESC LIMIT 1`,
      rolloutId,
      deviceId,
    );
    return id === undefined ? undefined : this.offer(id);
  }

  /** A device's offers and rollbacks not answered yet, newest last (to send again when it comes online). */
  unansweredOffersTo(deviceId: string): OfferRow[] {
    const ids = this.#values<string>(
      `SELECT id FROM offers WHERE device_id = ? AND answered = 0 ORDER BY ${this.#db.insertOrder}`,
      deviceId,
    );
    return ids.map((id) => this.offer(id)).filter((o): o is OfferRow => o !== undefined);
  }

  markAnswered(offerId: string): void {
    this.#sql('UPDATE offers SET answered = 1 WHERE id = ?').run(offerId);
  }

  offer(id: string): OfferRow | undefined {
    const raw = this.#sql('SELECT * FROM offers WHERE id = ?').get(id) as RawOffer | undefined;
    return raw === undefined ? undefined : offerOf(raw);
  }

  /** Offers of a rollout no device has answered yet, to send again after a restart. */
  unansweredOffers(rolloutId: string): OfferRow[] {
    const rows = this.#values<string>(
      `SELECT id FROM offers WHERE rollout_id = ? AND answered = 0 ORDER BY ${this.#db.insertOrder}`,
      rolloutId,
    );
    return rows.map((id) => this.offer(id)).filter((o): o is OfferRow => o !== undefined);
  }

  rollout(id: string): { row: RolloutRow; devices: DeviceRow[] } | undefined {
    const raw = this.#sql('SELECT * FROM rollouts WHERE id = ?').get(id) as RawRollout | undefined;
    if (raw === undefined) return undefined;
    const devices = this.#sql('SELECT * FROM rollout_devices WHERE rollout_id = ? ORDER BY position').all(
      id,
    ) as RawDevice[];
    return { row: rolloutOf(raw), devices: devices.map(deviceOf) };
  }

  /** Rollout ids, newest first. */
  ids(): string[] {
    return this.#values<string>('SELECT id FROM rollouts ORDER BY seq DESC');
  }

  /** The rollout still in its canary or fleet phase, if any. */
  runningId(): string | undefined {
    return this.#value<string>(
      "SELECT id FROM rollouts WHERE state IN ('canary', 'fleet') ORDER BY seq DESC LIMIT 1",
    );
  }

  /** Keeps a device's report for the worker that runs the rollouts (workers sharing the store). */
  queueReport(deviceId: string, report: string, receivedAt: number): void {
    this.#sql('INSERT INTO rollout_reports (device_id, report, received_at) VALUES (?, ?, ?)').run(
      deviceId,
      report,
      receivedAt,
    );
  }

  /** The oldest queued reports, at most `limit`; each stays queued until {@link dropReport}. */
  queuedReports(limit: number): { id: number; deviceId: string; report: string }[] {
    const rows = this.#sql('SELECT id, device_id, report FROM rollout_reports ORDER BY id LIMIT ?').all(
      limit,
    ) as { id: number; device_id: string; report: string }[];
    return rows.map((row) => ({ id: row.id, deviceId: row.device_id, report: row.report }));
  }

  dropReport(id: number): void {
    this.#sql('DELETE FROM rollout_reports WHERE id = ?').run(id);
  }

  recordActive(deviceId: string, active: string, ts: number): void {
    this.#sql(
      `INSERT INTO device_models (device_id, active, ts) VALUES (?, ?, ?)
         ON CONFLICT(device_id) DO UPDATE SET active = excluded.active, ts = excluded.ts`,
    ).run(deviceId, active, ts);
  }

  activeOf(deviceId: string): string | undefined {
    return this.#value<string>('SELECT active FROM device_models WHERE device_id = ?', deviceId);
  }
}
