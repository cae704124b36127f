import { EventEmitter } from 'node:events';
import type Database from 'better-sqlite3';
import type { AlarmLevel } from '../../shared/alarm/alarm-policy.js';
import { openCatalog } from '../../shared/catalog/index.js';
import { EmberError } from '../../shared/errors.js';
import { silentLogger, type Logger } from '../../shared/logging.js';
import type { LinkStatus } from '../../shared/schemas/link-status.js';
import type { AnomalyMessage, StatusMessage, TelemetryMessage } from '../../shared/schemas/messages.js';
import type { DeviceState, TelemetryPoint } from '../service/cloud-contracts.js';
import { decodeCounters, decodeErrorRate } from './decode-error-rate.js';
import { DeviceRecord, emptyRecord, FLEET_MIGRATIONS } from './device-record.js';
import { TelemetryHistory } from './telemetry-history.js';

export interface FleetStateOptions {
  /** The SQLite file of last known device states (created with its folder). */
  readonly path: string;
  /** Zone → device ids. A device in no zone is a zone of its own, named after it. */
  readonly zones?: Readonly<Record<string, readonly string[]>>;
  /** A device not heard from for this long counts as offline; 120 s by default. */
  readonly offlineAfterS?: number;
  /** Telemetry points kept in memory per device; 360 by default. */
  readonly historyPoints?: number;
  /** How often changed devices are written to the file; 1000 ms by default (and always at stop()). */
  readonly flushIntervalMs?: number;
  readonly logger?: Logger;
  /** Cloud clock in ms. */
  readonly now?: () => number;
}

export interface FleetStateEvents {
  /** A device changed: any message applied, or it went offline by falling silent. */
  device: [device: DeviceState];
}

const DEFAULT_OFFLINE_AFTER_S = 120;
const DEFAULT_HISTORY_POINTS = 360;

function zoneIndex(zones: Readonly<Record<string, readonly string[]>>): Map<string, string> {
  const index = new Map<string, string>();
  for (const [zone, ids] of Object.entries(zones)) {
    for (const id of ids) {
      const other = index.get(id);
      if (other !== undefined && other !== zone) {
        throw new EmberError('EMBER_ERR_BAD_CONFIG', `zones: device ${id} is in both ${other} and ${zone}`);
      }
      index.set(id, zone);
    }
  }
  return index;
}

function positive(name: string, value: number | undefined, fallback: number, integer: boolean): number {
  if (value === undefined) return fallback;
  if (!(value > 0) || (integer && !Number.isInteger(value))) {
    throw new EmberError(
      'EMBER_ERR_BAD_CONFIG',
      `fleet ${name} must be a positive ${integer ? 'integer' : 'number'}, got ${value}`,
    );
  }
  return value;
}

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
  readonly #path: string;
  readonly #zones: Map<string, string>;
  /** Zone → its configured devices: zone mates are looked up per anomaly, not by scanning the fleet. */
  readonly #members = new Map<string, string[]>();
  readonly #offlineAfterMs: number;
  readonly #historyPoints: number;
  readonly #flushIntervalMs: number;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #records = new Map<string, DeviceRecord>();
  readonly #history = new Map<string, TelemetryHistory>();
  /** The online flag last announced per device, so the sweep announces only changes. */
  readonly #announcedOnline = new Map<string, boolean>();
  #db: Database.Database | undefined;
  #upsert: Database.Statement<[string, string, number]> | undefined;
  #sweep: NodeJS.Timeout | undefined;
  #flushTimer: NodeJS.Timeout | undefined;
  /** Devices changed since the last flush. */
  readonly #dirty = new Set<string>();

  constructor(options: FleetStateOptions) {
    super();
    this.#path = options.path;
    this.#zones = zoneIndex(options.zones ?? {});
    for (const [deviceId, zone] of this.#zones)
      this.#members.set(zone, [...(this.#members.get(zone) ?? []), deviceId]);
    this.#offlineAfterMs =
      1000 * positive('offlineAfterS', options.offlineAfterS, DEFAULT_OFFLINE_AFTER_S, false);
    this.#historyPoints = positive('historyPoints', options.historyPoints, DEFAULT_HISTORY_POINTS, true);
    this.#flushIntervalMs = positive('flushIntervalMs', options.flushIntervalMs, 1000, false);
    this.#log = (options.logger ?? silentLogger()).child({ component: 'fleet' });
    this.#now = options.now ?? Date.now;
  }

  /** Opens the file and loads the last known state of every device. */
  start(): void {
    if (this.#db !== undefined) return;
    const db = openCatalog(this.#path, { synchronous: 'NORMAL', migrations: FLEET_MIGRATIONS });
    this.#db = db;
    this.#upsert = db.prepare(
      `INSERT INTO devices (device_id, state, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (device_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
    );
    const rows = db
      .prepare<[], { device_id: string; state: string }>('SELECT device_id, state FROM devices')
      .all();
    for (const row of rows) {
      const parsed = DeviceRecord.safeParse(safeJson(row.state));
      if (parsed.success) this.#records.set(parsed.data.deviceId, parsed.data);
      else this.#log.warn({ deviceId: row.device_id }, 'unreadable stored device state skipped');
    }
    for (const record of this.#records.values())
      this.#announcedOnline.set(record.deviceId, this.#online(record));
    const sweepMs = Math.min(5_000, Math.max(250, this.#offlineAfterMs / 4));
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
    }, this.#flushIntervalMs);
    this.#flushTimer.unref();
    this.#log.info({ devices: this.#records.size }, 'fleet state loaded');
  }

  stop(): void {
    if (this.#db !== undefined) this.flush();
    if (this.#sweep !== undefined) clearInterval(this.#sweep);
    if (this.#flushTimer !== undefined) clearInterval(this.#flushTimer);
    this.#sweep = undefined;
    this.#flushTimer = undefined;
    this.#db?.close();
    this.#db = undefined;
    this.#upsert = undefined;
  }

  /** A periodic health summary: model, outbox, sensor states, decode error rate. */
  applyHealth(msg: StatusMessage, receivedAt = this.#now()): DeviceState {
    return this.#apply(msg.deviceId, receivedAt, (r) => {
      if (msg.ts >= r.levelTs)
        Object.assign(r, { level: msg.level, probability: msg.probability, levelTs: msg.ts });
      if (msg.thermalPngBase64 !== undefined && msg.ts >= r.thermalTs) {
        Object.assign(r, { thermalPngBase64: msg.thermalPngBase64, thermalTs: msg.ts });
      }
      if (msg.ts < r.healthTs) return;
      const sensors: Record<string, string> = {};
      for (const [id, sensor] of Object.entries(msg.sensors)) sensors[id] = sensor.state;
      const { rate, counters } = decodeErrorRate(
        r.counters ?? undefined,
        decodeCounters(msg.uptimeS, msg.sensors),
      );
      Object.assign(r, {
        healthTs: msg.ts,
        model: msg.model,
        modelStatus: msg.modelStatus,
        software: msg.software,
        outboxMessages: msg.outbox.messages,
        outboxOldestAgeS: msg.outbox.oldestAgeS,
        sensors,
        decodeErrorRate: rate,
        counters,
      });
    });
  }

  /**
   * The link's retained birth or last will. A status's own timestamp, not
   * the arrival time, counts as "seen": a retained birth replayed on
   * subscribe says nothing about the device being there now. `deviceId`
   * (from the topic, which the broker vouches for) wins over the payload's.
   */
  applyLink(status: LinkStatus, receivedAt: number, deviceId = status.deviceId): DeviceState {
    const at = status.ts === undefined ? Number.NaN : Date.parse(status.ts);
    return this.#apply(deviceId, Number.isFinite(at) ? Math.min(at, receivedAt) : 0, (r) => {
      r.link = status.state;
      r.linkReason = status.reason ?? null;
      if (status.version !== '') r.software = status.version;
    });
  }

  /** Telemetry records go to the history; the newest sets the levels shown. */
  applyTelemetry(msg: TelemetryMessage, receivedAt = this.#now()): DeviceState {
    const history = this.#historyOf(msg.deviceId);
    return this.#apply(msg.deviceId, receivedAt, (r) => {
      for (const record of msg.records) {
        history.add({ ts: record.ts, probability: record.probability, levels: record.levels });
        if (record.ts >= r.levelsTs) Object.assign(r, { levels: record.levels, levelsTs: record.ts });
        if (record.ts >= r.levelTs) {
          Object.assign(r, { level: record.level, probability: record.probability, levelTs: record.ts });
        }
      }
    });
  }

  /** An alarm level change: level, probability and the thermal snapshot when it came inline. */
  applyAnomaly(msg: AnomalyMessage, receivedAt = this.#now()): DeviceState {
    return this.#apply(msg.deviceId, receivedAt, (r) => {
      if (msg.ts >= r.levelTs)
        Object.assign(r, { level: msg.level, probability: msg.probability, levelTs: msg.ts });
      const snapshot = msg.thermalSnapshot;
      if (snapshot !== null && 'pngBase64' in snapshot && msg.ts >= r.thermalTs) {
        Object.assign(r, { thermalPngBase64: snapshot.pngBase64, thermalTs: msg.ts });
      }
    });
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
    return this.#zones.get(id) ?? id;
  }

  /** The other known devices of the device's zone. */
  zoneMates(id: string): DeviceState[] {
    this.#assertStarted();
    const zone = this.zoneOf(id);
    // The zone's configured devices, and the device named like the zone when it is in none (its own zone).
    const candidates = this.#zones.has(zone) ? [] : [zone];
    candidates.push(...(this.#members.get(zone) ?? []));
    const mates: DeviceState[] = [];
    for (const candidate of candidates) {
      const record = this.#records.get(candidate);
      if (record !== undefined && candidate !== id && this.zoneOf(candidate) === zone) {
        mates.push(this.#state(record));
      }
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
      history = new TelemetryHistory(this.#historyPoints);
      this.#history.set(deviceId, history);
    }
    return history;
  }

  #online(record: DeviceRecord): boolean {
    return record.link !== 'offline' && this.#now() - record.lastSeen <= this.#offlineAfterMs;
  }

  #state(r: DeviceRecord): DeviceState {
    return {
      deviceId: r.deviceId,
      zone: this.zoneOf(r.deviceId),
      online: this.#online(r),
      lastSeen: r.lastSeen,
      level: r.level,
      probability: r.probability,
      model: r.model,
      modelStatus: r.modelStatus,
      outboxMessages: r.outboxMessages,
      outboxOldestAgeS: r.outboxOldestAgeS,
      sensors: { ...r.sensors },
      decodeErrorRate: r.decodeErrorRate,
      levels: { ...r.levels },
      thermalPngBase64: r.thermalPngBase64,
      risk: r.risk,
    };
  }

  /**
   * Writes the devices changed since the last flush, in one transaction.
   * Runs every flushIntervalMs and at stop(); a crash loses at most that
   * much, which the devices' next messages restore.
   */
  flush(): number {
    const upsert = this.#assertStarted();
    const db = this.#db;
    if (this.#dirty.size === 0 || db === undefined) return 0;
    const ids = [...this.#dirty];
    this.#dirty.clear();
    const ts = this.#now();
    try {
      db.transaction(() => {
        for (const id of ids) {
          const record = this.#records.get(id);
          if (record !== undefined) upsert.run(id, JSON.stringify(record), ts);
        }
      })();
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
    if (this.#db === undefined) return [];
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

  #assertStarted(): Database.Statement<[string, string, number]> {
    if (this.#upsert === undefined) {
      throw new EmberError('EMBER_ERR_NOT_STARTED', `fleet state ${this.#path} is not started`);
    }
    return this.#upsert;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
