import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isEmberError } from '../../shared/errors.js';
import { drawScenario, TEMPLATE_NAMES } from './scenario-catalogue.js';
import { parseScenario } from '../../shared/dataset/scenario-schema.js';

describe('scenario catalogue', () => {
  it('has the named templates the project relies on', () => {
    for (const name of [
      'tf1',
      'tf4',
      'tf6',
      'tf8',
      'ul217-flaming-pu',
      'ul217-smouldering-pu',
      'toast',
      'shower',
    ]) {
      expect(TEMPLATE_NAMES).toContain(name);
    }
    expect(TEMPLATE_NAMES).toContain('pan-fire-after-cooking');
    expect(TEMPLATE_NAMES).toContain('normal-day');
  });

  it('draws valid scenarios that survive a JSON round trip, for any template and seed', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TEMPLATE_NAMES),
        fc.nat(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (name, seed, p) => {
          const s = drawScenario(name, seed, { faultProbability: p });
          expect(parseScenario(JSON.parse(JSON.stringify(s)))).toEqual(s);
          expect(s.template).toBe(name);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is reproducible from the seed and varies with it', () => {
    expect(drawScenario('tf4', 11)).toEqual(drawScenario('tf4', 11));
    expect(drawScenario('tf4', 11)).not.toEqual(drawScenario('tf4', 12));
  });

  it('puts the fires and nuisances the templates promise', () => {
    const pan = drawScenario('pan-fire-after-cooking', 3);
    const frying = pan.nuisances.find((n) => n.kind === 'frying');
    expect(pan.fire?.fire_class).toBe('cooking-oil');
    expect(pan.fire?.ignition_s).toBeGreaterThan(frying?.start_s ?? Infinity);
    expect(drawScenario('fire-behind-heater', 3).nuisances.map((n) => n.kind)).toContain('space-heater');
    expect(drawScenario('toast', 3).fire).toBeNull();
    expect(drawScenario('sensor-faults', 3).faults.length).toBeGreaterThan(0);
  });

  it('rejects unknown templates and bad scenarios with a coded error naming the field', () => {
    expect(() => drawScenario('bonfire', 1)).toThrow(/bonfire/);
    const s = drawScenario('tf1', 1);
    const bad = { ...s, room: { ...s.room, ceiling_height_m: -1 } };
    try {
      parseScenario(bad);
      expect.unreachable();
    } catch (error) {
      expect(isEmberError(error, 'EMBER_ERR_BAD_SCENARIO')).toBe(true);
      expect(String(error)).toContain('room.ceiling_height_m');
    }
    const outside = { ...s, sensor_position: { ...s.sensor_position, x_m: 1e4 } };
    expect(() => parseScenario(outside)).toThrow(/sensor_position/);
  });
});
