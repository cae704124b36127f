import type Database from 'better-sqlite3';
import type { ActionRow, AssessmentRow, IncidentRow } from './incident-rows.js';

/** One statement: better-sqlite3's shape, which the PostgreSQL adapter copies. */
export interface Statement<P extends unknown[], R = unknown> {
  run(...params: P): { changes: number };
  get(...params: P): R | undefined;
  all(...params: P): R[];
}

export type LookBackRow = Pick<AssessmentRow, 'message_ts' | 'ts' | 'level' | 'device_level' | 'probability'>;
export type RecentRow = LookBackRow & Pick<AssessmentRow, 'device_id' | 'zone'>;
export interface NewIncidentRow {
  id: string;
  deviceId: string;
  zone: string;
  level: string;
  ts: number;
  reasons: string;
  messageIds: string;
}
export interface JoinRow {
  id: string;
  level: string;
  ts: number;
  reasons: string;
  messageIds: string;
}
export interface ListParams {
  state: string | null;
  deviceId: string | null;
  limit: number;
}

/** Every statement of the incident store, whatever the database; prepared once when it starts. */
export interface IncidentStatements {
  readonly markSeen: Statement<[string, number]>;
  readonly pruneSeen: Statement<[number]>;
  readonly incident: Statement<[string], IncidentRow>;
  readonly list: Statement<[ListParams], IncidentRow>;
  readonly openIncidentOf: Statement<[string], IncidentRow>;
  readonly insertIncident: Statement<[NewIncidentRow]>;
  readonly joinIncident: Statement<[JoinRow]>;
  readonly acknowledge: Statement<[{ id: string; ts: number; by: string }]>;
  readonly resolve: Statement<[{ id: string; ts: number; by: string; outcome: string; note: string | null }]>;
  readonly insertAssessment: Statement<[AssessmentRow]>;
  readonly assessmentsOf: Statement<[string], AssessmentRow>;
  readonly recentAssessments: Statement<[number], RecentRow>;
  readonly deviceAssessments: Statement<[string, number, number], LookBackRow>;
  readonly outcomesOf: Statement<[string, number], { id: string; outcome: string; resolved_at: number }>;
  readonly insertAction: Statement<[ActionRow]>;
  readonly actionsOf: Statement<[string], ActionRow>;
  /** Inserts a page claim unless the page is claimed already: 1 change when this call won it. */
  readonly claimPage: Statement<[{ incidentId: string; page: string; ts: number }]>;
}

/** The incident store's statements on SQLite. */
export class IncidentQueries implements IncidentStatements {
  readonly markSeen;
  readonly pruneSeen;
  readonly incident;
  readonly list;
  readonly openIncidentOf;
  readonly insertIncident;
  readonly joinIncident;
  readonly acknowledge;
  readonly resolve;
  readonly insertAssessment;
  readonly assessmentsOf;
  readonly recentAssessments;
  readonly deviceAssessments;
  readonly outcomesOf;
  readonly insertAction;
  readonly actionsOf;
  readonly claimPage;

  constructor(db: Database.Database) {
    this.markSeen = db.prepare<[string, number]>(
      'INSERT OR IGNORE INTO seen_messages (message_id, ts) VALUES (?, ?)',
    );
    this.pruneSeen = db.prepare<[number]>('DELETE FROM seen_messages WHERE ts < ?');
    this.incident = db.prepare<[string], IncidentRow>('SELECT * FROM incidents WHERE id = ?');
    this.list = db.prepare<[{ state: string | null; deviceId: string | null; limit: number }], IncidentRow>(
      `SELECT * FROM incidents WHERE (@state IS NULL OR state = @state) AND (@deviceId IS NULL OR device_id = @deviceId)
       ORDER BY opened_at DESC, rowid DESC LIMIT @limit`,
    );
    this.openIncidentOf = db.prepare<[string], IncidentRow>(
      `SELECT * FROM incidents WHERE device_id = ? AND state <> 'resolved'
       ORDER BY opened_at DESC, rowid DESC LIMIT 1`,
    );
    this.insertIncident = db.prepare<
      [
        {
          id: string;
          deviceId: string;
          zone: string;
          level: string;
          ts: number;
          reasons: string;
          messageIds: string;
        },
      ]
    >(
      `INSERT INTO incidents (id, device_id, zone, level, state, opened_at, updated_at, reasons, assessments, message_ids)
       VALUES (@id, @deviceId, @zone, @level, 'open', @ts, @ts, @reasons, 1, @messageIds)`,
    );
    this.joinIncident = db.prepare<
      [{ id: string; level: string; ts: number; reasons: string; messageIds: string }]
    >(
      `UPDATE incidents SET level = @level, updated_at = max(updated_at, @ts), reasons = @reasons,
       assessments = assessments + 1, message_ids = @messageIds WHERE id = @id`,
    );
    this.acknowledge = db.prepare<[{ id: string; ts: number; by: string }]>(
      `UPDATE incidents SET state = 'acknowledged', acknowledged_at = @ts, acknowledged_by = @by,
       updated_at = max(updated_at, @ts) WHERE id = @id`,
    );
    this.resolve = db.prepare<[{ id: string; ts: number; by: string; outcome: string; note: string | null }]>(
      `UPDATE incidents SET state = 'resolved', resolved_at = @ts, resolved_by = @by, outcome = @outcome,
       note = @note, updated_at = max(updated_at, @ts) WHERE id = @id`,
    );
    this.insertAssessment = db.prepare<[AssessmentRow]>(
      `INSERT INTO assessments (id, message_id, device_id, zone, ts, message_ts, level, device_level,
       probability, score, reasons, evidence, features, incident_id)
       VALUES (@id, @message_id, @device_id, @zone, @ts, @message_ts, @level, @device_level,
       @probability, @score, @reasons, @evidence, @features, @incident_id)`,
    );
    this.assessmentsOf = db.prepare<[string], AssessmentRow>(
      'SELECT * FROM assessments WHERE incident_id = ? ORDER BY ts, rowid',
    );
    this.recentAssessments = db.prepare<
      [number],
      {
        device_id: string;
        zone: string;
        message_ts: number;
        ts: number;
        level: string;
        device_level: string;
        probability: number;
      }
    >(
      `SELECT device_id, zone, message_ts, ts, level, device_level, probability FROM assessments
       WHERE ts >= ? ORDER BY ts, rowid`,
    );
    this.deviceAssessments = db.prepare<
      [string, number, number],
      { message_ts: number; ts: number; level: string; device_level: string; probability: number }
    >(
      `SELECT message_ts, ts, level, device_level, probability FROM assessments
       WHERE device_id = ? AND message_ts >= ? AND message_ts < ? ORDER BY message_ts, rowid`,
    );
    this.outcomesOf = db.prepare<[string, number], { id: string; outcome: string; resolved_at: number }>(
      `SELECT id, outcome, resolved_at FROM incidents
       WHERE device_id = ? AND state = 'resolved' AND resolved_at >= ? ORDER BY resolved_at`,
    );
    this.insertAction = db.prepare<[ActionRow]>(
      'INSERT INTO actions (id, incident_id, ts, kind, detail) VALUES (@id, @incident_id, @ts, @kind, @detail)',
    );
    this.actionsOf = db.prepare<[string], ActionRow>(
      'SELECT * FROM actions WHERE incident_id = ? ORDER BY ts, rowid',
    );
    this.claimPage = db.prepare<[{ incidentId: string; page: string; ts: number }]>(
      'INSERT OR IGNORE INTO page_claims (incident_id, page, ts) VALUES (@incidentId, @page, @ts)',
    );
  }
}
