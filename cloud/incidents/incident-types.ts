import type { AlarmLevel } from '../../shared/alarm/alarm-policy.js';
import type { Logger } from '../../shared/logging.js';
import type { Incident, IncidentEvent, IncidentState } from '../contracts/cloud-values.js';

export interface IncidentStoreEvents {
  /** Emitted once the change is committed. */
  incident: [event: IncidentEvent];
}

/** What an assessment was made of, kept with it for learning. */
export interface AssessmentContext {
  /** The anomaly's feature name → value (null where missing). */
  readonly features: Readonly<Record<string, number | null>>;
  /** The level the device raised itself. */
  readonly deviceLevel: AlarmLevel;
  /** The device model's probability. */
  readonly probability: number;
  /** The anomaly's own timestamp (device clock). */
  readonly messageTs: number;
}

/** One assessment of an incident with the inputs a learner needs. */
export interface AssessmentData {
  readonly id: string;
  readonly messageId: string;
  readonly ts: number;
  readonly messageTs: number;
  readonly level: AlarmLevel;
  readonly deviceLevel: AlarmLevel;
  readonly probability: number;
  readonly score: number;
  readonly features: Readonly<Record<string, number | null>>;
}

export interface IncidentDataWindow {
  readonly incident: Incident;
  readonly resolvedBy: string | null;
  readonly note: string | null;
  /** Oldest first. */
  readonly assessments: readonly AssessmentData[];
}

export interface IncidentListFilter {
  readonly state?: IncidentState;
  readonly deviceId?: string;
  /** 100 by default, at most 1000. */
  readonly limit?: number;
}

/** An earlier anomaly of one device, as the analysis agent looks back at it. */
export interface DeviceAnomaly {
  readonly messageTs: number;
  readonly ts: number;
  readonly deviceLevel: AlarmLevel;
  readonly level: AlarmLevel;
  readonly probability: number;
}

/** The highest level a zone mate raised itself within a window, and when it last spoke. */
export interface ZoneActivity {
  readonly deviceId: string;
  readonly level: AlarmLevel;
  readonly ts: number;
}

export interface DeviceOutcome {
  readonly incidentId: string;
  readonly outcome: string;
  readonly resolvedAt: number;
}

interface IncidentStoreSettings {
  /** How long handled message ids are remembered; 7 days by default. */
  readonly retentionMs?: number;
  /** How far back the device and zone look-backs reach (kept in memory); an hour by default. */
  readonly lookBackMs?: number;
  /** How often old message ids are pruned while started; hourly by default. */
  readonly pruneIntervalMs?: number;
  readonly logger?: Logger;
  /** Cloud clock in ms. */
  readonly now?: () => number;
}

/**
 * Where the store keeps its tables: a SQLite file (one process), or a
 * PostgreSQL database that several cloud workers share. On PostgreSQL the
 * look-backs come from the database, since no one worker sees every anomaly.
 */
export type IncidentStoreOptions = IncidentStoreSettings &
  (
    | {
        /** The SQLite file (created with its folder). */ readonly path: string;
        readonly postgresUrl?: undefined;
      }
    | {
        /** A libpq connection string or postgres:// URL. */ readonly postgresUrl: string;
        readonly path?: undefined;
      }
  );
