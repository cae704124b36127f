import type { AlarmLevel, AlarmPolicy } from '../../shared/alarm/alarm-policy.js';
import type { Logger } from '../../shared/logging.js';
import type { ObjectStore } from '../../shared/object-store/object-store.js';
import type { Incident, RolloutProgress } from '../contracts/cloud-values.js';
import type { Outcome } from '../../shared/schemas/outcomes.js';

/** One assessment of the incident's device, as the analysis agent saw it. */
export interface WindowAssessment {
  readonly ts: number;
  /** The anomaly's own time, on the device's clock (what its recordings are stamped with). */
  readonly messageTs?: number;
  readonly probability: number;
  readonly level: AlarmLevel;
  /** Feature name → value; null where the feature was missing. */
  readonly features: Readonly<Record<string, number | null>>;
}

/** The incident's data: its device's assessments, oldest first. */
export interface IncidentWindow {
  readonly assessments: readonly WindowAssessment[];
}

/** An operator's verdict on an incident. */
export interface OutcomeInput {
  readonly incident: Incident;
  readonly outcome: Outcome;
  readonly by: string;
  readonly note?: string;
  readonly window: IncidentWindow;
}

export interface RetrainResult {
  readonly version: string;
  readonly approved: boolean;
  /** The registry gate's verdict (GateVerdict), kept as given. */
  readonly verdict: unknown;
  /** Anything the retrainer wants on record, e.g. whether field data went into training. */
  readonly notes?: readonly string[];
}

/** Trains, registers and gates a new model. */
export interface Retrainer {
  retrain(reason: string): Promise<RetrainResult>;
}

/** Sends one message at QoS 1 (the cloud's MQTT client). */
export interface ConfigPublisher {
  publish(topic: string, payload: Buffer): Promise<void>;
}

/** Starts a fleet rollout of an approved version (FleetRollout fits). */
export interface RolloutStarter {
  start(input: { version: string }): Promise<RolloutProgress>;
}

/** The tunables of the decision rules. */
export interface LearningRules {
  /** A fire first raised to high later than this after the incident opened counts as late. */
  readonly lateAlarmS: number;
  /** False alarms with the same pattern on this many devices (this one included) call for retraining. */
  readonly repeatDevices: number;
  /** …within this many hours. */
  readonly repeatWindowH: number;
  /** How much one adjustment raises each threshold. */
  readonly notch: number;
  /** Thresholds are never raised above these. */
  readonly maxThresholds: { readonly low: number; readonly medium: number; readonly high: number };
}

export const DEFAULT_LEARNING_RULES: LearningRules = {
  lateAlarmS: 120,
  repeatDevices: 3,
  repeatWindowH: 24 * 7,
  notch: 0.05,
  maxThresholds: { low: 0.6, medium: 0.8, high: 0.95 },
};

export interface LearningAgentOptions {
  /** The agent's own SQLite file (decisions, per-device policies it sent, queued outcomes). */
  readonly databaseFile?: string;
  /** Its tables in this PostgreSQL database instead, which several workers may share. */
  readonly postgresUrl?: string;
  /** Workers share the store: learn only between lead() and follow() (the learning role). */
  readonly shared?: boolean;
  /** How often the leading agent looks for outcomes other workers queued (1 s). */
  readonly pollMs?: number;
  /** Labelled windows go here as JSON lines, one file per day; labelled recordings under recordings/. */
  readonly fieldDataDir: string;
  /** Where devices write their incident recordings (their snapshot store); without it none are labelled. */
  readonly recordingStore?: ObjectStore;
  readonly publisher: ConfigPublisher;
  readonly retrainer?: Retrainer;
  /** When given, an approved retrained model is rolled out. */
  readonly rollout?: RolloutStarter;
  /** The policy a device runs before any adjustment (e.g. its model manifest's); DEFAULT_ALARM_POLICY otherwise. */
  readonly basePolicy?: (deviceId: string) => AlarmPolicy | undefined;
  readonly rules?: Partial<LearningRules>;
  readonly logger?: Logger;
  readonly now?: () => number;
}
