import { ALARM_LEVELS, type AlarmLevel } from '../../shared/alarm/alarm-policy.js';
import type { Migration } from '../../shared/catalog/index.js';
import type { RecentAnomaly } from './recent-anomalies.js';
import type { AssessmentContext, AssessmentData, DeviceAnomaly } from './incident-types.js';
import {
  INCIDENT_STATES,
  type Incident,
  type IncidentAction,
  type IncidentState,
  type RiskAssessment,
} from '../contracts/cloud-values.js';
import { OUTCOMES, type Outcome } from '../../shared/schemas/outcomes.js';

/**
 * The incident store's schema. Levels, states and outcomes are stored as
 * their names; JSON columns hold what is only ever read whole (reasons,
 * evidence, the anomaly's features, an incident's message ids). Few
 * indexes, since every anomaly writes here: the analysis agent's look-backs
 * are served from memory (recent-anomalies.ts), filled by time at start.
 */
export const INCIDENT_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    up: `
CREATE TABLE seen_messages (
  message_id TEXT PRIMARY KEY,
  ts INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX seen_by_ts ON seen_messages (ts);
CREATE TABLE incidents (
  id TEXT PRIMARY KEY,
  device_id TEXT NOT NULL,
  zone TEXT NOT NULL,
  level TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
  opened_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  acknowledged_at INTEGER,
  acknowledged_by TEXT,
  resolved_at INTEGER,
  resolved_by TEXT,
  outcome TEXT,
  note TEXT,
  reasons TEXT NOT NULL,
  assessments INTEGER NOT NULL,
  message_ids TEXT NOT NULL
);
CREATE INDEX incidents_by_device ON incidents (device_id, state);
CREATE INDEX incidents_by_opened ON incidents (opened_at);
CREATE TABLE assessments (
  id TEXT PRIMARY KEY,
  message_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  zone TEXT NOT NULL,
  ts INTEGER NOT NULL,
  message_ts INTEGER NOT NULL,
  level TEXT NOT NULL,
  device_level TEXT NOT NULL,
  probability REAL NOT NULL,
  score REAL NOT NULL,
  reasons TEXT NOT NULL,
  evidence TEXT NOT NULL,
  features TEXT NOT NULL,
  incident_id TEXT REFERENCES incidents (id)
);
CREATE INDEX assessments_by_ts ON assessments (ts);
CREATE INDEX assessments_by_device ON assessments (device_id, message_ts);
CREATE INDEX assessments_by_incident ON assessments (incident_id);
CREATE TABLE actions (
  id TEXT PRIMARY KEY,
  incident_id TEXT NOT NULL REFERENCES incidents (id),
  ts INTEGER NOT NULL,
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
  ts INTEGER NOT NULL,
  PRIMARY KEY (incident_id, page)
) WITHOUT ROWID;`,
  },
];

export interface IncidentRow {
  id: string;
  device_id: string;
  zone: string;
  level: string;
  state: string;
  opened_at: number;
  updated_at: number;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  resolved_at: number | null;
  resolved_by: string | null;
  outcome: string | null;
  note: string | null;
  reasons: string;
  assessments: number;
  message_ids: string;
}

export interface AssessmentRow {
  id: string;
  message_id: string;
  device_id: string;
  zone: string;
  ts: number;
  message_ts: number;
  level: string;
  device_level: string;
  probability: number;
  score: number;
  reasons: string;
  evidence: string;
  features: string;
  incident_id: string | null;
}

export interface ActionRow {
  id: string;
  incident_id: string;
  ts: number;
  kind: string;
  detail: string;
}

/** Rows are only written by this store, so a value outside its set means a damaged file: read it as the safest. */
export function asLevel(value: string): AlarmLevel {
  return (ALARM_LEVELS as readonly string[]).includes(value) ? (value as AlarmLevel) : 'high';
}

function asState(value: string): IncidentState {
  return (INCIDENT_STATES as readonly string[]).includes(value) ? (value as IncidentState) : 'open';
}

export function isOutcome(value: unknown): value is Outcome {
  return typeof value === 'string' && (OUTCOMES as readonly string[]).includes(value);
}

function stringList(text: string): string[] {
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function jsonObject(text: string): Record<string, unknown> {
  const value: unknown = JSON.parse(text);
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

export function toIncident(row: IncidentRow): Incident {
  return {
    id: row.id,
    deviceId: row.device_id,
    zone: row.zone,
    level: asLevel(row.level),
    state: asState(row.state),
    openedAt: row.opened_at,
    updatedAt: row.updated_at,
    acknowledgedAt: row.acknowledged_at,
    acknowledgedBy: row.acknowledged_by,
    resolvedAt: row.resolved_at,
    outcome: isOutcome(row.outcome) ? row.outcome : null,
    reasons: stringList(row.reasons),
    assessments: row.assessments,
    messageIds: stringList(row.message_ids),
  };
}

export function toAssessment(row: AssessmentRow): RiskAssessment {
  return {
    id: row.id,
    messageId: row.message_id,
    deviceId: row.device_id,
    zone: row.zone,
    ts: row.ts,
    level: asLevel(row.level),
    score: row.score,
    reasons: stringList(row.reasons),
    evidence: jsonObject(row.evidence),
    incidentId: row.incident_id,
  };
}

export function toAction(row: ActionRow): IncidentAction {
  return { id: row.id, incidentId: row.incident_id, ts: row.ts, kind: row.kind, detail: row.detail };
}

/** The row of an assessment; without a context the assessment stands in for the device's own view. */
export function toAssessmentRow(assessment: RiskAssessment, context?: AssessmentContext): AssessmentRow {
  return {
    id: assessment.id,
    message_id: assessment.messageId,
    device_id: assessment.deviceId,
    zone: assessment.zone,
    ts: assessment.ts,
    message_ts: context?.messageTs ?? assessment.ts,
    level: assessment.level,
    device_level: context?.deviceLevel ?? assessment.level,
    probability: context?.probability ?? assessment.score,
    score: assessment.score,
    reasons: JSON.stringify(assessment.reasons),
    evidence: JSON.stringify(assessment.evidence),
    features: JSON.stringify(context?.features ?? {}),
    incident_id: assessment.incidentId,
  };
}

type LookBackRow = Pick<AssessmentRow, 'message_ts' | 'ts' | 'level' | 'device_level' | 'probability'>;

export function toDeviceAnomaly(row: LookBackRow): DeviceAnomaly {
  return {
    messageTs: row.message_ts,
    ts: row.ts,
    deviceLevel: asLevel(row.device_level),
    level: asLevel(row.level),
    probability: row.probability,
  };
}

export function toRecentAnomaly(row: LookBackRow & Pick<AssessmentRow, 'device_id' | 'zone'>): RecentAnomaly {
  return { ...toDeviceAnomaly(row), deviceId: row.device_id, zone: row.zone };
}

function features(text: string): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [name, value] of Object.entries(jsonObject(text))) {
    if (typeof value === 'number' || value === null) out[name] = value;
  }
  return out;
}

export function toAssessmentData(row: AssessmentRow): AssessmentData {
  return {
    id: row.id,
    messageId: row.message_id,
    ts: row.ts,
    messageTs: row.message_ts,
    level: asLevel(row.level),
    deviceLevel: asLevel(row.device_level),
    probability: row.probability,
    score: row.score,
    features: features(row.features),
  };
}
