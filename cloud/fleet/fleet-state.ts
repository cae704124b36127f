import { EventEmitter } from 'node:events';
import type { AlarmLevel } from '../../shared/alarm/alarm-policy.js';
import { EmberError } from '../../shared/errors.js';
import { silentLogger, type Logger } from '../../shared/logging.js';
import type { LinkStatus } from '../../shared/schemas/link-status.js';
import type { AnomalyMessage, StatusMessage, TelemetryMessage } from '../../shared/schemas/messages.js';
import type { DeviceState, TelemetryPoint } from '../contracts/cloud-values.js';
import { type DeviceRecord, emptyRecord } from './device-record.js';
import {
  applyAnomalyTo,
  applyHealthTo,
  applyLinkTo,
  applyTelemetryTo,
  linkSeenAt,
  toDeviceState,
} from './device-updates.js';
import { FleetFile, type FleetStorage } from './fleet-file.js';
import { PostgresFleetFile } from './postgres-fleet-file.js';
import {
  resolveFleetSettings,
  type FleetSettings,
  type FleetStateEvents,
  type FleetStateOptions,
} from './fleet-settings.js';
import { FleetZones } from './fleet-zones.js';
import { TelemetryHistory } from './telemetry-history.js';

export type { FleetStateEvents, FleetStateOptions } from './fleet-settings.js';

/**
 * What the cloud knows of every device: link and health from `status`,
 * levels from `telemetry`, alarm level and thermal snapshot from `anomaly`,
 * and the analysis agent's risk. Last known states live in memory and are
 * written behind to SQLite (see {@link flush}) so a restart remembers the
 * fleet; the telemetry history for charts lives in a
 * ring per device in memory. Timestamps in messages come from device clocks,
 * so they only order one device's messages; `lastSeen` and `online` use the
 * cloud's clock.
 */
export class FleetState extends EventEmitter<FleetStateEvents> {
  readonly #path: string | undefined;
  readonly #postgresUrl: string | undefined;
  readonly #zones: FleetZones;
  readonly #settings: FleetSettings;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #records = new Map<string, DeviceRecord>();
  readonly #history = new Map<string, TelemetryHistory>();
  /** The online flag last announced per device, so the sweep announces only changes. */
  readonly #announcedOnline = new Map<string, boolean>();
  #file: FleetStorage | undefined;
  #sweep: NodeJS.Timeout | undefined;
  #flushTimer: NodeJS.Timeout | undefined;
  /** Devices changed since the last flush. */
  readonly #dirty = new Set<string>();

  constructor(options: FleetStateOptions) {
    super();
    this.#path = options.path;
    this.#postgresUrl = options.postgresUrl;
    this.#zones = new FleetZones(options.zones ?? {});
    this.#settings = resolveFleetSettings(options);
    this.#log = (options.logger ?? silentLogger()).child({ component: 'fleet' });
    this.#now = options.now ?? Date.now;
  }

  /** Opens the file and loads the last known state of every device. */
  start(): void {
    if (this.#file !== undefined) return;
    const file =
      this.#postgresUrl === undefined
        ? FleetFile.open(this.#path ?? '')
        : PostgresFleetFile.open(this.#postgresUrl);
    this.#file = file;
    for (const record of file.load(this.#log)) this.#records.set(record.deviceId, record);
    for (const record of this.#records.values())
      this.#announcedOnline.set(record.deviceId, this.#online(record));
    const sweepMs = Math.min(5_000, Math.max(250, this.#settings.offlineAfterMs / 4));
    this.#sweep = setInterval(() => {
      this.refreshOnline();
    }, sweepMs);
    this.#sweep.unref();
    this.#flushTimer = setInterval(() => {
      try {
        this.flush();
      } catch (error) {
        this.#log.error({ err: error }, 'fleet state could not be written; will retry');
      }
    }, this.#settings.flushIntervalMs);
    this.#flushTimer.unref();
    this.#log.info({ devices: this.#records.size }, 'fleet state loaded');
  }

  stop(): void {
    if (this.#file !== undefined) this.flush();
    if (this.#sweep !== undefined) clearInterval(this.#sweep);
    if (this.#flushTimer !== undefined) clearInterval(this.#flushTimer);
    this.#sweep = undefined;
    this.#flushTimer = undefined;
    this.#file?.close();
    this.#file = undefined;
  }

  /** A periodic health summary: model, outbox, sensor states, decode error rate. */
  applyHealth(msg: StatusMessage, receivedAt = this.#now()): DeviceState {
    return this.#apply(msg.deviceId, receivedAt, (r) => applyHealthTo(r, msg));
  }

  /**
   * The link's retained birth or last will. A status's own timestamp, not
   * the arrival time, counts as "seen": a retained birth replayed on
   * subscribe says nothing about the device being there now. `deviceId`
   * (from the topic, which the broker vouches for) wins over the payload's.
   */
  applyLink(status: LinkStatus, receivedAt: number, deviceId = status.deviceId): DeviceState {
    return this.#apply(deviceId, linkSeenAt(status, receivedAt), (r) => applyLinkTo(r, status));
  }

  /** Telemetry records go to the history; the newest sets the levels shown. */
  applyTelemetry(msg: TelemetryMessage, receivedAt = this.#now()): DeviceState {
    const history = this.#historyOf(msg.deviceId);
    return this.#apply(msg.deviceId, receivedAt, (r) => applyTelemetryTo(r, msg, history));
  }

  /** An alarm level change: level, probability and the thermal snapshot when it came inline. */
  applyAnomaly(msg: AnomalyMessage, receivedAt = this.#now()): DeviceState {
    return this.#apply(msg.deviceId, receivedAt, (r) => applyAnomalyTo(r, msg));
  }

  /** The analysis agent's latest verdict on the device. */
  applyRisk(deviceId: string, level: AlarmLevel): DeviceState {
    return this.#apply(deviceId, 0, (r) => {
      r.risk = level;
    });
  }

  devices(): DeviceState[] {
    this.#assertStarted();
    return [...this.#records.values()]
      .sort((a, b) => a.deviceId.localeCompare(b.deviceId))
      .map((r) => this.#state(r));
  }

  device(id: string): DeviceState | undefined {
    this.#assertStarted();
    const record = this.#records.get(id);
    return record === undefined ? undefined : this.#state(record);
  }

  deviceIds(): string[] {
    this.#assertStarted();
    return [...this.#records.keys()].sort();
  }

  /** Telemetry points at or after `sinceTs` (device clock), oldest first; since the last restart only. */
  history(id: string, sinceTs?: number): TelemetryPoint[] {
    return this.#history.get(id)?.since(sinceTs) ?? [];
  }

  zoneOf(id: string): string {
    return this.#zones.zoneOf(id);
  }

  /** The other known devices of the device's zone. */
  zoneMates(id: string): DeviceState[] {
    this.#assertStarted();
    const mates: DeviceState[] = [];
    for (const mate of this.#zones.mateIds(id)) {
      const record = this.#records.get(mate);
      if (record !== undefined) mates.push(this.#state(record));
    }
    return mates;
  }

  #apply(deviceId: string, seenAt: number, change: (record: DeviceRecord) => void): DeviceState {
    this.#assertStarted();
    let record = this.#records.get(deviceId);
    if (record === undefined) {
      record = emptyRecord(deviceId);
      this.#records.set(deviceId, record);
      this.#log.info({ deviceId }, 'new device');
    }
    change(record);
    if (seenAt > record.lastSeen) record.lastSeen = seenAt;
    this.#dirty.add(deviceId);
    const state = this.#state(record);
    this.#announcedOnline.set(deviceId, state.online);
    if (this.listenerCount('device') > 0) this.emit('device', state);
    return state;
  }

  #historyOf(deviceId: string): TelemetryHistory {
    let history = this.#history.get(deviceId);
    if (history === undefined) {
      history = new TelemetryHistory(this.#settings.historyPoints);
      this.#history.set(deviceId, history);
    }
    return history;
  }

  #online(record: DeviceRecord): boolean {
    return record.link !== 'offline' && this.#now() - record.lastSeen <= this.#settings.offlineAfterMs;
  }

  #state(r: DeviceRecord): DeviceState {
    return toDeviceState(r, this.zoneOf(r.deviceId), this.#online(r));
  }

  /**
   * Writes the devices changed since the last flush, in one transaction.
   * Runs every flushIntervalMs and at stop(); a crash loses at most that
   * much, which the devices' next messages restore.
   */
  flush(): number {
    const file = this.#assertStarted();
    if (this.#dirty.size === 0) return 0;
    const ids = [...this.#dirty];
    this.#dirty.clear();
    const records: DeviceRecord[] = [];
    for (const id of ids) {
      const record = this.#records.get(id);
      if (record !== undefined) records.push(record);
    }
    try {
      file.write(records, this.#now());
    } catch (error) {
      for (const id of ids) this.#dirty.add(id);
      throw error;
    }
    return ids.length;
  }

  /**
   * Devices that fell silent go offline without any message: announces each
   * change of the online flag once and returns the devices that changed. Runs
   * on its own every few seconds while started.
   */
  refreshOnline(): DeviceState[] {
    if (this.#file === undefined) return [];
    const changed: DeviceState[] = [];
    for (const record of this.#records.values()) {
      const online = this.#online(record);
      if (this.#announcedOnline.get(record.deviceId) === online) continue;
      this.#announcedOnline.set(record.deviceId, online);
      const state = this.#state(record);
      changed.push(state);
      this.emit('device', state);
    }
    return changed;
  }

  #assertStarted(): FleetStorage {
    if (this.#file === undefined) {
      const where = this.#postgresUrl === undefined ? (this.#path ?? '') : 'on PostgreSQL';
      throw new EmberError('EMBER_ERR_NOT_STARTED', `fleet state ${where} is not started`);
    }
    return this.#file;
  }
}
