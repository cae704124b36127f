import { describe, expect, it } from 'vitest';
import { impossibleParticleCounts, RateGate } from './plausibility.js';

describe('RateGate', () => {
  it('believes changes within the rate, scaled by the time since the last good value', () => {
    const gate = new RateGate(10);
    expect(gate.accept(0, 0)).toBe(true);
    expect(gate.accept(9, 1000)).toBe(true);
    expect(gate.accept(55, 6000)).toBe(true);
    expect(gate.accept(80, 7000)).toBe(false);
  });

  it('holds a jump as a fault while the output repeats it, and trusts the next value that moves', () => {
    const gate = new RateGate(10);
    gate.accept(2, 0);
    expect(gate.accept(500, 1000)).toBe(false);
    expect(gate.accept(500, 2000)).toBe(false);
    expect(gate.accept(500, 200_000)).toBe(false);
    expect(gate.accept(3, 201_000)).toBe(true);
    expect(gate.accept(4, 202_000)).toBe(true);
  });
});

describe('impossibleParticleCounts', () => {
  const counts = (n03: number, n10: number) => ({
    pm1_cf1_ugm3: 0,
    pm25_cf1_ugm3: 0,
    pm10_cf1_ugm3: 0,
    pm1_ugm3: 0,
    pm25_ugm3: 0,
    pm10_ugm3: 0,
    n0_3_per_dl: n03,
    n0_5_per_dl: n03,
    n1_0_per_dl: n03,
    n2_5_per_dl: n10,
    n5_0_per_dl: n10,
    n10_per_dl: n10,
  });

  it('flags as many particles above 10 µm as above 0.3 µm, not coarse dust or a clean room', () => {
    expect(impossibleParticleCounts(counts(65535, 65535))).toBe(true);
    expect(impossibleParticleCounts(counts(20_000, 300))).toBe(false);
    expect(impossibleParticleCounts(counts(3, 3))).toBe(false);
  });
});
