import type { Reading } from '../../shared/schemas/readings.js';
import type { AuditEntry } from '../access/access-stores.js';
import type { Prediction } from '../../factory/inference/predictor.js';
import type {
  DeviceState,
  Incident,
  IncidentAction,
  IncidentState,
  LearningDecision,
  OperatorAlert,
  RiskAssessment,
  RolloutProgress,
  TelemetryPoint,
} from '../contracts/cloud-values.js';
import type { Outcome } from '../../shared/schemas/outcomes.js';

/** A value now or later: the components behind the port may answer synchronously (SQLite) or not. */
export type Awaitable<T> = T | Promise<T>;

/** One registered model as the API lists it; the registry's ModelRecord fits this shape. */
export interface ModelSummary {
  readonly version: string;
  /** candidate, approved, rejected, retired. */
  readonly status: string;
  /** ISO 8601. */
  readonly createdAt: string;
  readonly family: string;
  readonly sha256: string;
  /** Headline evaluation figures (detection rate, median time to alarm…); null when not measured. */
  readonly metrics: Readonly<Record<string, number | null>>;
  readonly decidedAt?: string | null;
  readonly decidedBy?: string | null;
  readonly reason?: string | null;
}

/** The files of a model a device downloads. */
export const MODEL_FILES = ['manifest.json', 'model.onnx'] as const;
export type ModelFileName = (typeof MODEL_FILES)[number];

/** What /readyz reports: ready only when every check passes. */
export interface Readiness {
  readonly ready: boolean;
  /** Check name (broker, stores…) → whether it passes and, when not, why. */
  readonly checks: Readonly<Record<string, { readonly ok: boolean; readonly detail?: string }>>;
}

/** What the registry answered to an approval or rejection. */
export interface ModelDecisionResult {
  readonly version: string;
  readonly status: string;
  /** The gate's findings, one sentence each (approval only). */
  readonly reasons: readonly string[];
}

export interface IncidentQuery {
  readonly state?: IncidentState;
  readonly deviceId?: string;
  readonly limit?: number;
}

/** Something that changed, pushed to the dashboard as it happens. */
export type LiveEvent =
  | { readonly type: 'device'; readonly device: DeviceState }
  | { readonly type: 'incident'; readonly incident: Incident }
  | { readonly type: 'assessment'; readonly assessment: RiskAssessment }
  | { readonly type: 'action'; readonly action: IncidentAction }
  | { readonly type: 'rollout'; readonly rollout: RolloutProgress }
  | { readonly type: 'decision'; readonly decision: LearningDecision }
  | { readonly type: 'alert'; readonly alert: OperatorAlert }
  | { readonly type: 'audit'; readonly entry: AuditEntry };

export type LiveEventType = LiveEvent['type'];

/**
 * Everything the HTTP API asks of the rest of the cloud. The composition
 * root adapts the fleet state, incident store, response agent, registry,
 * rollout, learning and monitoring components to it; the API imports none
 * of them. Throw EmberError with the component's code (not found,
 * transition, rollout…) and the API answers with the status of that code.
 */
export interface ApiPorts {
  devices(): Awaitable<readonly DeviceState[]>;
  /** undefined when no device has that id (404). */
  device(id: string): Awaitable<DeviceState | undefined>;
  /** Oldest first; only points at or after `sinceTs` when given. */
  history(id: string, sinceTs?: number): Awaitable<readonly TelemetryPoint[]>;
  /** Newest first. */
  incidents(query: IncidentQuery): Awaitable<readonly Incident[]>;
  incident(id: string): Awaitable<Incident | undefined>;
  /** Oldest first. */
  actions(incidentId: string): Awaitable<readonly IncidentAction[]>;
  /** EMBER_ERR_INCIDENT_NOT_FOUND (404), EMBER_ERR_INCIDENT_TRANSITION (409). */
  acknowledge(id: string, by: string): Awaitable<Incident>;
  /** As acknowledge; EMBER_ERR_BAD_OUTCOME (422) for an outcome the incident contradicts. */
  resolve(id: string, outcome: Outcome, by: string, note?: string): Awaitable<Incident>;
  /** Newest first. */
  models(): Awaitable<readonly ModelSummary[]>;
  /** The exact bytes; EMBER_ERR_REGISTRY_NOT_FOUND or EMBER_ERR_STORE_NOT_FOUND (404) when unknown. */
  modelFile(version: string, file: ModelFileName): Promise<Uint8Array>;
  /**
   * Runs the registry's gate and approves when it passes; EMBER_ERR_REGISTRY_GATE_REFUSED
   * (422) listing the failed criteria otherwise.
   */
  approveModel(version: string, by: string, reason: string): Promise<ModelDecisionResult>;
  /** Rejects a candidate or withdraws an approved model. */
  rejectModel(version: string, by: string, reason: string): Promise<ModelDecisionResult>;
  /** Newest first. */
  rollouts(): Awaitable<readonly RolloutProgress[]>;
  /** The canary share a rollout gets when none is asked for (0-1). */
  canaryShare(): number;
  /** EMBER_ERR_ROLLOUT (409) when it cannot start. */
  startRollout(version: string, canaryShare?: number): Promise<RolloutProgress>;
  /** Newest first. */
  decisions(): Awaitable<readonly LearningDecision[]>;
  /** Active first, then newest first. */
  alerts(): Awaitable<readonly OperatorAlert[]>;
  /** The components' metrics in the Prometheus text format; the API appends its own. */
  metrics(): Promise<{ readonly contentType: string; readonly text: string }>;
  /** EMBER_ERR_PREDICT (422) for a window that cannot be scored; see factory/inference Predictor. */
  predict(readings: readonly Reading[], deviceId?: string): Promise<Prediction>;
  /** Whether the cloud can do its work now: broker session up, stores open. */
  readiness(): Awaitable<Readiness>;
  /** Calls `listener` for every change until the returned function is called. */
  subscribe(listener: (event: LiveEvent) => void): () => void;
}
