import { levelRank } from '../../shared/alarm/alarm-policy.js';
import type { DeviceAnomaly, ZoneActivity } from './incident-types.js';

/** One assessed anomaly as the look-backs need it. */
export interface RecentAnomaly extends DeviceAnomaly {
  readonly deviceId: string;
  readonly zone: string;
}

/**
 * The latest assessed anomalies of every device, in memory, so the analysis
 * agent's look-backs (the device's own recent past, its zone mates') cost no
 * query. At most `perDevice` per device and nothing older than `keepMs`; the
 * store fills it from its file at start and on every committed assessment.
 */
export class RecentAnomalies {
  readonly #perDevice: number;
  readonly #keepMs: number;
  readonly #byDevice = new Map<string, RecentAnomaly[]>();
  readonly #byZone = new Map<string, Set<string>>();

  constructor(perDevice: number, keepMs: number) {
    this.#perDevice = perDevice;
    this.#keepMs = keepMs;
  }

  add(entry: RecentAnomaly): void {
    let list = this.#byDevice.get(entry.deviceId);
    if (list === undefined) {
      list = [];
      this.#byDevice.set(entry.deviceId, list);
    }
    // Kept in device-clock order: a late message slots in where it belongs.
    let at = list.length;
    while (at > 0 && (list[at - 1]?.messageTs ?? -Infinity) > entry.messageTs) at--;
    list.splice(at, 0, entry);
    const cutoff = entry.ts - this.#keepMs;
    while (list.length > this.#perDevice || (list[0] !== undefined && list[0].ts < cutoff)) list.shift();
    let zone = this.#byZone.get(entry.zone);
    if (zone === undefined) {
      zone = new Set();
      this.#byZone.set(entry.zone, zone);
    }
    zone.add(entry.deviceId);
  }

  /** The device's anomalies with a device timestamp at or after `sinceMessageTs`, oldest first. */
  device(deviceId: string, sinceMessageTs: number): DeviceAnomaly[] {
    const list = this.#byDevice.get(deviceId) ?? [];
    return list
      .filter((a) => a.messageTs >= sinceMessageTs)
      .map(({ messageTs, ts, deviceLevel, level, probability }) => ({
        messageTs,
        ts,
        deviceLevel,
        level,
        probability,
      }));
  }

  /** Per other device of the zone that raised low or above since `sinceTs` (cloud clock): its highest level. */
  zone(zone: string, sinceTs: number, excludeDeviceId: string): ZoneActivity[] {
    const out: ZoneActivity[] = [];
    for (const deviceId of this.#byZone.get(zone) ?? []) {
      if (deviceId === excludeDeviceId) continue;
      let best: ZoneActivity | undefined;
      for (const a of this.#byDevice.get(deviceId) ?? []) {
        if (a.ts < sinceTs || a.zone !== zone || a.deviceLevel === 'none') continue;
        best = {
          deviceId,
          level:
            best !== undefined && levelRank(best.level) > levelRank(a.deviceLevel)
              ? best.level
              : a.deviceLevel,
          ts: Math.max(best?.ts ?? 0, a.ts),
        };
      }
      if (best !== undefined) out.push(best);
    }
    return out;
  }
}
