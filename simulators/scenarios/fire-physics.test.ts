import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { drawFire } from './fire-classes.js';
import { GROWTH_ALPHA, heatReleaseAt, heatReleaseCurve } from './heat-release.js';
import { alpertDeltaT, ceilingReach, transportLag } from './plume-transport.js';
import { Rng } from './prng.js';

const AT = { x_m: 1, y_m: 1, z_m: 0 };

describe('t-squared heat release', () => {
  it('reaches 1055 kW after 600, 300, 150, 75 s for the reference growth rates', () => {
    const times = { slow: 600, medium: 300, fast: 150, 'ultra-fast': 75 } as const;
    for (const [name, alpha] of Object.entries(GROWTH_ALPHA)) {
      const fire = drawFire(new Rng(1), 'tf4-flaming-pu', AT, 10, {
        alpha_kw_s2: alpha,
        q_max_kw: 5000,
        fuel_mass_kg: 500,
      });
      const q = heatReleaseAt(heatReleaseCurve(fire), 10 + times[name as keyof typeof times]);
      expect(q).toBeGreaterThan(1040);
      expect(q).toBeLessThan(1070);
    }
  });

  it('is zero before ignition and releases about the fuel energy in total', () => {
    const fire = drawFire(new Rng(2), 'tf5-n-heptane', AT, 100);
    const curve = heatReleaseCurve(fire);
    expect(heatReleaseAt(curve, 99)).toBe(0);
    let energy = 0;
    for (let t = 0; t < 20_000; t += 0.5) energy += heatReleaseAt(curve, t) * 0.5;
    const expected = fire.fuel_mass_kg * 1000 * fire.heat_of_combustion_kj_g;
    expect(energy / expected).toBeGreaterThan(0.97);
    expect(energy / expected).toBeLessThan(1.03);
  });

  it('never lowers the curve with more fuel, nor with faster growth before the decay', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.001, max: 0.2, noNaN: true }),
        fc.double({ min: 1, max: 3, noNaN: true }),
        fc.double({ min: 0.1, max: 3, noNaN: true }),
        fc.double({ min: 1, max: 4, noNaN: true }),
        fc.double({ min: 0, max: 3000, noNaN: true }),
        (alpha, alphaFactor, fuel, fuelFactor, t) => {
          const base = { q_max_kw: 150, heat_of_combustion_kj_g: 24 };
          const fire = (a: number, m: number) =>
            heatReleaseCurve(
              drawFire(new Rng(3), 'tf4-flaming-pu', AT, 0, { ...base, alpha_kw_s2: a, fuel_mass_kg: m }),
            );
          const q = heatReleaseAt(fire(alpha, fuel), t);
          expect(heatReleaseAt(fire(alpha, fuel * fuelFactor), t)).toBeGreaterThanOrEqual(q * (1 - 1e-9));
          // Faster growth burns the fuel sooner, so it is only no lower until its own decay begins.
          const faster = fire(alpha * alphaFactor, fuel);
          if (t < faster.decayStartS) expect(heatReleaseAt(faster, t)).toBeGreaterThanOrEqual(q * (1 - 1e-9));
        },
      ),
    );
  });
});

describe('plume transport', () => {
  it('follows both Alpert branches and falls with radius and height', () => {
    expect(alpertDeltaT(1000, 3, 0.3)).toBeCloseTo((16.9 * 1000 ** (2 / 3)) / 3 ** (5 / 3), 6);
    expect(alpertDeltaT(1000, 3, 3)).toBeCloseTo((5.38 * (1000 / 3) ** (2 / 3)) / 3, 6);
    expect(alpertDeltaT(100, 3, 4)).toBeLessThan(alpertDeltaT(100, 3, 2));
    expect(alpertDeltaT(100, 4, 2)).toBeLessThan(alpertDeltaT(100, 2.5, 2));
    expect(alpertDeltaT(0, 3, 2)).toBe(0);
  });

  it('delays more with distance and for weak plumes, within seconds to minutes', () => {
    expect(transportLag(100, 2.5, 4)).toBeGreaterThan(transportLag(100, 2.5, 1));
    expect(transportLag(0.2, 2.5, 3)).toBeGreaterThan(transportLag(200, 2.5, 3));
    expect(transportLag(200, 2.5, 3)).toBeLessThan(15);
    expect(transportLag(0.2, 2.5, 3)).toBeGreaterThan(20);
    expect(ceilingReach(0.1, 3)).toBeLessThan(ceilingReach(100, 3));
  });
});
