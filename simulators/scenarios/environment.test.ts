import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectorAlarmTimes } from './detector-baselines.js';
import type { EnvSeries } from '../../shared/dataset/env-series.js';
import { simulateEnvironment } from './environment.js';
import { labelRun } from './label-run.js';
import { drawScenario } from './scenario-catalogue.js';
import type { Scenario } from '../../shared/dataset/scenario-schema.js';

const peak = (a: Float64Array): number => a.reduce((m, x) => Math.max(m, x), -Infinity);
const never = (t: number | null): number => t ?? Infinity;
const run = (s: Scenario, durationS = s.suggested_duration_s): EnvSeries => simulateEnvironment(s, durationS);

function withFire(s: Scenario, patch: Partial<NonNullable<Scenario['fire']>>): Scenario {
  if (s.fire === null) throw new Error('template without a fire');
  return { ...s, fire: { ...s.fire, ...patch } };
}

const FLAMING = ['tf1', 'tf4', 'tf5', 'tf8', 'ul217-flaming-pu'] as const;
const NUISANCES = [
  'frying',
  'broiling',
  'toast',
  'shower',
  'dust',
  'cigarette',
  'vaping',
  'space-heater',
  'sunlight',
  'people',
  'occupancy',
] as const;

describe('scenario engine physics', () => {
  it('gives earlier-or-equal alarms and no smaller peaks for faster growth (fuel not limiting)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FLAMING),
        fc.nat(1000),
        fc.double({ min: 1.2, max: 4, noNaN: true }),
        (name, seed, factor) => {
          const s = withFire(drawScenario(name, seed), { fuel_mass_kg: 1000 });
          const alpha = s.fire?.alpha_kw_s2 ?? 0;
          const duration = (s.fire?.ignition_s ?? 0) + 400;
          const slow = run(s, duration);
          const fast = run(withFire(s, { alpha_kw_s2: Math.min(alpha * factor, 2) }), duration);
          expect(peak(fast.temp_c)).toBeGreaterThanOrEqual(peak(slow.temp_c) - 1e-9);
          expect(peak(fast.obscuration_pct_m)).toBeGreaterThanOrEqual(peak(slow.obscuration_pct_m) - 1e-9);
          const a = detectorAlarmTimes(slow);
          const b = detectorAlarmTimes(fast);
          expect(never(b.smoke_s)).toBeLessThanOrEqual(never(a.smoke_s));
          expect(never(b.heat_fixed_s)).toBeLessThanOrEqual(never(a.heat_fixed_s));
          expect(never(b.earliest_s)).toBeLessThanOrEqual(never(a.earliest_s));
        },
      ),
      { numRuns: 15 },
    );
  });

  it('gives no smaller peaks of heat, smoke and CO for more fuel', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FLAMING, 'tf3'),
        fc.nat(1000),
        fc.double({ min: 1.5, max: 4, noNaN: true }),
        (name, seed, factor) => {
          const s = drawScenario(name, seed);
          const fuel = s.fire?.fuel_mass_kg ?? 0;
          const small = run(s);
          const large = run(withFire(s, { fuel_mass_kg: fuel * factor }));
          expect(peak(large.temp_c)).toBeGreaterThanOrEqual(peak(small.temp_c) - 0.01);
          expect(peak(large.obscuration_pct_m)).toBeGreaterThanOrEqual(peak(small.obscuration_pct_m) - 0.01);
          expect(peak(large.co_ppm)).toBeGreaterThanOrEqual(peak(small.co_ppm) - 0.01);
        },
      ),
      { numRuns: 12 },
    );
  });

  it('never lets a nuisance build a fire-like heat curve at the ceiling', () => {
    fc.assert(
      fc.property(fc.constantFrom(...NUISANCES), fc.nat(), (name, seed) => {
        const s = drawScenario(name, seed);
        const env = run(s, Math.min(s.suggested_duration_s, 3600));
        const t = detectorAlarmTimes(env);
        expect(t.heat_fixed_s).toBeNull();
        expect(t.rate_of_rise_s).toBeNull();
        // Ambient swings included, the ceiling stays within a few kelvin of where it started.
        expect(peak(env.temp_c) - (env.temp_c[0] ?? 0)).toBeLessThan(12);
      }),
      { numRuns: 40 },
    );
  });

  it('makes steam humid and droplet-laden without CO, and dust coarse', () => {
    const shower = drawScenario('shower', 5);
    const env = run(shower);
    expect(peak(env.humidity_pct)).toBeGreaterThan(90);
    expect(peak(env.droplet_ugm3)).toBeGreaterThan(100);
    expect(peak(env.co_ppm)).toBeLessThan(shower.background.ambient_co_ppm + 0.5);
    const dust = run(drawScenario('dust', 5));
    expect(peak(dust.pm10_ugm3)).toBeGreaterThan(3 * peak(dust.pm25_ugm3));
  });

  it('raises CO2 with occupancy and shows hot sources to the camera', () => {
    const office = run(drawScenario('occupancy', 2));
    expect(peak(office.co2_ppm)).toBeGreaterThan(700);
    const heater = drawScenario('space-heater', 2);
    const hot = run(heater, 1200)
      .thermal_sources.flat()
      .filter((s) => s.label === 'space-heater');
    expect(hot.length).toBeGreaterThan(0);
    expect(Math.max(...hot.map((s) => s.temp_c))).toBeGreaterThan(50);
  });

  it('is deterministic', () => {
    const s = drawScenario('pan-fire-after-cooking', 9);
    expect(run(s)).toEqual(run(s));
  });
});

describe('run labels', () => {
  it('a TF4 flaming foam fire trips the photoelectric baseline after ignition', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const s = drawScenario('tf4', seed);
      const labels = labelRun(s, run(s));
      expect(labels.class).toMatchObject({ kind: 'fire', fire_class: 'tf4-flaming-pu' });
      expect(labels.detectors.smoke_s).toBeGreaterThanOrEqual(labels.ignition_s ?? Infinity);
    }
  });

  it('a TF6 ethanol fire trips heat but not smoke', () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const s = drawScenario('tf6', seed);
      const t = labelRun(s, run(s)).detectors;
      expect(t.smoke_s).toBeNull();
      expect(Math.min(never(t.heat_fixed_s), never(t.rate_of_rise_s))).toBeLessThan(Infinity);
    }
  });

  it('a toast run trips no heat baseline and is labelled a nuisance', () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const s = drawScenario('toast', seed);
      const labels = labelRun(s, run(s));
      expect(labels.class).toEqual({ kind: 'nuisance', nuisance: 'toast' });
      expect(labels.ignition_s).toBeNull();
      expect(labels.detectors.heat_fixed_s).toBeNull();
      expect(labels.detectors.rate_of_rise_s).toBeNull();
    }
  });

  it('a smoulder trips smoke long before heat, and everyday life alone is normal', () => {
    const s = drawScenario('ul217-smouldering-pu', 4);
    const t = labelRun(s, run(s)).detectors;
    expect(t.smoke_s).not.toBeNull();
    expect(t.heat_fixed_s).toBeNull();
    const day = drawScenario('normal-day', 4);
    expect(labelRun(day, run(day, 600)).class).toEqual({ kind: 'normal' });
  });
});
