import { EmberError } from '../../shared/errors.js';
import type { Reading } from '../../shared/schemas/readings.js';
import type { Prediction, Predictor } from '../../factory/inference/predictor.js';
import type {
  DeviceState,
  Incident,
  IncidentAction,
  LearningDecision,
  OperatorAlert,
  RolloutProgress,
  TelemetryPoint,
} from '../contracts/cloud-values.js';
import type { Outcome } from '../../shared/schemas/outcomes.js';
import type {
  ApiPorts,
  IncidentQuery,
  LiveEvent,
  ModelDecisionResult,
  ModelFileName,
  ModelSummary,
  Readiness,
} from './api-ports.js';

/** A call that changes something, as the tests check it arrived. */
export type PortCall =
  | { readonly kind: 'acknowledge'; readonly id: string; readonly by: string }
  | {
      readonly kind: 'resolve';
      readonly id: string;
      readonly outcome: Outcome;
      readonly by: string;
      readonly note?: string;
    }
  | { readonly kind: 'rollout'; readonly version: string; readonly canaryShare?: number }
  | {
      readonly kind: 'decide';
      readonly version: string;
      readonly status: string;
      readonly by: string;
      readonly reason: string;
    }
  | { readonly kind: 'predict'; readonly deviceId?: string; readonly readings: number };

export function device(deviceId: string, overrides: Partial<DeviceState> = {}): DeviceState {
  return {
    deviceId,
    zone: 'kitchen',
    online: true,
    lastSeen: 1_700_000_000_000,
    level: 'none',
    probability: 0.02,
    model: 'rules',
    modelStatus: 'active',
    outboxMessages: 0,
    outboxOldestAgeS: 0,
    sensors: { pms5003: 'open', mcu680: 'open' },
    decodeErrorRate: 0,
    levels: { temp: 21.5, pm25: 1.2 },
    thermalPngBase64: null,
    risk: 'none',
    trouble: [],
    ...overrides,
  };
}

export function incident(id: string, overrides: Partial<Incident> = {}): Incident {
  return {
    id,
    deviceId: 'gw-1',
    zone: 'kitchen',
    level: 'medium',
    state: 'open',
    openedAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    outcome: null,
    reasons: ['probability 0.7 from model rules'],
    assessments: 1,
    messageIds: ['m-1'],
    ...overrides,
  };
}

/**
 * The API's port over plain maps, for tests of the API itself: the
 * components behind the real port have their own tests.
 */
export class MemoryPorts implements ApiPorts {
  readonly deviceMap = new Map<string, DeviceState>();
  readonly historyMap = new Map<string, TelemetryPoint[]>();
  readonly incidentMap = new Map<string, Incident>();
  readonly actionList: IncidentAction[] = [];
  readonly modelList: ModelSummary[] = [];
  readonly files = new Map<string, Uint8Array>();
  readonly rolloutList: RolloutProgress[] = [];
  readonly decisionList: LearningDecision[] = [];
  readonly alertList: OperatorAlert[] = [];
  readonly calls: PortCall[] = [];
  /** What readiness() reports. */
  ready = true;
  readonly #listeners = new Set<(event: LiveEvent) => void>();
  readonly #predictor: Predictor | undefined;
  #now = 1_700_000_100_000;

  constructor(predictor?: Predictor) {
    this.#predictor = predictor;
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  /** Stores what the event carries and tells every subscriber. */
  publish(event: LiveEvent): void {
    if (event.type === 'device') this.deviceMap.set(event.device.deviceId, event.device);
    if (event.type === 'incident') this.incidentMap.set(event.incident.id, event.incident);
    if (event.type === 'action') this.actionList.push(event.action);
    for (const listener of this.#listeners) listener(event);
  }

  devices(): DeviceState[] {
    return [...this.deviceMap.values()];
  }
  device(id: string): DeviceState | undefined {
    return this.deviceMap.get(id);
  }
  history(id: string, sinceTs?: number): TelemetryPoint[] {
    return (this.historyMap.get(id) ?? []).filter((p) => sinceTs === undefined || p.ts >= sinceTs);
  }
  incidents(query: IncidentQuery): Incident[] {
    return [...this.incidentMap.values()]
      .filter((i) => query.state === undefined || i.state === query.state)
      .filter((i) => query.deviceId === undefined || i.deviceId === query.deviceId)
      .sort((a, b) => b.openedAt - a.openedAt)
      .slice(0, query.limit ?? 100);
  }
  incident(id: string): Incident | undefined {
    return this.incidentMap.get(id);
  }
  actions(incidentId: string): IncidentAction[] {
    return this.actionList.filter((a) => a.incidentId === incidentId);
  }
  acknowledge(id: string, by: string): Incident {
    this.calls.push({ kind: 'acknowledge', id, by });
    const current = this.#existing(id);
    if (current.state !== 'open') {
      throw new EmberError('EMBER_ERR_INCIDENT_TRANSITION', `incident ${id} is ${current.state}`);
    }
    const now = this.#now++;
    return this.#change(
      { ...current, state: 'acknowledged', acknowledgedAt: now, acknowledgedBy: by, updatedAt: now },
      'acknowledged',
      `by ${by}`,
    );
  }
  resolve(id: string, outcome: Outcome, by: string, note?: string): Incident {
    this.calls.push({ kind: 'resolve', id, outcome, by, ...(note === undefined ? {} : { note }) });
    const current = this.#existing(id);
    if (current.state === 'resolved') {
      throw new EmberError('EMBER_ERR_INCIDENT_TRANSITION', `incident ${id} is already resolved`);
    }
    const now = this.#now++;
    return this.#change(
      { ...current, state: 'resolved', resolvedAt: now, outcome, updatedAt: now },
      'resolved',
      outcome,
    );
  }
  models(): ModelSummary[] {
    return this.modelList;
  }
  modelFile(version: string, file: ModelFileName): Promise<Uint8Array> {
    const bytes = this.files.get(`${version}/${file}`);
    if (bytes === undefined) {
      return Promise.reject(new EmberError('EMBER_ERR_REGISTRY_NOT_FOUND', `no model ${version}`));
    }
    return Promise.resolve(bytes);
  }
  rollouts(): RolloutProgress[] {
    return this.rolloutList;
  }
  /** What canaryShare() answers: the cloud's configured default. */
  defaultCanaryShare = 0.1;
  canaryShare(): number {
    return this.defaultCanaryShare;
  }
  startRollout(version: string, canaryShare?: number): Promise<RolloutProgress> {
    this.calls.push({ kind: 'rollout', version, ...(canaryShare === undefined ? {} : { canaryShare }) });
    if (!this.modelList.some((m) => m.version === version)) {
      return Promise.reject(new EmberError('EMBER_ERR_ROLLOUT', `no model ${version} to roll out`));
    }
    if (this.rolloutList.some((r) => r.state === 'canary' || r.state === 'fleet')) {
      return Promise.reject(new EmberError('EMBER_ERR_ROLLOUT', 'a rollout is already running'));
    }
    const now = this.#now++;
    const rollout: RolloutProgress = {
      id: `r-${this.rolloutList.length + 1}`,
      version,
      previousVersion: null,
      state: 'canary',
      startedAt: now,
      updatedAt: now,
      canaryShare: canaryShare ?? 0.1,
      devices: this.devices().map((d, i) => ({
        deviceId: d.deviceId,
        canary: i === 0,
        status: 'pending',
        reason: null,
      })),
      reason: null,
    };
    this.rolloutList.unshift(rollout);
    this.publish({ type: 'rollout', rollout });
    return Promise.resolve(rollout);
  }
  decisions(): LearningDecision[] {
    return this.decisionList;
  }
  alerts(): OperatorAlert[] {
    return this.alertList;
  }
  metrics(): Promise<{ contentType: string; text: string }> {
    return Promise.resolve({
      contentType: 'text/plain; version=0.0.4; charset=utf-8',
      text: `# HELP emberwatch_fleet_devices Devices known\n# TYPE emberwatch_fleet_devices gauge\nemberwatch_fleet_devices ${this.deviceMap.size}\n`,
    });
  }
  predict(readings: readonly Reading[], deviceId?: string): Promise<Prediction> {
    this.calls.push({
      kind: 'predict',
      readings: readings.length,
      ...(deviceId === undefined ? {} : { deviceId }),
    });
    if (this.#predictor === undefined) {
      return Promise.reject(new EmberError('EMBER_ERR_NOT_STARTED', 'no predictor in this test'));
    }
    return this.#predictor.predict(readings);
  }
  approveModel(version: string, by: string, reason: string): Promise<ModelDecisionResult> {
    return this.#decide(version, 'approved', by, reason);
  }
  rejectModel(version: string, by: string, reason: string): Promise<ModelDecisionResult> {
    return this.#decide(version, 'rejected', by, reason);
  }
  readiness(): Readiness {
    return {
      ready: this.ready,
      checks: { broker: this.ready ? { ok: true } : { ok: false, detail: 'down' } },
    };
  }
  subscribe(listener: (event: LiveEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #decide(version: string, status: string, by: string, reason: string): Promise<ModelDecisionResult> {
    this.calls.push({ kind: 'decide', version, status, by, reason });
    const index = this.modelList.findIndex((m) => m.version === version);
    const model = this.modelList[index];
    if (model === undefined) {
      return Promise.reject(new EmberError('EMBER_ERR_REGISTRY_NOT_FOUND', `no model ${version}`));
    }
    this.modelList[index] = { ...model, status, decidedBy: by, reason };
    return Promise.resolve({ version, status, reasons: [] });
  }

  #existing(id: string): Incident {
    const found = this.incidentMap.get(id);
    if (found === undefined) throw new EmberError('EMBER_ERR_INCIDENT_NOT_FOUND', `no incident ${id}`);
    return found;
  }

  #change(next: Incident, kind: string, detail: string): Incident {
    const action: IncidentAction = {
      id: `a-${this.actionList.length + 1}`,
      incidentId: next.id,
      ts: next.updatedAt,
      kind,
      detail,
    };
    this.publish({ type: 'incident', incident: next });
    this.publish({ type: 'action', action });
    return next;
  }
}
