import type { Migration } from '../../shared/catalog/index.js';
import type { RolloutProgress, RolloutState } from '../contracts/cloud-values.js';
import type { DeviceStatus } from './device-status.js';

/** The rollout store's schema: each offer keeps its signed payload, so an unanswered one can be sent again. */
export const ROLLOUT_MIGRATIONS: readonly Migration[] = [
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
  {
    // 2: each install offer's per-device sequence, and the lowest sequence a device's reports say is unused.
    version: 2,
    up: `
ALTER TABLE offers ADD COLUMN sequence INTEGER;
CREATE INDEX offers_by_device ON offers (device_id, sequence);
CREATE TABLE device_sequences (
  device_id TEXT PRIMARY KEY,
  accepted INTEGER NOT NULL
);`,
  },
  {
    // 3: reports a worker that does not run the rollouts keeps for the one that does.
    version: 3,
    up: `
CREATE TABLE rollout_reports (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  device_id TEXT NOT NULL,
  report TEXT NOT NULL,
  received_at INTEGER NOT NULL
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
  /** An offer of the rollout's model, or a signed rollback of it (or, before those, an offer of the version before). */
  kind: 'install' | 'revert';
  payload: string;
  answered: boolean;
  /** The install offer's place among the offers to its device; null for a rollback. */
  sequence: number | null;
}

/** A `rollouts` row as SQLite returns it. */
export interface RawRollout {
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

/** A `rollout_devices` row as SQLite returns it. */
export interface RawDevice {
  device_id: string;
  canary: number;
  status: DeviceStatus;
  reason: string | null;
  active_before: string | null;
  installed_at: number | null;
  revert_version: string | null;
}

export function rolloutOf(raw: RawRollout): RolloutRow {
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

export function deviceOf(raw: RawDevice): DeviceRow {
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

/** An `offers` row as SQLite returns it. */
export interface RawOffer {
  id: string;
  rollout_id: string;
  device_id: string;
  kind: 'install' | 'revert';
  payload: string;
  answered: number;
  sequence: number | null;
}

export function offerOf(raw: RawOffer): OfferRow {
  return {
    id: raw.id,
    rolloutId: raw.rollout_id,
    deviceId: raw.device_id,
    kind: raw.kind,
    payload: raw.payload,
    answered: raw.answered === 1,
    sequence: raw.sequence,
  };
}
