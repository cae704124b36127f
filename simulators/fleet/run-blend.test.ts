import { describe, expect, it } from 'vitest';
import { CLEAN_ROOM_VALUES } from '../devices/value-source.js';
import { renderThermalScene } from '../devices/thermal-scene.js';
import { blendReports, handoverWeight } from './run-blend.js';

describe('the handover between runs', () => {
  it('weighs the incoming run from 0 to 1, smoothly and without overshoot', () => {
    expect(handoverWeight(-1)).toBe(0);
    expect(handoverWeight(0)).toBe(0);
    expect(handoverWeight(0.5)).toBeCloseTo(0.5, 12);
    expect(handoverWeight(1)).toBe(1);
    expect(handoverWeight(2)).toBe(1);
    expect(handoverWeight(0.01)).toBeLessThan(0.001);
  });

  it('mixes scalar channels, keeping whole-number channels whole', () => {
    const outgoing = { ...CLEAN_ROOM_VALUES.mhz19b, co2_ppm: 900, sensor_temp_c: 25.5 };
    const incoming = { ...CLEAN_ROOM_VALUES.mhz19b, co2_ppm: 421, sensor_temp_c: 24.1 };
    const mixed = blendReports('mhz19b', outgoing, incoming, 0.5);
    expect(mixed?.co2_ppm).toBe(661);
    expect(mixed?.sensor_temp_c).toBeCloseTo(24.8, 9);
    expect(mixed?.status).toBe(0);
  });

  it('mixes thermal frames pixel by pixel', () => {
    const hot = renderThermalScene({
      backgroundC: 21,
      ambientC: 25,
      hotSpot: { x: 16, y: 12, radius: 2, tempC: 200 },
    });
    const cold = renderThermalScene({ backgroundC: 21, ambientC: 25 });
    const mixed = blendReports('mcu90640', hot, cold, 0.75);
    expect(Math.max(...(mixed?.pixels_c ?? []))).toBeCloseTo(21 + (200 - 21) * 0.25, 0);
    expect(mixed?.pixels_c.length).toBe(cold.pixels_c.length);
  });

  it('reports whichever run is not silent, and nothing when both are', () => {
    const values = CLEAN_ROOM_VALUES.ze07;
    expect(blendReports('ze07', undefined, values, 0.2)).toEqual(values);
    expect(blendReports('ze07', values, undefined, 0.8)).toEqual(values);
    expect(blendReports('ze07', undefined, undefined, 0.5)).toBeUndefined();
  });
});
