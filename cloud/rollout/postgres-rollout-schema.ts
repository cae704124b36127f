import type { Migration } from '../../shared/catalog/index.js';

/**
 * The rollout store's tables on PostgreSQL (component `rollouts` in
 * `ember_schema`): those of the SQLite file (`rollout-rows.ts`), with
 * BIGINT times and a `seq` on offers where SQLite orders by rowid.
 */
export const POSTGRES_ROLLOUT_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    up: `
CREATE TABLE rollouts (
  id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL UNIQUE,
  version TEXT NOT NULL,
  previous_version TEXT,
  state TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  canary_share DOUBLE PRECISION NOT NULL,
  reason TEXT,
  phase_started_at BIGINT NOT NULL
);
CREATE TABLE rollout_devices (
  rollout_id TEXT NOT NULL REFERENCES rollouts (id),
  device_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  canary INTEGER NOT NULL,
  status TEXT NOT NULL,
  reason TEXT,
  active_before TEXT,
  installed_at BIGINT,
  revert_version TEXT,
  PRIMARY KEY (rollout_id, device_id)
);
CREATE TABLE offers (
  seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
  id TEXT PRIMARY KEY,
  rollout_id TEXT NOT NULL REFERENCES rollouts (id),
  device_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('install', 'revert')),
  payload TEXT NOT NULL,
  answered INTEGER NOT NULL DEFAULT 0,
  sequence INTEGER
);
CREATE INDEX offers_by_device ON offers (device_id, sequence);
CREATE INDEX offers_by_rollout ON offers (rollout_id, answered);
CREATE TABLE device_models (
  device_id TEXT PRIMARY KEY,
  active TEXT NOT NULL,
  ts BIGINT NOT NULL
);
CREATE TABLE device_sequences (
  device_id TEXT PRIMARY KEY,
  accepted INTEGER NOT NULL
);`,
  },
  {
    // 2: reports a worker that does not run the rollouts keeps for the one that does.
    version: 2,
    up: `
CREATE TABLE rollout_reports (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  device_id TEXT NOT NULL,
  report TEXT NOT NULL,
  received_at BIGINT NOT NULL
);`,
  },
];
