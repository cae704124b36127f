import type Database from 'better-sqlite3';
import { openCatalog } from '../../shared/catalog/index.js';
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

/**
 * Rollouts, their devices and every offer sent, in one SQLite file, so that
 * a restarted cloud picks a rollout up where it was. NORMAL synchronous: a
 * killed process loses nothing; a power cut may lose the last reports,
 * which the devices' next reports or the deadline make good.
 */
export class RolloutStore {
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();

  private constructor(db: Database.Database) {
    this.#db = db;
  }

  static open(file: string): RolloutStore {
    return new RolloutStore(openCatalog(file, { migrations: ROLLOUT_MIGRATIONS, synchronous: 'NORMAL' }));
  }

  /** Prepared once per SQL text: reports arrive by the thousand. */
  #sql(text: string): Database.Statement {
    let statement = this.#statements.get(text);
    if (statement === undefined) {
      statement = this.#db.prepare(text);
      this.#statements.set(text, statement);
    }
    return statement;
  }

  close(): void {
    this.#db.close();
  }

  transaction(work: () => void): void {
    this.#db.transaction(work)();
  }

  insertRollout(row: RolloutRow, devices: readonly DeviceRow[]): void {
    this.transaction(() => {
      const seq = (this.#sql('SELECT COALESCE(MAX(seq), 0) + 1 FROM rollouts').pluck().get() as number) || 1;
      this.#db
        .prepare(
          `INSERT INTO rollouts (id, seq, version, previous_version, state, started_at, updated_at, canary_share, reason, phase_started_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
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
    const offered = this.#sql('SELECT COALESCE(MAX(sequence), 0) FROM offers WHERE device_id = ?')
      .pluck()
      .get(deviceId) as number;
    const accepted = this.#sql('SELECT accepted FROM device_sequences WHERE device_id = ?')
      .pluck()
      .get(deviceId) as number | undefined;
    return Math.max(offered, accepted ?? 0) + 1;
  }

  /** What a device's report says of the newest sequence it accepted. */
  recordAcceptedSequence(deviceId: string, sequence: number): void {
    this.#sql(
      `INSERT INTO device_sequences (device_id, accepted) VALUES (?, ?)
         ON CONFLICT(device_id) DO UPDATE SET accepted = MAX(accepted, excluded.accepted)`,
    ).run(deviceId, sequence);
  }

  /** The newest install offer a rollout made to a device. */
  installOffer(rolloutId: string, deviceId: string): OfferRow | undefined {
    const id = this.#sql(
      "SELECT id FROM offers WHERE rollout_id = ? AND device_id = ? AND kind = 'install' ORDER BY rowid DESC LIMIT 1",
    )
      .pluck()
      .get(rolloutId, deviceId) as string | undefined;
    return id === undefined ? undefined : this.offer(id);
  }

  /** A device's offers and rollbacks not answered yet, newest last (to send again when it comes online). */
  unansweredOffersTo(deviceId: string): OfferRow[] {
    const ids = this.#sql('SELECT id FROM offers WHERE device_id = ? AND answered = 0 ORDER BY rowid')
      .pluck()
      .all(deviceId) as string[];
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
    const rows = this.#sql('SELECT id FROM offers WHERE rollout_id = ? AND answered = 0 ORDER BY rowid')
      .pluck()
      .all(rolloutId) as string[];
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
    return this.#sql('SELECT id FROM rollouts ORDER BY seq DESC').pluck().all() as string[];
  }

  /** The rollout still in its canary or fleet phase, if any. */
  runningId(): string | undefined {
    return this.#sql("SELECT id FROM rollouts WHERE state IN ('canary', 'fleet') ORDER BY seq DESC LIMIT 1")
      .pluck()
      .get() as string | undefined;
  }

  recordActive(deviceId: string, active: string, ts: number): void {
    this.#sql(
      `INSERT INTO device_models (device_id, active, ts) VALUES (?, ?, ?)
         ON CONFLICT(device_id) DO UPDATE SET active = excluded.active, ts = excluded.ts`,
    ).run(deviceId, active, ts);
  }

  activeOf(deviceId: string): string | undefined {
    return this.#sql('SELECT active FROM device_models WHERE device_id = ?').pluck().get(deviceId) as
      string | undefined;
  }
}
