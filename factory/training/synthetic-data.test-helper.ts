import { createPrng } from './prng.js';
import type { TrainingSet } from './training-set.js';

/** A labelled synthetic problem for tests: `label` maps a row's features (and a noise draw) to 0/1. */
export function syntheticSet(
  rows: number,
  cols: number,
  seed: number,
  label: (row: Float32Array, noise: number) => number,
  missingRate = 0,
): TrainingSet {
  const prng = createPrng(seed);
  const values = new Float32Array(rows * cols);
  const labels = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    const row = values.subarray(r * cols, (r + 1) * cols);
    for (let f = 0; f < cols; f++) row[f] = prng.next() < missingRate ? Number.NaN : prng.next() * 2 - 1;
    labels[r] = label(row, prng.next());
  }
  return { features: { values, rows, cols }, labels };
}
