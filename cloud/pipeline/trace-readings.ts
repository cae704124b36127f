import type { Reading } from '../../shared/schemas/readings.js';
import type { RunTrace } from '../../simulators/sensors/run-trace.js';
import { thermalFrame } from '../../simulators/sensors/run-trace.js';

/**
 * A run's reports as the edge would hold them after decoding: typed
 * readings in time order, timestamps in milliseconds from the run's start.
 * The codecs are lossless on each module's resolution, so these are exactly
 * the values that would cross the serial lines.
 */
export function traceReadings(trace: RunTrace, deviceId = 'sim'): Reading[] {
  const readings: Reading[] = [];
  const base = (sensorId: string, t: number) => ({
    deviceId,
    sensorId,
    ts: Math.round(t * 1000),
    outOfRange: [],
  });
  for (const s of trace.sensors.pms5003.samples)
    readings.push({ ...base('pms5003', s.t_s), protocol: 'pms5003', ...s.values });
  for (const s of trace.sensors.ze07.samples)
    readings.push({ ...base('ze07', s.t_s), protocol: 'ze07', ...s.values });
  for (const s of trace.sensors.mhz19b.samples)
    readings.push({ ...base('mhz19b', s.t_s), protocol: 'mhz19b', ...s.values });
  for (const s of trace.sensors.mcu680.samples)
    readings.push({ ...base('mcu680', s.t_s), protocol: 'mcu680', ...s.values });
  const thermal = trace.sensors.mcu90640;
  for (let i = 0; i < thermal.t_s.length; i++) {
    readings.push({
      ...base('mcu90640', thermal.t_s[i] ?? 0),
      protocol: 'mcu90640',
      ...thermalFrame(thermal, i),
    });
  }
  // Stable sort: readings of one instant keep the order above on every run.
  return readings.sort((a, b) => a.ts - b.ts);
}
