import { z } from 'zod';
import type { Migration } from '../../shared/catalog/index.js';
import { DecisionRecord, GateVerdict, ModelStatus } from './decision.js';
import type { HeadlineMetrics } from './evaluation-summary.js';
import type { Experiment } from './experiment.js';

/** The catalogue's table names: bare in its own SQLite file, prefixed in a database other stores share. */
export interface RegistryTables {
  readonly models: string;
  readonly experiments: string;
  readonly decisions: string;
  readonly locks: string;
}

/** The names with `prefix` (`registry_` in the cloud's PostgreSQL, where the learning store has a `decisions`). */
export function registryTables(prefix: string): RegistryTables {
  return {
    models: `${prefix}models`,
    experiments: `${prefix}experiments`,
    decisions: `${prefix}decisions`,
    locks: 'registry_locks',
  };
}

/**
 * The catalogue's tables, the same SQL for SQLite and PostgreSQL; `from`,
 * `to` and `by` are SQL keywords, hence the longer column names. An
 * experiment may name a model registered later, so its model_version is not
 * a foreign key.
 */
export function registryTablesSql(t: RegistryTables): string {
  return `
CREATE TABLE ${t.models} (
  version TEXT PRIMARY KEY,
  created_at TEXT NOT NULL,
  family TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  data_sha256 TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('candidate', 'approved', 'rejected', 'retired')),
  decided_at TEXT,
  decided_by TEXT,
  reason TEXT,
  metrics TEXT NOT NULL
);
CREATE INDEX ${t.models}_by_status ON ${t.models} (status, created_at);
CREATE TABLE ${t.experiments} (
  id TEXT PRIMARY KEY,
  model_version TEXT,
  params TEXT NOT NULL,
  metrics TEXT NOT NULL,
  data_sha256 TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX ${t.experiments}_by_model ON ${t.experiments} (model_version);
CREATE TABLE ${t.decisions} (
  version TEXT NOT NULL REFERENCES ${t.models} (version),
  seq INTEGER NOT NULL,
  from_status TEXT NOT NULL,
  to_status TEXT NOT NULL,
  decided_by TEXT NOT NULL,
  reason TEXT NOT NULL,
  gate TEXT,
  ts TEXT NOT NULL,
  PRIMARY KEY (version, seq)
);`;
}

/**
 * One row per model being registered or decided on, so that registries
 * sharing the catalogue take turns on it; `expires_at` (epoch ms on the
 * database's clock) frees it when its holder died.
 */
export function registryLocksSql(t: RegistryTables, integer: string): string {
  return `
CREATE TABLE ${t.locks} (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at ${integer} NOT NULL
);`;
}

const SQLITE_TABLES = registryTables('');

/** The SQLite catalogue's migrations. */
export const REGISTRY_MIGRATIONS: readonly Migration[] = [
  { version: 1, up: registryTablesSql(SQLITE_TABLES) },
  { version: 2, up: registryLocksSql(SQLITE_TABLES, 'INTEGER') },
];

/** A model as the catalogue knows it: enough to list, pick the current one and audit. */
export interface ModelRecord {
  version: string;
  createdAt: string;
  family: string;
  sha256: string;
  dataSha256: string;
  status: ModelStatus;
  decidedAt: string | null;
  decidedBy: string | null;
  reason: string | null;
  metrics: HeadlineMetrics;
}

const ModelRow = z.object({
  version: z.string(),
  created_at: z.string(),
  family: z.string(),
  sha256: z.string(),
  data_sha256: z.string(),
  status: ModelStatus,
  decided_at: z.string().nullable(),
  decided_by: z.string().nullable(),
  reason: z.string().nullable(),
  metrics: z.string(),
});
const ExperimentRow = z.object({
  id: z.string(),
  model_version: z.string().nullable(),
  params: z.string(),
  metrics: z.string(),
  data_sha256: z.string(),
  created_at: z.string(),
});
const DecisionRow = z.object({
  version: z.string(),
  seq: z.number(),
  from_status: ModelStatus,
  to_status: ModelStatus,
  decided_by: z.string(),
  reason: z.string(),
  gate: z.string().nullable(),
  ts: z.string(),
});
const Metrics = z.record(z.string(), z.number().nullable());
const Params = z.record(z.string(), z.unknown());

export function toModel(row: unknown): ModelRecord {
  const r = ModelRow.parse(row);
  return {
    version: r.version,
    createdAt: r.created_at,
    family: r.family,
    sha256: r.sha256,
    dataSha256: r.data_sha256,
    status: r.status,
    decidedAt: r.decided_at,
    decidedBy: r.decided_by,
    reason: r.reason,
    metrics: Metrics.parse(JSON.parse(r.metrics)),
  };
}

export function toExperiment(row: unknown): Experiment {
  const r = ExperimentRow.parse(row);
  return {
    id: r.id,
    modelVersion: r.model_version,
    params: Params.parse(JSON.parse(r.params)),
    metrics: Metrics.parse(JSON.parse(r.metrics)),
    dataSha256: r.data_sha256,
    createdAt: r.created_at,
  };
}

export function toDecision(row: unknown): DecisionRecord {
  const r = DecisionRow.parse(row);
  return DecisionRecord.parse({
    schemaVersion: 1,
    version: r.version,
    seq: r.seq,
    from: r.from_status,
    to: r.to_status,
    by: r.decided_by,
    reason: r.reason,
    gate: r.gate === null ? null : GateVerdict.parse(JSON.parse(r.gate)),
    ts: r.ts,
  });
}
