import type { FeatureMatrix, TrainingSet } from '../training/training-set.js';
import { createPrng, shuffleInPlace } from '../training/prng.js';
import { FEATURE_NAMES, keepOnlyChannels, maskAbsentProtocols } from '../../shared/features/feature-set.js';
import { PROTOCOL_NAMES } from '../../shared/schemas/readings.js';
import type { FeatureRun } from './run-features.js';

/** How runs become training rows. */
export interface RowSampling {
  /** Keep every n-th second of quiet (no fire) steps. */
  readonly quietEveryS: number;
  /** Keep every n-th second of nuisance runs: the hard negatives, sampled densely. */
  readonly nuisanceEveryS: number;
  /** Weight of a nuisance row relative to other quiet rows. */
  readonly nuisanceWeight: number;
  /** Keep every n-th second after ignition. */
  readonly fireEveryS: number;
  /** Only this long after ignition: later a fire is obvious and would swamp the early, hard part. */
  readonly fireWindowS: number;
  /** Share of runs also added once more as a smaller kit would see them (see {@link SMALL_KITS}). */
  readonly dropSensorsShare: number;
  readonly seed: number;
}

export const DEFAULT_ROW_SAMPLING: RowSampling = {
  quietEveryS: 12,
  nuisanceEveryS: 2,
  nuisanceWeight: 3,
  fireEveryS: 2,
  fireWindowS: 600,
  dropSensorsShare: 1,
  seed: 1,
};

export interface TrainingRows {
  readonly set: TrainingSet;
  readonly featureNames: readonly string[];
  /** Run id of every row, for group-wise cross-validation. */
  readonly groups: string[];
}

/**
 * Kits of one or two modules, and recordings of single channels (a replay
 * CSV of ceiling temperature and PM2.5 alone): as a second copy of a run,
 * the model sees what such a kit sees. Half of the copies draw from this
 * list; the other half remove one to three whole modules at random.
 */
export const SMALL_KITS: readonly { readonly name: string; readonly channels: readonly string[] }[] = [
  { name: 'heat', channels: ['temp'] },
  { name: 'heat module', channels: ['temp', 'humidity', 'gas', 'iaq'] },
  { name: 'smoke', channels: ['pm25'] },
  { name: 'smoke module', channels: ['pm1', 'pm25', 'pm10', 'n0_3', 'n0_5', 'n1_0'] },
  { name: 'heat and smoke', channels: ['temp', 'pm25'] },
  {
    name: 'heat and smoke modules',
    channels: ['temp', 'humidity', 'gas', 'iaq', 'pm1', 'pm25', 'pm10', 'n0_3', 'n0_5', 'n1_0'],
  },
  { name: 'heat, smoke and CO₂', channels: ['temp', 'pm25', 'co2'] },
  { name: 'gas', channels: ['co', 'co2'] },
];

/**
 * Samples rows from every run, balances the classes by weight, and teaches
 * the model that kits differ: for a share of runs it adds a second copy as
 * a smaller kit would see it (one of {@link SMALL_KITS}, or one to three
 * whole modules removed), exactly as such a kit would look.
 */
export function trainingRows(
  runs: readonly FeatureRun[],
  sampling: RowSampling = DEFAULT_ROW_SAMPLING,
): TrainingRows {
  const prng = createPrng(sampling.seed);
  const cols = FEATURE_NAMES.length;
  const chunks: Float32Array[] = [];
  const labels: number[] = [];
  const extraWeight: number[] = [];
  const groups: string[] = [];
  const add = (run: FeatureRun, mask: (vector: Float32Array) => Float32Array): void => {
    const ignition = run.ignitionS;
    run.vectors.forEach((vector, i) => {
      const t = run.t[i] ?? 0;
      const fire = run.fire[i] === 1;
      // A fire that has not reached the sensor yet looks like a quiet room: neither fire nor quiet.
      if (!fire && ignition !== null && t >= ignition) return;
      const nuisance = run.classKind === 'nuisance';
      const every = fire ? sampling.fireEveryS : nuisance ? sampling.nuisanceEveryS : sampling.quietEveryS;
      if (Math.round(t) % every !== 0) return;
      if (fire && ignition !== null && t - ignition > sampling.fireWindowS) return;
      chunks.push(mask(vector));
      labels.push(fire ? 1 : 0);
      extraWeight.push(nuisance ? sampling.nuisanceWeight : 1);
      groups.push(run.runId);
    });
  };
  for (const run of runs) {
    add(run, (vector) => vector);
    if (prng.next() < sampling.dropSensorsShare) {
      if (prng.next() < 0.5) {
        const kit = SMALL_KITS[Math.floor(prng.next() * SMALL_KITS.length)] ?? SMALL_KITS[0];
        const kept = new Set(kit?.channels ?? []);
        add(run, (vector) => keepOnlyChannels(Float32Array.from(vector), kept));
      } else {
        const shuffled = shuffleInPlace([...PROTOCOL_NAMES], prng);
        const absent = new Set(shuffled.slice(0, 1 + Math.floor(prng.next() * 3)));
        add(run, (vector) => maskAbsentProtocols(Float32Array.from(vector), absent));
      }
    }
  }
  const values = new Float32Array(chunks.length * cols);
  chunks.forEach((row, r) => values.set(row, r * cols));
  const features: FeatureMatrix = { values, rows: chunks.length, cols };
  const positives = labels.reduce((n, y) => n + y, 0);
  const negativeWeight = labels.reduce((sum, y, i) => sum + (y === 1 ? 0 : (extraWeight[i] ?? 1)), 0);
  const positiveWeight = positives === 0 ? 1 : negativeWeight / positives;
  const weights = Float64Array.from(labels, (y, i) => (y === 1 ? positiveWeight : (extraWeight[i] ?? 1)));
  return {
    set: { features, labels: Float64Array.from(labels), weights },
    groups,
    featureNames: FEATURE_NAMES,
  };
}

/** All of a run's vectors as one matrix, for predicting its whole trace. */
export function runMatrix(run: FeatureRun): FeatureMatrix {
  const cols = FEATURE_NAMES.length;
  const values = new Float32Array(run.vectors.length * cols);
  run.vectors.forEach((vector, r) => values.set(vector, r * cols));
  return { values, rows: run.vectors.length, cols };
}
