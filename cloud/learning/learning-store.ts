import type Database from 'better-sqlite3';
import { AlarmPolicy } from '../../shared/alarm/alarm-policy.js';
import { openCatalog } from '../../shared/catalog/index.js';
import type { LearningDecision } from '../contracts/cloud-values.js';
import type { Outcome } from '../../shared/schemas/outcomes.js';
import { openMigrated } from '../database/postgres-migrate.js';
import { SyncPostgres, type SyncStatement } from '../database/sync-postgres.js';
import type { PastFalseAlarm } from './decision-rules.js';
import { POSTGRES_LEARNING_MIGRATIONS, SQLITE_LEARNING_MIGRATIONS } from './learning-schema.js';
import type { OutcomeInput } from './learning-types.js';

/** An operator's verdict waiting for the worker that learns. */
export interface QueuedOutcome {
  readonly seq: number;
  readonly queuedAt: number;
  /** Undefined when the stored text is not an outcome (then it can only be dropped). */
  readonly input: OutcomeInput | undefined;
}

/** A decision as recorded, with what the store needs beside it. */
export interface DecisionRecord {
  readonly decision: LearningDecision;
  readonly deviceId: string;
  /** The false-alarm pattern, to spot it on other devices; null otherwise. */
  readonly pattern: string | null;
  /** Why to retrain, while that retraining is owed; null when none is. */
  readonly retrainReason: string | null;
}

/** A retraining a decision asked for and no worker has finished yet. */
export interface OwedRetrain {
  readonly decision: LearningDecision;
  readonly reason: string;
}

interface RawDecision {
  id: string;
  ts: number;
  incident_id: string;
  outcome: Outcome;
  action: string;
  explanation: string;
  details: string;
}

function decisionOf(raw: RawDecision): LearningDecision {
  return {
    id: raw.id,
    ts: raw.ts,
    incidentId: raw.incident_id,
    outcome: raw.outcome,
    action: raw.action,
    explanation: raw.explanation,
    details: JSON.parse(raw.details) as Record<string, unknown>,
  };
}

function outcomeOf(text: string): OutcomeInput | undefined {
  try {
    const value = JSON.parse(text) as Partial<OutcomeInput> | null;
    const ok =
      typeof value?.incident?.id === 'string' &&
      typeof value.outcome === 'string' &&
      typeof value.by === 'string' &&
      Array.isArray(value.window?.assessments);
    return ok ? (value as OutcomeInput) : undefined;
  } catch {
    return undefined;
  }
}

/** What the store needs of a database: better-sqlite3's statements, and one transaction at a time. */
interface LearningDb {
  prepare(sql: string): SyncStatement;
  transaction<T>(work: () => T): T;
  close(): void;
}

/**
 * The learning agent's decisions, the policy it last sent each device, the
 * outcomes waiting for it and the retrainings it owes: a SQLite file of its
 * own, or tables in a PostgreSQL database several workers share (any worker
 * queues and reads; the one holding the learning role decides).
 */
export class LearningStore {
  readonly #db: LearningDb;

  private constructor(db: LearningDb) {
    this.#db = db;
  }

  static open(file: string): LearningStore {
    const db: Database.Database = openCatalog(file, { migrations: SQLITE_LEARNING_MIGRATIONS });
    return new LearningStore({
      prepare: (sql) => db.prepare(sql),
      transaction: (work) => db.transaction(work)(),
      close: () => db.close(),
    });
  }

  /** Connects and brings the tables to the newest migration (EMBER_ERR_DATABASE when it cannot). */
  static openPostgres(url: string): LearningStore {
    const db = openMigrated(
      new SyncPostgres(url, 'learning store'),
      'learning',
      POSTGRES_LEARNING_MIGRATIONS,
    );
    return new LearningStore(db);
  }

  close(): void {
    this.#db.close();
  }

  /** Queues an operator's verdict; its sequence number. */
  enqueue(input: OutcomeInput, at: number): number {
    const row = this.#db
      .prepare('INSERT INTO learning_outcomes (queued_at, input) VALUES (?, ?) RETURNING seq')
      .get(at, JSON.stringify(input)) as { seq: number };
    return row.seq;
  }

  /** Queued outcomes, oldest first. */
  queued(limit = 100): QueuedOutcome[] {
    const rows = this.#db
      .prepare('SELECT seq, queued_at, input FROM learning_outcomes ORDER BY seq LIMIT ?')
      .all(limit) as { seq: number; queued_at: number; input: string }[];
    return rows.map((row) => ({ seq: row.seq, queuedAt: row.queued_at, input: outcomeOf(row.input) }));
  }

  /** Takes an outcome off the queue unlearned; false when it was no longer there. */
  drop(seq: number): boolean {
    return this.#db.prepare('DELETE FROM learning_outcomes WHERE seq = ?').run(seq).changes > 0;
  }

  /**
   * Records a decision; with `fromQueue`, in the same transaction as taking
   * that outcome off the queue, and not at all (false) when another worker
   * already took it, so one outcome never makes two decisions.
   */
  record(record: DecisionRecord, fromQueue?: number): boolean {
    return this.#db.transaction(() => {
      if (fromQueue !== undefined && !this.drop(fromQueue)) return false;
      const { decision } = record;
      this.#db
        .prepare(
          `INSERT INTO decisions (id, ts, incident_id, device_id, outcome, action, explanation, details, pattern, retrain_reason)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          decision.id,
          decision.ts,
          decision.incidentId,
          record.deviceId,
          decision.outcome,
          decision.action,
          decision.explanation,
          JSON.stringify(decision.details),
          record.pattern,
          record.retrainReason,
        );
      return true;
    });
  }

  /** Replaces the explanation and details of a decision once its retraining finished: no longer owed. */
  update(decision: LearningDecision): void {
    this.#db
      .prepare('UPDATE decisions SET explanation = ?, details = ?, retrain_reason = NULL WHERE id = ?')
      .run(decision.explanation, JSON.stringify(decision.details), decision.id);
  }

  /** Newest first. */
  decisions(limit = 1000): LearningDecision[] {
    const rows = this.#db
      .prepare('SELECT * FROM decisions ORDER BY seq DESC LIMIT ?')
      .all(limit) as RawDecision[];
    return rows.map(decisionOf);
  }

  decision(id: string): LearningDecision | undefined {
    const row = this.#db.prepare('SELECT * FROM decisions WHERE id = ?').get(id) as RawDecision | undefined;
    return row === undefined ? undefined : decisionOf(row);
  }

  /** Retrainings decided and not finished, oldest first. */
  owedRetrains(): OwedRetrain[] {
    const rows = this.#db
      .prepare('SELECT * FROM decisions WHERE retrain_reason IS NOT NULL ORDER BY seq')
      .all() as (RawDecision & { retrain_reason: string })[];
    return rows.map((row) => ({ decision: decisionOf(row), reason: row.retrain_reason }));
  }

  /** False alarms with a pattern since `sinceTs`. */
  falseAlarms(sinceTs: number): PastFalseAlarm[] {
    return this.#db
      .prepare(
        `SELECT device_id AS "deviceId", ts, pattern FROM decisions
         WHERE outcome = 'false-alarm' AND pattern IS NOT NULL AND ts >= ?`,
      )
      .all(sinceTs) as PastFalseAlarm[];
  }

  policyOf(deviceId: string): AlarmPolicy | undefined {
    const row = this.#db.prepare('SELECT policy FROM device_policies WHERE device_id = ?').get(deviceId) as
      { policy: string } | undefined;
    if (row === undefined) return undefined;
    const parsed = AlarmPolicy.safeParse(JSON.parse(row.policy));
    return parsed.success ? parsed.data : undefined;
  }

  setPolicy(deviceId: string, policy: AlarmPolicy, ts: number): void {
    this.#db
      .prepare(
        `INSERT INTO device_policies (device_id, policy, ts) VALUES (?, ?, ?)
         ON CONFLICT(device_id) DO UPDATE SET policy = excluded.policy, ts = excluded.ts`,
      )
      .run(deviceId, JSON.stringify(policy), ts);
  }
}
