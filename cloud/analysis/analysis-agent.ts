import { EventEmitter } from 'node:events';
import { levelRank, type AlarmLevel } from '../../shared/alarm/alarm-policy.js';
import { EmberError } from '../../shared/errors.js';
import { silentLogger, type Logger } from '../../shared/logging.js';
import type { AnomalyMessage } from '../../shared/schemas/messages.js';
import type { FleetState } from '../fleet/fleet-state.js';
import type { IncidentStore } from '../incidents/incident-store.js';
import type { IncidentEvent } from '../contracts/cloud-values.js';
import { timeOrderedId } from '../incidents/time-ordered-id.js';
import type { RiskAssessment } from '../contracts/cloud-values.js';
import { assessRisk, DEFAULT_RISK_SETTINGS, type RiskSettings } from './risk-assessment.js';

export interface AnalysisAgentEvents {
  /** Every assessment made, with the incident change it caused (none for level none). */
  assessment: [assessment: RiskAssessment, incident: IncidentEvent | undefined];
}

export interface AnalysisAgentOptions {
  /** Started by the caller; the agent updates it with each anomaly and its risk. */
  readonly fleet: FleetState;
  /** Started by the caller; de-duplicates, keeps assessments and incidents. */
  readonly incidents: IncidentStore;
  readonly settings?: Partial<RiskSettings>;
  readonly logger?: Logger;
  /** Assessment ids; time-ordered UUIDs by default. */
  readonly newId?: () => string;
}

/**
 * Turns anomalies into risk assessments and incidents: drops redeliveries
 * by message id, updates the fleet, gathers the device's recent past, its
 * zone mates and its health, applies {@link assessRisk}, and opens or joins
 * the device's incident, all in one transaction of the incident store.
 */
export class AnalysisAgent extends EventEmitter<AnalysisAgentEvents> {
  readonly #fleet: FleetState;
  readonly #incidents: IncidentStore;
  readonly #settings: RiskSettings;
  readonly #log: Logger;
  readonly #newId: () => string;
  #started = false;

  constructor(options: AnalysisAgentOptions) {
    super();
    this.#fleet = options.fleet;
    this.#incidents = options.incidents;
    this.#settings = { ...DEFAULT_RISK_SETTINGS, ...options.settings };
    this.#log = (options.logger ?? silentLogger()).child({ component: 'analysis' });
    this.#newId = options.newId ?? (() => timeOrderedId());
  }

  start(): void {
    this.#started = true;
  }

  stop(): void {
    this.#started = false;
  }

  /**
   * Assesses one anomaly; undefined when its id was handled before. Throws
   * what the stores throw (the message is then not marked as handled, so a
   * redelivery tries again).
   */
  handleAnomaly(msg: AnomalyMessage, receivedAt: number): RiskAssessment | undefined {
    if (!this.#started) throw new EmberError('EMBER_ERR_NOT_STARTED', 'analysis agent is not started');
    const result = this.#incidents.transaction(() => {
      this.#incidents.lockDevice(msg.deviceId);
      if (!this.#incidents.seen(msg.id, receivedAt)) return undefined;
      return this.#assess(msg, receivedAt);
    });
    if (result === undefined) {
      this.#log.debug({ deviceId: msg.deviceId, messageId: msg.id }, 'duplicate anomaly dropped');
      return undefined;
    }
    const { assessment, incident } = result;
    this.#fleet.applyRisk(msg.deviceId, assessment.level);
    this.#log.info(
      {
        deviceId: msg.deviceId,
        messageId: msg.id,
        deviceLevel: msg.level,
        level: assessment.level,
        score: assessment.score,
        incidentId: assessment.incidentId,
        change: incident?.change,
      },
      'anomaly assessed',
    );
    this.emit('assessment', assessment, incident);
    return assessment;
  }

  #assess(
    msg: AnomalyMessage,
    receivedAt: number,
  ): { assessment: RiskAssessment; incident: IncidentEvent | undefined } {
    const s = this.#settings;
    const device = this.#fleet.applyAnomaly(msg, receivedAt);
    const history = this.#incidents
      .recentAnomalies(msg.deviceId, msg.ts - s.historyWindowS * 1000)
      .filter((h) => h.messageTs <= msg.ts);
    const outcomes = this.#incidents.outcomesOf(msg.deviceId, receivedAt - s.falseAlarmWindowS * 1000);
    const verdict = assessRisk({
      anomaly: msg,
      zone: device.zone,
      history,
      outcomes,
      zoneMates: this.#zoneMates(msg.deviceId, device.zone, receivedAt),
      health: device,
      settings: s,
    });
    const draft: RiskAssessment = {
      id: this.#newId(),
      messageId: msg.id,
      deviceId: msg.deviceId,
      zone: device.zone,
      ts: receivedAt,
      ...verdict,
      incidentId: null,
    };
    const incident = this.#incidents.openOrJoin(draft);
    const assessment = { ...draft, incidentId: incident?.incident.id ?? null };
    this.#incidents.record(assessment, {
      features: msg.features,
      deviceLevel: msg.level,
      probability: msg.probability,
      messageTs: msg.ts,
    });
    return { assessment, incident };
  }

  /** Zone mates that raised low or above within the window, or sit at it now while online; highest level each. */
  #zoneMates(deviceId: string, zone: string, now: number): { deviceId: string; level: AlarmLevel }[] {
    const highest = new Map<string, AlarmLevel>();
    const note = (id: string, level: AlarmLevel): void => {
      if (levelRank(level) < levelRank('low')) return;
      const known = highest.get(id);
      if (known === undefined || levelRank(level) > levelRank(known)) highest.set(id, level);
    };
    for (const mate of this.#incidents.zoneActivity(
      zone,
      now - this.#settings.zoneWindowS * 1000,
      deviceId,
    )) {
      note(mate.deviceId, mate.level);
    }
    for (const mate of this.#fleet.zoneMates(deviceId)) if (mate.online) note(mate.deviceId, mate.level);
    return [...highest].map(([id, level]) => ({ deviceId: id, level }));
  }
}
