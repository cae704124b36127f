import type { AlarmLevel } from '../../shared/alarm/alarm-policy.js';
import type { TroubleCondition } from '../../shared/schemas/messages.js';
import type { Outcome } from '../../shared/schemas/outcomes.js';

/**
 * The shapes the cloud components hand each other and show through the API
 * and dashboard. Each component owns its data (its own SQLite file locally,
 * its own table or queue on AWS) and talks to the others only through these
 * values, so any one of them can run alone behind a queue.
 */

/** What the fleet knows of one device, from its status, telemetry and anomalies. */
export interface DeviceState {
  readonly deviceId: string;
  /** From the cloud configuration; a device nobody placed is its own zone. */
  readonly zone: string;
  readonly online: boolean;
  /** Milliseconds since the epoch of the last message of any kind. */
  readonly lastSeen: number;
  readonly level: AlarmLevel;
  readonly probability: number;
  /** Active model version, or `rules`. */
  readonly model: string;
  readonly modelStatus: string;
  readonly outboxMessages: number;
  readonly outboxOldestAgeS: number;
  /** Sensor id → state (open, stale, reconnecting…). */
  readonly sensors: Readonly<Record<string, string>>;
  /** Checksum errors per thousand frames over the last status interval. */
  readonly decodeErrorRate: number;
  /** Channel → last value from telemetry (null when missing). */
  readonly levels: Readonly<Record<string, number | null>>;
  /** PNG (base64) of the newest thermal snapshot, if any arrived. */
  readonly thermalPngBase64: string | null;
  /** Latest risk assessment of this device. */
  readonly risk: AlarmLevel;
  /** Trouble conditions standing at the device's newest status: faults that need a person, not alarms. */
  readonly trouble: readonly TroubleCondition[];
  /** The config (alarm thresholds) last sent to the device, if any, and whether it confirmed it. */
  readonly config?: DeviceConfigState;
}

/** A config sent to a device: pending until the device reports running it. */
export interface DeviceConfigState {
  readonly revision: number;
  readonly state: 'pending' | 'applied';
  readonly sentAt: number;
  readonly appliedAt: number | null;
}

/** One point of a device's sensor history for charts. */
export interface TelemetryPoint {
  readonly ts: number;
  readonly probability: number;
  readonly levels: Readonly<Record<string, number | null>>;
}

/** The analysis agent's verdict on one anomaly. */
export interface RiskAssessment {
  readonly id: string;
  /** The anomaly message it assesses. */
  readonly messageId: string;
  readonly deviceId: string;
  readonly zone: string;
  readonly ts: number;
  readonly level: AlarmLevel;
  /** 0..1, the combined evidence. */
  readonly score: number;
  /** Short sentences, e.g. "probability 0.93 from model gbdt-…", "corroborated by gw-2 in zone kitchen". */
  readonly reasons: readonly string[];
  readonly evidence: Readonly<Record<string, unknown>>;
  /** The incident it opened or joined, when its level is low or above. */
  readonly incidentId: string | null;
}

export const INCIDENT_STATES = ['open', 'acknowledged', 'resolved'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

export interface Incident {
  readonly id: string;
  readonly deviceId: string;
  readonly zone: string;
  /** The highest level reached. */
  readonly level: AlarmLevel;
  readonly state: IncidentState;
  readonly openedAt: number;
  readonly updatedAt: number;
  readonly acknowledgedAt: number | null;
  readonly acknowledgedBy: string | null;
  readonly resolvedAt: number | null;
  readonly outcome: Outcome | null;
  readonly reasons: readonly string[];
  readonly assessments: number;
  /** Anomaly message ids, oldest first. */
  readonly messageIds: readonly string[];
}

/** What happened to an incident; the response agent acts on each. */
export const INCIDENT_CHANGES = ['opened', 'escalated', 'updated', 'acknowledged', 'resolved'] as const;
export type IncidentChange = (typeof INCIDENT_CHANGES)[number];

/** An incident as it stands after a committed change. */
export interface IncidentEvent {
  readonly incident: Incident;
  readonly change: IncidentChange;
}

/** One thing the response agent or an operator did about an incident. */
export interface IncidentAction {
  readonly id: string;
  readonly incidentId: string;
  readonly ts: number;
  /** logged, notified, alerted, escalated, suppressed, acknowledged, resolved, webhook-failed… */
  readonly kind: string;
  readonly detail: string;
}

export const ROLLOUT_STATES = ['canary', 'fleet', 'completed', 'failed', 'rolled-back'] as const;
export type RolloutState = (typeof ROLLOUT_STATES)[number];

export interface RolloutDeviceProgress {
  readonly deviceId: string;
  readonly canary: boolean;
  /** offered, installed, rejected, failed, rolled-back, timed-out, pending. */
  readonly status: string;
  readonly reason: string | null;
}

export interface RolloutProgress {
  readonly id: string;
  readonly version: string;
  readonly previousVersion: string | null;
  readonly state: RolloutState;
  readonly startedAt: number;
  readonly updatedAt: number;
  readonly canaryShare: number;
  readonly devices: readonly RolloutDeviceProgress[];
  /** Why it stopped, for failed and rolled-back rollouts. */
  readonly reason: string | null;
}

/** The learning agent's answer to an outcome. */
export interface LearningDecision {
  readonly id: string;
  readonly ts: number;
  readonly incidentId: string;
  readonly outcome: Outcome;
  /** none, adjust-rules, retrain. */
  readonly action: string;
  /** Why, in words an operator reads on the dashboard. */
  readonly explanation: string;
  readonly details: Readonly<Record<string, unknown>>;
}

/** An operator alert raised by a monitoring rule. */
export interface OperatorAlert {
  readonly id: string;
  /** device-offline, outbox-backlog, rollout-failed, decode-errors. */
  readonly rule: string;
  readonly subject: string;
  readonly ts: number;
  readonly message: string;
  readonly active: boolean;
}
