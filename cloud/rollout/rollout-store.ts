import type Database from 'better-sqlite3';
import { openCatalog, type Migration } from '../../shared/catalog/index.js';
import type { RolloutProgress, RolloutState } from '../service/cloud-contracts.js';
import type { DeviceStatus } from './rollout-plan.js';

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    up: `
CREATE TABLE rollouts (
  id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL UNIQUE,
  version TEXT NOT NULL,
  previous_version TEXT,
  state TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  canary_share REAL NOT NULL,
  reason TEXT,
  phase_started_at INTEGER NOT NULL
);
CREATE TABLE rollout_devices (
  rollout_id TEXT NOT NULL REFERENCES rollouts(id),
  device_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  canary INTEGER NOT NULL,
  status TEXT NOT NULL,
  reason TEXT,
  active_before TEXT,
  installed_at INTEGER,
  revert_version TEXT,
  PRIMARY KEY (rollout_id, device_id)
);
CREATE TABLE offers (
  id TEXT PRIMARY KEY,
  rollout_id TEXT NOT NULL REFERENCES rollouts(id),
  device_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('install', 'revert')),
  payload TEXT NOT NULL,
  answered INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE device_models (
  device_id TEXT PRIMARY KEY,
  active TEXT NOT NULL,
  ts INTEGER NOT NULL
);`,
  },
];

/** A rollout's own columns. */
export interface RolloutRow {
  id: string;
  version: string;
  previousVersion: string | null;
  state: RolloutState;
  startedAt: number;
  updatedAt: number;
  canaryShare: number;
  reason: string | null;
  /** When the current phase (canary or fleet) began: deadlines count from here. */
  phaseStartedAt: number;
}

/** One device of a rollout. */
export interface DeviceRow {
  deviceId: string;
  canary: boolean;
  status: DeviceStatus;
  reason: string | null;
  /** The model the device last reported as active before the rollout began. */
  activeBefore: string | null;
  installedAt: number | null;
  /** The version offered to undo the install, once the rollout is rolled back. */
  revertVersion: string | null;
}

export interface OfferRow {
  id: string;
  rolloutId: string;
  deviceId: string;
  kind: 'install' | 'revert';
  payload: string;
  answered: boolean;
}

interface RawRollout {
  id: string;
  version: string;
  previous_version: string | null;
  state: RolloutState;
  started_at: number;
  updated_at: number;
  canary_share: number;
  reason: string | null;
  phase_started_at: number;
}

interface RawDevice {
  device_id: string;
  canary: number;
  status: DeviceStatus;
  reason: string | null;
  active_before: string | null;
  installed_at: number | null;
  revert_version: string | null;
}

function rolloutOf(raw: RawRollout): RolloutRow {
  return {
    id: raw.id,
    version: raw.version,
    previousVersion: raw.previous_version,
    state: raw.state,
    startedAt: raw.started_at,
    updatedAt: raw.updated_at,
    canaryShare: raw.canary_share,
    reason: raw.reason,
    phaseStartedAt: raw.phase_started_at,
  };
}

function deviceOf(raw: RawDevice): DeviceRow {
  return {
    deviceId: raw.device_id,
    canary: raw.canary === 1,
    status: raw.status,
    reason: raw.reason,
    activeBefore: raw.active_before,
    installedAt: raw.installed_at,
    revertVersion: raw.revert_version,
  };
}

/** The progress a rollout shows: canaries first, then the rest, each in the order they were listed. */
export function progressOf(row: RolloutRow, devices: readonly DeviceRow[]): RolloutProgress {
  return {
    id: row.id,
    version: row.version,
    previousVersion: row.previousVersion,
    state: row.state,
    startedAt: row.startedAt,
    updatedAt: row.updatedAt,
    canaryShare: row.canaryShare,
    reason: row.reason,
    devices: devices.map((d) => ({
      deviceId: d.deviceId,
      canary: d.canary,
      status: d.status,
      reason: d.reason,
    })),
  };
}

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
    return new RolloutStore(openCatalog(file, { migrations: MIGRATIONS, synchronous: 'NORMAL' }));
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
    this.#sql('INSERT INTO offers (id, rollout_id, device_id, kind, payload) VALUES (?, ?, ?, ?, ?)').run(
      offer.id,
      offer.rolloutId,
      offer.deviceId,
      offer.kind,
      offer.payload,
    );
  }

  markAnswered(offerId: string): void {
    this.#sql('UPDATE offers SET answered = 1 WHERE id = ?').run(offerId);
  }

  offer(id: string): OfferRow | undefined {
    const raw = this.#sql('SELECT * FROM offers WHERE id = ?').get(id) as
      | {
          id: string;
          rollout_id: string;
          device_id: string;
          kind: 'install' | 'revert';
          payload: string;
          answered: number;
        }
      | undefined;
    if (raw === undefined) return undefined;
    return {
      id: raw.id,
      rolloutId: raw.rollout_id,
      deviceId: raw.device_id,
      kind: raw.kind,
      payload: raw.payload,
      answered: raw.answered === 1,
    };
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
