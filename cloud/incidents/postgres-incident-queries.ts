import type { SyncPostgres } from '../database/sync-postgres.js';
import type { ActionRow, AssessmentRow, IncidentRow } from './incident-rows.js';
import type {
  IncidentStatements,
  JoinRow,
  ListParams,
  LookBackRow,
  NewIncidentRow,
  RecentRow,
} from './incident-queries.js';

const INCIDENT_COLUMNS = `id, device_id, zone, level, state, opened_at, updated_at, acknowledged_at,
  acknowledged_by, resolved_at, resolved_by, outcome, note, reasons, assessments, message_ids`;
const ASSESSMENT_COLUMNS = `id, message_id, device_id, zone, ts, message_ts, level, device_level,
  probability, score, reasons, evidence, features, incident_id`;

/**
 * The incident store's statements on PostgreSQL, with the SQLite set's
 * names and results, and the two look-backs and the device lock that
 * several workers need (see the store's `shared` mode).
 */
export class PostgresIncidentQueries implements IncidentStatements {
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
  /** Held until the transaction ends: one worker at a time assesses a device's anomalies. */
  readonly lockDevice;
  /** The device's newest assessments (cloud clock at or after $2), newest first, at most $3. */
  readonly deviceRecent;
  /** Zone mates' own levels since $2 (cloud clock), other than device $3. */
  readonly zoneRecent;

  constructor(db: SyncPostgres) {
    this.markSeen = db.prepare<[string, number]>(
      'INSERT INTO seen_messages (message_id, ts) VALUES (?, ?) ON CONFLICT (message_id) DO NOTHING',
    );
    this.pruneSeen = db.prepare<[number]>('DELETE FROM seen_messages WHERE ts < ?');
    this.incident = db.prepare<[string], IncidentRow>(
      `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE id = ?`,
    );
    this.list = db.prepare<[ListParams], IncidentRow>(
      `SELECT ${INCIDENT_COLUMNS} FROM incidents
       WHERE (@state::text IS NULL OR state = @state) AND (@deviceId::text IS NULL OR device_id = @deviceId)
       ORDER BY opened_at DESC, seq DESC LIMIT @limit`,
    );
    this.openIncidentOf = db.prepare<[string], IncidentRow>(
      `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE device_id = ? AND state <> 'resolved'
       ORDER BY opened_at DESC, seq DESC LIMIT 1`,
    );
    this.insertIncident = db.prepare<[NewIncidentRow]>(
      `INSERT INTO incidents (id, device_id, zone, level, state, opened_at, updated_at, reasons, assessments, message_ids)
       VALUES (@id, @deviceId, @zone, @level, 'open', @ts, @ts, @reasons, 1, @messageIds)`,
    );
    this.joinIncident = db.prepare<[JoinRow]>(
      `UPDATE incidents SET level = @level, updated_at = greatest(updated_at, @ts), reasons = @reasons,
       assessments = assessments + 1, message_ids = @messageIds WHERE id = @id`,
    );
    this.acknowledge = db.prepare<[{ id: string; ts: number; by: string }]>(
      `UPDATE incidents SET state = 'acknowledged', acknowledged_at = @ts, acknowledged_by = @by,
       updated_at = greatest(updated_at, @ts) WHERE id = @id`,
    );
    this.resolve = db.prepare<[{ id: string; ts: number; by: string; outcome: string; note: string | null }]>(
      `UPDATE incidents SET state = 'resolved', resolved_at = @ts, resolved_by = @by, outcome = @outcome,
       note = @note, updated_at = greatest(updated_at, @ts) WHERE id = @id`,
    );
    this.insertAssessment = db.prepare<[AssessmentRow]>(
      `INSERT INTO assessments (${ASSESSMENT_COLUMNS})
       VALUES (@id, @message_id, @device_id, @zone, @ts, @message_ts, @level, @device_level,
       @probability, @score, @reasons, @evidence, @features, @incident_id)`,
    );
    this.assessmentsOf = db.prepare<[string], AssessmentRow>(
      `SELECT ${ASSESSMENT_COLUMNS} FROM assessments WHERE incident_id = ? ORDER BY ts, seq`,
    );
    this.recentAssessments = db.prepare<[number], RecentRow>(
      `SELECT device_id, zone, message_ts, ts, level, device_level, probability FROM assessments
       WHERE ts >= ? ORDER BY ts, seq`,
    );
    this.deviceAssessments = db.prepare<[string, number, number], LookBackRow>(
      `SELECT message_ts, ts, level, device_level, probability FROM assessments
       WHERE device_id = ? AND message_ts >= ? AND message_ts < ? ORDER BY message_ts, seq`,
    );
    this.outcomesOf = db.prepare<[string, number], { id: string; outcome: string; resolved_at: number }>(
      `SELECT id, outcome, resolved_at FROM incidents
       WHERE device_id = ? AND state = 'resolved' AND resolved_at >= ? ORDER BY resolved_at`,
    );
    this.insertAction = db.prepare<[ActionRow]>(
      'INSERT INTO actions (id, incident_id, ts, kind, detail) VALUES (@id, @incident_id, @ts, @kind, @detail)',
    );
    this.actionsOf = db.prepare<[string], ActionRow>(
      'SELECT id, incident_id, ts, kind, detail FROM actions WHERE incident_id = ? ORDER BY ts, seq',
    );
    this.claimPage = db.prepare<[{ incidentId: string; page: string; ts: number }]>(
      `INSERT INTO page_claims (incident_id, page, ts) VALUES (@incidentId, @page, @ts)
       ON CONFLICT (incident_id, page) DO NOTHING`,
    );
    this.lockDevice = db.prepare<[string]>("SELECT pg_advisory_xact_lock(hashtext('ember-device:' || ?))");
    this.deviceRecent = db.prepare<[string, number, number], LookBackRow>(
      `SELECT message_ts, ts, level, device_level, probability FROM assessments
       WHERE device_id = ? AND ts >= ? ORDER BY message_ts DESC, seq DESC LIMIT ?`,
    );
    this.zoneRecent = db.prepare<
      [string, number, string],
      { device_id: string; device_level: string; ts: number }
    >(
      `SELECT device_id, device_level, ts FROM assessments
       WHERE zone = ? AND ts >= ? AND device_id <> ? AND device_level <> 'none'`,
    );
  }
}
