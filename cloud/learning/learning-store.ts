import type Database from 'better-sqlite3';
import { AlarmPolicy } from '../../shared/alarm/alarm-policy.js';
import { openCatalog, type Migration } from '../../shared/catalog/index.js';
import type { LearningDecision } from '../contracts/cloud-values.js';
import type { Outcome } from '../../shared/schemas/outcomes.js';
import type { PastFalseAlarm } from './decision-rules.js';

const MIGRATIONS: readonly Migration[] = [
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
];

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

/** The learning agent's SQLite file: its decisions, and the policy it last sent each device. */
export class LearningStore {
  readonly #db: Database.Database;

  private constructor(db: Database.Database) {
    this.#db = db;
  }

  static open(file: string): LearningStore {
    return new LearningStore(openCatalog(file, { migrations: MIGRATIONS }));
  }

  close(): void {
    this.#db.close();
  }

  insert(decision: LearningDecision, deviceId: string, pattern: string | null): void {
    this.#db
      .prepare(
        `INSERT INTO decisions (id, ts, incident_id, device_id, outcome, action, explanation, details, pattern)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        decision.id,
        decision.ts,
        decision.incidentId,
        deviceId,
        decision.outcome,
        decision.action,
        decision.explanation,
        JSON.stringify(decision.details),
        pattern,
      );
  }

  /** Replaces the explanation and details of a decision (when its retraining finished). */
  update(decision: LearningDecision): void {
    this.#db
      .prepare('UPDATE decisions SET explanation = ?, details = ? WHERE id = ?')
      .run(decision.explanation, JSON.stringify(decision.details), decision.id);
  }

  /** Newest first. */
  decisions(limit = 1000): LearningDecision[] {
    const rows = this.#db
      .prepare('SELECT * FROM decisions ORDER BY seq DESC LIMIT ?')
      .all(limit) as RawDecision[];
    return rows.map(decisionOf);
  }

  /** False alarms with a pattern since `sinceTs`. */
  falseAlarms(sinceTs: number): PastFalseAlarm[] {
    return this.#db
      .prepare(
        "SELECT device_id AS deviceId, ts, pattern FROM decisions WHERE outcome = 'false-alarm' AND pattern IS NOT NULL AND ts >= ?",
      )
      .all(sinceTs) as PastFalseAlarm[];
  }

  policyOf(deviceId: string): AlarmPolicy | undefined {
    const text = this.#db
      .prepare('SELECT policy FROM device_policies WHERE device_id = ?')
      .pluck()
      .get(deviceId) as string | undefined;
    if (text === undefined) return undefined;
    const parsed = AlarmPolicy.safeParse(JSON.parse(text));
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
