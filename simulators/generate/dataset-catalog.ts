import type Database from 'better-sqlite3';
import { openCatalog } from '../../shared/catalog/index.js';
import type { RunLabels } from '../../shared/dataset/run-labels.js';
import type { GeneratedRun } from './generate-run.js';

/**
 * The metadata catalogue of a dataset: one row per run with its parameters,
 * labels, checksums and validation outcome, in SQLite so it can be queried
 * with any SQLite client (and shipped to S3 beside the data).
 */
const MIGRATIONS = [
  {
    version: 1,
    up: `
      CREATE TABLE runs (
        run_id TEXT PRIMARY KEY,
        idx INTEGER NOT NULL UNIQUE,
        seed INTEGER NOT NULL,
        template TEXT NOT NULL,
        class TEXT NOT NULL,
        fire_class TEXT,
        nuisance TEXT,
        ignition_s REAL,
        smoke_s REAL,
        heat_fixed_s REAL,
        rate_of_rise_s REAL,
        co_s REAL,
        earliest_s REAL,
        duration_s REAL NOT NULL,
        thermal_hz REAL NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected')),
        reasons TEXT NOT NULL,
        scenario TEXT NOT NULL,
        files TEXT NOT NULL
      );
      CREATE INDEX runs_by_class ON runs (class, status);
      CREATE TABLE dataset (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
  },
];

export class DatasetCatalog {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement;

  constructor(file: string) {
    this.#db = openCatalog(file, { migrations: MIGRATIONS, synchronous: 'NORMAL' });
    this.#insert = this.#db.prepare(`
      INSERT OR REPLACE INTO runs VALUES (
        @run_id, @idx, @seed, @template, @class, @fire_class, @nuisance, @ignition_s, @smoke_s, @heat_fixed_s,
        @rate_of_rise_s, @co_s, @earliest_s, @duration_s, @thermal_hz, @status, @reasons, @scenario, @files)`);
  }

  addRun(run: GeneratedRun, thermalHz: number, reasons: readonly string[]): void {
    const labels = JSON.parse(run.labelsJson) as RunLabels;
    const { detectors } = labels;
    this.#insert.run({
      run_id: run.plan.runId,
      idx: run.plan.index,
      seed: run.plan.seed,
      template: run.plan.template,
      class: labels.class.kind,
      fire_class: labels.class.kind === 'fire' ? labels.class.fire_class : null,
      nuisance: labels.class.kind === 'nuisance' ? labels.class.nuisance : null,
      ignition_s: labels.ignition_s,
      smoke_s: detectors.smoke_s,
      heat_fixed_s: detectors.heat_fixed_s,
      rate_of_rise_s: detectors.rate_of_rise_s,
      co_s: detectors.co_s,
      earliest_s: detectors.earliest_s,
      duration_s: run.durationS,
      thermal_hz: thermalHz,
      status: reasons.length === 0 ? 'accepted' : 'rejected',
      reasons: JSON.stringify(reasons),
      scenario: run.scenarioJson,
      files: JSON.stringify(Object.fromEntries(run.sha256)),
    });
  }

  setInfo(key: string, value: unknown): void {
    this.#db.prepare('INSERT OR REPLACE INTO dataset VALUES (?, ?)').run(key, JSON.stringify(value));
  }

  /** Run ids and checksums in index order, for the dataset's own fingerprint. */
  fingerprintRows(): { run_id: string; status: string; files: string }[] {
    return this.#db.prepare('SELECT run_id, status, files FROM runs ORDER BY idx').all() as {
      run_id: string;
      status: string;
      files: string;
    }[];
  }

  /** Folds the WAL into the main file (so the single file can be shipped) and closes; safe to call twice. */
  close(): void {
    if (!this.#db.open) return;
    this.#db.pragma('wal_checkpoint(TRUNCATE)');
    this.#db.close();
  }
}
