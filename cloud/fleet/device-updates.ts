import type { LinkStatus } from '../../shared/schemas/link-status.js';
import type { AnomalyMessage, StatusMessage, TelemetryMessage } from '../../shared/schemas/messages.js';
import type { DeviceState } from '../contracts/cloud-values.js';
import { decodeCounters, decodeErrorRate } from './decode-error-rate.js';
import type { DeviceRecord } from './device-record.js';
import type { TelemetryHistory } from './telemetry-history.js';

/*
 * How each message changes a device's record, in place. Message timestamps
 * come from the device's clock, so they only order that device's messages:
 * a late message never overwrites a newer level, thermal picture or health
 * summary. No I/O and no clock.
 */

/** What the fleet shows for a sensor whose newest readings were implausible (saturated or stuck). */
export const IMPLAUSIBLE_STATE = 'implausible readings';

/** A periodic health summary: model, outbox, sensor states, decode error rate. */
export function applyHealthTo(r: DeviceRecord, msg: StatusMessage): void {
  if (msg.ts >= r.levelTs)
    Object.assign(r, { level: msg.level, probability: msg.probability, levelTs: msg.ts });
  if (msg.thermalPngBase64 !== undefined && msg.ts >= r.thermalTs) {
    Object.assign(r, { thermalPngBase64: msg.thermalPngBase64, thermalTs: msg.ts });
  }
  if (msg.ts < r.healthTs) return;
  const sensors: Record<string, string> = {};
  // A sensor whose line is up but whose readings are physically impossible is shown as faulty;
  // a line that is down says so first.
  for (const [id, sensor] of Object.entries(msg.sensors)) {
    sensors[id] = sensor.implausible === true && sensor.state === 'open' ? IMPLAUSIBLE_STATE : sensor.state;
  }
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
    // An agent that predates trouble reporting says nothing: keep none rather than guess.
    trouble: msg.trouble ?? [],
  });
}

/**
 * When a link status counts as "seen": its own timestamp, not the arrival
 * time, since a retained birth replayed on subscribe says nothing about the
 * device being there now. 0 (never) without a readable timestamp.
 */
export function linkSeenAt(status: LinkStatus, receivedAt: number): number {
  const at = status.ts === undefined ? Number.NaN : Date.parse(status.ts);
  return Number.isFinite(at) ? Math.min(at, receivedAt) : 0;
}

/** The link's retained birth or last will. */
export function applyLinkTo(r: DeviceRecord, status: LinkStatus): void {
  r.link = status.state;
  r.linkReason = status.reason ?? null;
  if (status.version !== '') r.software = status.version;
}

/** Telemetry records go to the history; the newest sets the levels shown. */
export function applyTelemetryTo(r: DeviceRecord, msg: TelemetryMessage, history: TelemetryHistory): void {
  for (const record of msg.records) {
    history.add({ ts: record.ts, probability: record.probability, levels: record.levels });
    if (record.ts >= r.levelsTs) Object.assign(r, { levels: record.levels, levelsTs: record.ts });
    if (record.ts >= r.levelTs) {
      Object.assign(r, { level: record.level, probability: record.probability, levelTs: record.ts });
    }
  }
}

/** An alarm level change: level, probability and the thermal snapshot when it came inline. */
export function applyAnomalyTo(r: DeviceRecord, msg: AnomalyMessage): void {
  if (msg.ts >= r.levelTs)
    Object.assign(r, { level: msg.level, probability: msg.probability, levelTs: msg.ts });
  const snapshot = msg.thermalSnapshot;
  if (snapshot !== null && 'pngBase64' in snapshot && msg.ts >= r.thermalTs) {
    Object.assign(r, { thermalPngBase64: snapshot.pngBase64, thermalTs: msg.ts });
  }
}

/** The device as the API and dashboard show it; copies, so the record can change afterwards. */
export function toDeviceState(r: DeviceRecord, zone: string, online: boolean): DeviceState {
  return {
    deviceId: r.deviceId,
    zone,
    online,
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
    trouble: r.trouble.map((t) => ({ ...t })),
  };
}
