import { describe, expect, it } from 'vitest';
import { impossibleParticleCounts, RateGate } from './plausibility.js';

describe('RateGate', () => {
  it('believes changes within the rate, scaled by the time since the last good value', () => {
    const gate = new RateGate(10, 500);
    expect(gate.accept(0, 0)).toBe(true);
    expect(gate.accept(9, 1000)).toBe(true);
    expect(gate.accept(55, 6000)).toBe(true);
    expect(gate.accept(80, 7000)).toBe(false);
  });

  it('holds a jump to full scale as a fault while the output stays there, and trusts it once it leaves', () => {
    const gate = new RateGate(10, 500);
    gate.accept(2, 0);
    expect(gate.accept(500, 1000)).toBe(false);
    expect(gate.accept(500, 2000)).toBe(false);
    // Long after the module could have climbed that far, a pinned output is still a fault.
    expect(gate.accept(500, 200_000)).toBe(false);
    expect(gate.accept(3, 201_000)).toBe(true);
    expect(gate.accept(4, 202_000)).toBe(true);
  });

  it('refuses any other impossible change only until the module could have made it', () => {
    const up = new RateGate(10, 500);
    up.accept(0, 0);
    expect(up.accept(120, 1000)).toBe(false);
    expect(up.accept(120, 5000)).toBe(false);
    expect(up.accept(120, 12_000)).toBe(true);
    // A first reading that was a glitch: the output then holds 0, as a clean room does.
    const down = new RateGate(10, 500);
    down.accept(60, 0);
    expect(down.accept(0, 1000)).toBe(false);
    expect(down.accept(0, 3000)).toBe(false);
    expect(down.accept(0, 6000)).toBe(true);
    expect(down.accept(0, 7000)).toBe(true);
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

  it('flags half or more of the particles above 10 µm in a busy frame, not coarse dust or a clean room', () => {
    expect(impossibleParticleCounts(counts(65535, 65535))).toBe(true);
    expect(impossibleParticleCounts(counts(20_000, 10_000))).toBe(true);
    expect(impossibleParticleCounts(counts(20_000, 9_999))).toBe(false);
    expect(impossibleParticleCounts(counts(20_000, 300))).toBe(false);
    expect(impossibleParticleCounts(counts(999, 999))).toBe(false);
  });
});
