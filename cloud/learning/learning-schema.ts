import type { Migration } from '../../shared/catalog/index.js';

/*
 * The learning agent's tables. On SQLite each worker's own file; on
 * PostgreSQL one set every worker shares, versioned in `ember_schema` as
 * `learning`. The same columns on both, so one store class serves both.
 */

/** SQLite: version 1 is what the agent kept before several workers could share it. */
export const SQLITE_LEARNING_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    up: `
CREATE TABLE decisions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  ts INTEGER NOT NULL,
  incident_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  outcome TEXT NOT NULL,
  action TEXT NOT NULL,
  explanation TEXT NOT NULL,
  details TEXT NOT NULL,
  pattern TEXT
);
CREATE INDEX decisions_by_pattern ON decisions (pattern, ts);
CREATE TABLE device_policies (
  device_id TEXT PRIMARY KEY,
  policy TEXT NOT NULL,
  ts INTEGER NOT NULL
);`,
  },
  {
    // The outcomes waiting for the agent, and the retrainings it still owes, outlive a restart.
    version: 2,
    up: `
ALTER TABLE decisions ADD COLUMN retrain_reason TEXT;
CREATE TABLE learning_outcomes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  queued_at INTEGER NOT NULL,
  input TEXT NOT NULL
);`,
  },
];

export const POSTGRES_LEARNING_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    up: `
CREATE TABLE decisions (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  ts BIGINT NOT NULL,
  incident_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  outcome TEXT NOT NULL,
  action TEXT NOT NULL,
  explanation TEXT NOT NULL,
  details TEXT NOT NULL,
  pattern TEXT,
  retrain_reason TEXT
);
CREATE INDEX decisions_by_pattern ON decisions (pattern, ts);
CREATE TABLE device_policies (
  device_id TEXT PRIMARY KEY,
  policy TEXT NOT NULL,
  ts BIGINT NOT NULL
);
CREATE TABLE learning_outcomes (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  queued_at BIGINT NOT NULL,
  input TEXT NOT NULL
);`,
  },
];
