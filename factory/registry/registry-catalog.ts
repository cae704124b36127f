import { migrate, openCatalog } from '../../shared/catalog/index.js';
import { statusAfter, type DecisionRecord, type ModelStatus } from './decision.js';
import type { Experiment } from './experiment.js';
import {
  REGISTRY_MIGRATIONS,
  registryTables,
  toDecision,
  toExperiment,
  toModel,
  type ModelRecord,
  type RegistryTables,
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
 * What the catalogue needs of a database: better-sqlite3's statement shape,
 * transactions and the database's clock. A SQLite file gives it here; the
 * cloud gives it over PostgreSQL, where several workers share one catalogue.
 */
export interface CatalogDatabase {
  prepare(sql: string): {
    run(...params: unknown[]): { changes: number };
    get(...params: unknown[]): unknown;
    all(...params: unknown[]): unknown[];
  };
  /** Several statements without parameters. */
  exec(sql: string): void;
  /** Runs `work` in one transaction, rolled back when it throws. */
  transaction<T>(work: () => T): T;
  /** An SQL expression of the database's clock in epoch milliseconds, which every sharer reads alike. */
  readonly nowMsSql: string;
  close(): void;
}

/** A catalogue just opened; `fresh` says its schema was just created (an empty or lost catalogue). */
export interface OpenedCatalog {
  catalog: RegistryCatalog;
  fresh: boolean;
}

/** Where a registry keeps its catalogue, opened by `start()` (constructors do no I/O). */
export interface RegistryCatalogHome {
  /** For logs and errors; never a password. */
  readonly description: string;
  open(): OpenedCatalog;
}

/**
 * The index of the registry: fast listing, the current model, the audit
 * log, and the locks that make registries sharing it take turns on a
 * model. Every row but the locks can be rebuilt from the object store.
 * Synchronous, like better-sqlite3 itself.
 */
export class RegistryCatalog {
  readonly #db: CatalogDatabase;
  readonly #t: RegistryTables;

  /** `tables`: the SQLite file's names by default; a database shared with other stores prefixes them. */
  constructor(db: CatalogDatabase, tables: RegistryTables = registryTables('')) {
    this.#db = db;
    this.#t = tables;
  }

  /** Opens and migrates a SQLite file. */
  static open(file: string): OpenedCatalog {
    const db = openCatalog(file);
    try {
      const { from } = migrate(db, REGISTRY_MIGRATIONS);
      const catalog = new RegistryCatalog({
        prepare: (sql) => db.prepare(sql),
        exec: (sql) => void db.exec(sql),
        transaction: (work) => db.transaction(work)(),
        nowMsSql: "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)",
        close: () => {
          if (db.open) db.close();
        },
      });
      return { catalog, fresh: from === 0 };
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** The SQLite file as a catalogue home. */
  static file(file: string): RegistryCatalogHome {
    return { description: file, open: () => RegistryCatalog.open(file) };
  }

  close(): void {
    this.#db.close();
  }

  /**
   * Takes the lock `name` for `holder` for `ttlMs` (on the database's
   * clock), or renews it; false while another holder's has not expired.
   */
  tryLock(name: string, holder: string, ttlMs: number): boolean {
    const now = this.#db.nowMsSql;
    return (
      this.#db
        .prepare(
          `INSERT INTO ${this.#t.locks} (name, holder, expires_at) VALUES (?, ?, ${now} + ?)
           ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
           WHERE ${this.#t.locks}.holder = excluded.holder OR ${this.#t.locks}.expires_at < ${now}`,
        )
        .run(name, holder, Math.round(ttlMs)).changes === 1
    );
  }

  /** Lets go of a lock this holder took; one another holder took since is left alone. */
  unlock(name: string, holder: string): void {
    this.#db.prepare(`DELETE FROM ${this.#t.locks} WHERE name = ? AND holder = ?`).run(name, holder);
  }

  model(version: string): ModelRecord | undefined {
    const row: unknown = this.#db.prepare(`SELECT * FROM ${this.#t.models} WHERE version = ?`).get(version);
    return row === undefined ? undefined : toModel(row);
  }

  /** Newest first. */
  models(status?: ModelStatus): ModelRecord[] {
    const rows =
      status === undefined
        ? this.#db.prepare(`SELECT * FROM ${this.#t.models} ORDER BY created_at DESC, version DESC`).all()
        : this.#db
            .prepare(
              `SELECT * FROM ${this.#t.models} WHERE status = ? ORDER BY created_at DESC, version DESC`,
            )
            .all(status);
    return rows.map(toModel);
  }

  /** The newest approved model, leaving out `excluding` (the candidate being judged). */
  current(excluding?: string): ModelRecord | undefined {
    const row: unknown = this.#db
      .prepare(
        `SELECT * FROM ${this.#t.models} WHERE status = 'approved' AND version IS DISTINCT FROM ?
         ORDER BY created_at DESC, version DESC LIMIT 1`,
      )
      .get(excluding ?? null);
    return row === undefined ? undefined : toModel(row);
  }

  experimentsOf(version: string): Experiment[] {
    return this.#db
      .prepare(`SELECT * FROM ${this.#t.experiments} WHERE model_version = ? ORDER BY created_at, id`)
      .all(version)
      .map(toExperiment);
  }

  decisionsOf(version: string): DecisionRecord[] {
    return this.#db
      .prepare(`SELECT * FROM ${this.#t.decisions} WHERE version = ? ORDER BY seq`)
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
    });
  }

  addExperiment(experiment: Experiment): void {
    this.#insertExperiment(experiment);
  }

  /** Records decisions not yet known (by seq) and sets the model's status from the last one. */
  applyDecisions(version: string, decisions: readonly DecisionRecord[]): void {
    this.#db.transaction(() => this.#applyDecisions(version, decisions));
  }

  /**
   * Replaces every row with `snapshot`, atomically; with `keep`, only adds
   * what the catalogue lacks (filling a new one that other registries
   * sharing it may already write to).
   */
  replaceAll(snapshot: CatalogSnapshot, keep = false): void {
    this.#db.transaction(() => {
      if (!keep) {
        this.#db.exec(
          `DELETE FROM ${this.#t.decisions}; DELETE FROM ${this.#t.experiments}; DELETE FROM ${this.#t.models};`,
        );
      }
      for (const { record, decisions } of snapshot.models) {
        this.#insertModel(record);
        this.#applyDecisions(record.version, decisions);
      }
      for (const experiment of snapshot.experiments) this.#insertExperiment(experiment);
    });
  }

  #insertModel(r: ModelRecord): void {
    this.#db
      .prepare(
        `INSERT INTO ${this.#t.models} (version, created_at, family, sha256, data_sha256, status, decided_at, decided_by,
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
        `INSERT INTO ${this.#t.experiments} (id, model_version, params, metrics, data_sha256, created_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET model_version = excluded.model_version, params = excluded.params,
           metrics = excluded.metrics, data_sha256 = excluded.data_sha256, created_at = excluded.created_at`,
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
      `INSERT INTO ${this.#t.decisions} (version, seq, from_status, to_status, decided_by, reason, gate, ts)
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
      .prepare(
        `UPDATE ${this.#t.models} SET status = ?, decided_at = ?, decided_by = ?, reason = ? WHERE version = ?`,
      )
      .run(statusAfter(all), last?.ts ?? null, last?.by ?? null, last?.reason ?? null, version);
  }
}
