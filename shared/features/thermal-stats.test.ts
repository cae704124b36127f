import { FLAME_PIXEL_C } from '../detection/flame-growth.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ThermalStatsComputer, type ThermalStats } from './thermal-stats.js';

/** The statistics as first written, with Math.round: the shipped model was trained on these. */
function reference(pixels: readonly number[], width: number): ThermalStats {
  const bins = Math.ceil((300 + 40) / 0.25) + 1;
  const histogram = new Uint16Array(bins);
  let maxC = -Infinity;
  for (const c of pixels) {
    if (c > maxC) maxC = c;
    const bin = Math.min(bins - 1, Math.max(0, Math.round((c + 40) / 0.25)));
    histogram[bin] = (histogram[bin] ?? 0) + 1;
  }
  let seen = 0;
  let medianBin = 0;
  while (medianBin < bins - 1 && seen + (histogram[medianBin] ?? 0) <= pixels.length / 2)
    seen += histogram[medianBin++] ?? 0;
  const medianC = -40 + medianBin * 0.25;
  let hotPixels = 0;
  let excessSum = 0;
  let sx = 0;
  let sy = 0;
  pixels.forEach((c, i) => {
    const excess = c - medianC;
    if (excess < 8) return;
    hotPixels++;
    excessSum += excess;
    sx += excess * (i % width);
    sy += excess * Math.floor(i / width);
  });
  return {
    maxC: pixels.length === 0 ? Number.NaN : maxC,
    medianC,
    hotPixels,
    hotExcessC: hotPixels === 0 ? 0 : excessSum / hotPixels,
    centroidX: hotPixels === 0 ? Number.NaN : sx / excessSum,
    centroidY: hotPixels === 0 ? Number.NaN : sy / excessSum,
    flamePixels: pixels.filter((c) => c >= FLAME_PIXEL_C).length,
  };
}

/** Doubles on and right beside the histogram's half-bin boundaries, where rounding could differ. */
function boundaries(): number[] {
  const values: number[] = [];
  const view = new DataView(new ArrayBuffer(8));
  for (let half = -41; half <= 301; half += 0.25) {
    for (const step of [-2n, -1n, 0n, 1n, 2n]) {
      // Stepping the bits moves to the neighbouring doubles of the boundary.
      view.setFloat64(0, half + 0.125);
      view.setBigInt64(0, view.getBigInt64(0) + step);
      values.push(view.getFloat64(0));
    }
  }
  return [...values, -39.875, -40, -40.125, 0, -0, 1e300, -1e300, Infinity, -Infinity, Number.NaN];
}

describe('ThermalStatsComputer', () => {
  it('gives exactly the Math.round statistics on every half-bin boundary', () => {
    const computer = new ThermalStatsComputer();
    const values = boundaries();
    for (let start = 0; start < values.length; start += 768) {
      const frame = values.slice(start, start + 768);
      expect(computer.compute(frame, 32)).toStrictEqual(reference(frame, 32));
    }
  });

  it('gives exactly the Math.round statistics on frames as the codec reports them (°C × 100)', () => {
    const computer = new ThermalStatsComputer();
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -4000, max: 30000 }), { minLength: 1, maxLength: 96 }),
        (centi) => {
          const frame = centi.map((c) => c / 100);
          expect(computer.compute(frame, 8)).toStrictEqual(reference(frame, 8));
        },
      ),
    );
  });
});
