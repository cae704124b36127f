import type { Migration } from '../../shared/catalog/index.js';

/**
 * The incident store's tables on PostgreSQL: the SQLite schema's columns,
 * plus what several workers writing at once need. `seq` orders rows written
 * in the same millisecond (SQLite's rowid); the partial unique index lets
 * the database, not a worker's memory, keep one unresolved incident per
 * device; (zone, ts) serves the zone look-back, which comes from the
 * database here because no one worker sees every anomaly.
 */
export const POSTGRES_INCIDENT_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    up: `
CREATE TABLE seen_messages (
  message_id TEXT PRIMARY KEY,
  ts BIGINT NOT NULL
);
CREATE INDEX seen_by_ts ON seen_messages (ts);
CREATE TABLE incidents (
  seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
  id TEXT PRIMARY KEY,
  device_id TEXT NOT NULL,
  zone TEXT NOT NULL,
  level TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
  opened_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  acknowledged_at BIGINT,
  acknowledged_by TEXT,
  resolved_at BIGINT,
  resolved_by TEXT,
  outcome TEXT,
  note TEXT,
  reasons TEXT NOT NULL,
  assessments INTEGER NOT NULL,
  message_ids TEXT NOT NULL
);
CREATE UNIQUE INDEX incidents_one_unresolved ON incidents (device_id) WHERE state <> 'resolved';
CREATE INDEX incidents_by_device ON incidents (device_id, state);
CREATE INDEX incidents_by_opened ON incidents (opened_at);
CREATE TABLE assessments (
  seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
  id TEXT PRIMARY KEY,
  message_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  zone TEXT NOT NULL,
  ts BIGINT NOT NULL,
  message_ts BIGINT NOT NULL,
  level TEXT NOT NULL,
  device_level TEXT NOT NULL,
  probability DOUBLE PRECISION NOT NULL,
  score DOUBLE PRECISION NOT NULL,
  reasons TEXT NOT NULL,
  evidence TEXT NOT NULL,
  features TEXT NOT NULL,
  incident_id TEXT REFERENCES incidents (id)
);
CREATE INDEX assessments_by_ts ON assessments (ts);
CREATE INDEX assessments_by_device ON assessments (device_id, message_ts);
CREATE INDEX assessments_by_zone ON assessments (zone, ts);
CREATE INDEX assessments_by_incident ON assessments (incident_id);
CREATE TABLE actions (
  seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
  id TEXT PRIMARY KEY,
  incident_id TEXT NOT NULL REFERENCES incidents (id),
  ts BIGINT NOT NULL,
  kind TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX actions_by_incident ON actions (incident_id, ts);`,
  },
  {
    // Who sends each page of an incident: see IncidentStore.claimPage.
    version: 2,
    up: `
CREATE TABLE page_claims (
  incident_id TEXT NOT NULL REFERENCES incidents (id),
  page TEXT NOT NULL,
  ts BIGINT NOT NULL,
  PRIMARY KEY (incident_id, page)
);`,
  },
];
