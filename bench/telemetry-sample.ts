import type { NewMessage } from '../edge/outbox/message.js';
import { CHANNELS } from '../shared/features/feature-set.js';

/** A clean room's level of each channel, as the feature vector (Float32) holds it. */
const LEVELS: Readonly<Record<string, number>> = {
  pm1: 2,
  pm25: 4,
  pm10: 5,
  n0_3: 420,
  n0_5: 120,
  n1_0: 18,
  co: 0.4,
  co2: 421,
  temp: 21.3,
  humidity: 42.5,
  gas: 120_000,
  iaq: 25,
  tmax: 21.7,
  tmedian: 21.02,
  thot: 21.7,
  texcess: 0.68,
};

/**
 * A stored telemetry message of device `deviceId` as the pipeline writes it
 * at 1 Hz: one record with every channel's level (Float32 values, so most
 * print with many digits): about 490 bytes of JSON, a little under the
 * agent's own 520 or so (the outage benchmark measures those).
 */
export function telemetryMessage(deviceId: string, i: number): NewMessage {
  const ts = 1_750_000_000_000 + i * 1000;
  const levels = Object.fromEntries(
    CHANNELS.map((c) => {
      const level = LEVELS[c.name] ?? 1;
      // Counts stay whole numbers; measured values carry a Float32's digits.
      return [c.name, Number.isInteger(level) ? level + (i % 3) : Math.fround(level + (i % 7) / 100)];
    }),
  );
  const body = {
    schemaVersion: 1,
    id: `0197a0b0-${(i % 65_536).toString(16).padStart(4, '0')}-7000-8000-${String(i).padStart(12, '0')}`,
    deviceId,
    ts,
    records: [{ ts, probability: Math.fround(0.0023 + (i % 7) / 1e4), level: 'none', levels, steps: 1 }],
  };
  return {
    topic: `emberwatch/v1/${deviceId}/telemetry`,
    payload: Buffer.from(JSON.stringify(body)),
    priority: 'telemetry',
  };
}
