import type Database from 'better-sqlite3';
import { migrate, openCatalog } from '../../shared/catalog/index.js';
import { statusAfter, type DecisionRecord, type ModelStatus } from './decision.js';
import type { Experiment } from './experiment.js';
import {
  REGISTRY_MIGRATIONS,
  toDecision,
  toExperiment,
  toModel,
  type ModelRecord,
} from './catalog-schema.js';

export type { ModelRecord } from './catalog-schema.js';

/** Sortable form of an ISO instant: '…00Z' and '…00.000Z' would otherwise sort apart. */
function instant(iso: string): string {
  return new Date(iso).toISOString();
}

/** Everything the catalogue holds, as read back from the object store. */
export interface CatalogSnapshot {
  models: { record: ModelRecord; decisions: DecisionRecord[] }[];
  experiments: Experiment[];
}

/**
 * The SQLite index of the registry: fast listing, the current model, the
 * audit log. Every row can be rebuilt from the object store. Synchronous,
 * like better-sqlite3 itself.
 */
export class RegistryCatalog {
  readonly #db: Database.Database;

  private constructor(db: Database.Database) {
    this.#db = db;
  }

  /** Opens and migrates the file; `fresh` says the schema was just created (an empty or lost catalogue). */
  static open(file: string): { catalog: RegistryCatalog; fresh: boolean } {
    const db = openCatalog(file);
    try {
      const { from } = migrate(db, REGISTRY_MIGRATIONS);
      return { catalog: new RegistryCatalog(db), fresh: from === 0 };
    } catch (error) {
      db.close();
      throw error;
    }
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  model(version: string): ModelRecord | undefined {
    const row: unknown = this.#db.prepare('SELECT * FROM models WHERE version = ?').get(version);
    return row === undefined ? undefined : toModel(row);
  }

  /** Newest first. */
  models(status?: ModelStatus): ModelRecord[] {
    const rows =
      status === undefined
        ? this.#db.prepare('SELECT * FROM models ORDER BY created_at DESC, version DESC').all()
        : this.#db
            .prepare('SELECT * FROM models WHERE status = ? ORDER BY created_at DESC, version DESC')
            .all(status);
    return rows.map(toModel);
  }

  /** The newest approved model, leaving out `excluding` (the candidate being judged). */
  current(excluding?: string): ModelRecord | undefined {
    const row: unknown = this.#db
      .prepare(
        `SELECT * FROM models WHERE status = 'approved' AND version IS NOT ?
         ORDER BY created_at DESC, version DESC LIMIT 1`,
      )
      .get(excluding ?? null);
    return row === undefined ? undefined : toModel(row);
  }

  experimentsOf(version: string): Experiment[] {
    return this.#db
      .prepare('SELECT * FROM experiments WHERE model_version = ? ORDER BY created_at, id')
      .all(version)
      .map(toExperiment);
  }

  decisionsOf(version: string): DecisionRecord[] {
    return this.#db
      .prepare('SELECT * FROM decisions WHERE version = ? ORDER BY seq')
      .all(version)
      .map(toDecision);
  }

  /** Adds a model, its decisions and experiments in one transaction; rows already there are kept. */
  addModel(
    record: ModelRecord,
    decisions: readonly DecisionRecord[],
    experiments: readonly Experiment[],
  ): void {
    this.#db.transaction(() => {
      this.#insertModel(record);
      this.#applyDecisions(record.version, decisions);
      for (const experiment of experiments) this.#insertExperiment(experiment);
    })();
  }

  addExperiment(experiment: Experiment): void {
    this.#insertExperiment(experiment);
  }

  /** Records decisions not yet known (by seq) and sets the model's status from the last one. */
  applyDecisions(version: string, decisions: readonly DecisionRecord[]): void {
    this.#db.transaction(() => this.#applyDecisions(version, decisions))();
  }

  /** Replaces every row with `snapshot`, atomically. */
  replaceAll(snapshot: CatalogSnapshot): void {
    this.#db.transaction(() => {
      this.#db.exec('DELETE FROM decisions; DELETE FROM experiments; DELETE FROM models;');
      for (const { record, decisions } of snapshot.models) {
        this.#insertModel(record);
        this.#applyDecisions(record.version, decisions);
      }
      for (const experiment of snapshot.experiments) this.#insertExperiment(experiment);
    })();
  }

  #insertModel(r: ModelRecord): void {
    this.#db
      .prepare(
        `INSERT INTO models (version, created_at, family, sha256, data_sha256, status, decided_at, decided_by,
           reason, metrics)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (version) DO NOTHING`,
      )
      .run(
        r.version,
        instant(r.createdAt),
        r.family,
        r.sha256,
        r.dataSha256,
        r.status,
        r.decidedAt,
        r.decidedBy,
        r.reason,
        JSON.stringify(r.metrics),
      );
  }

  #insertExperiment(e: Experiment): void {
    this.#db
      .prepare(
        `INSERT OR REPLACE INTO experiments (id, model_version, params, metrics, data_sha256, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(
        e.id,
        e.modelVersion,
        JSON.stringify(e.params),
        JSON.stringify(e.metrics),
        e.dataSha256,
        e.createdAt,
      );
  }

  #applyDecisions(version: string, decisions: readonly DecisionRecord[]): void {
    const insert = this.#db.prepare(
      `INSERT INTO decisions (version, seq, from_status, to_status, decided_by, reason, gate, ts)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (version, seq) DO NOTHING`,
    );
    for (const d of decisions) {
      insert.run(
        version,
        d.seq,
        d.from,
        d.to,
        d.by,
        d.reason,
        d.gate === null ? null : JSON.stringify(d.gate),
        d.ts,
      );
    }
    const all = this.decisionsOf(version);
    const last = all.at(-1);
    this.#db
      .prepare('UPDATE models SET status = ?, decided_at = ?, decided_by = ?, reason = ? WHERE version = ?')
      .run(statusAfter(all), last?.ts ?? null, last?.by ?? null, last?.reason ?? null, version);
  }
}
