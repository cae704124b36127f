import type { FeatureMatrix, TrainingSet } from '../training/training-set.js';
import { createPrng, shuffleInPlace } from '../training/prng.js';
import { FEATURE_NAMES, maskAbsentProtocols } from '../../shared/features/feature-set.js';
import { PROTOCOL_NAMES, type ProtocolName } from '../../shared/schemas/readings.js';
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
  /** Share of runs also added once more with a random subset of modules removed. */
  readonly dropSensorsShare: number;
  readonly seed: number;
}

export const DEFAULT_ROW_SAMPLING: RowSampling = {
  quietEveryS: 8,
  nuisanceEveryS: 2,
  nuisanceWeight: 2,
  fireEveryS: 2,
  fireWindowS: 600,
  dropSensorsShare: 0.5,
  seed: 1,
};

export interface TrainingRows {
  readonly set: TrainingSet;
  readonly featureNames: readonly string[];
  /** Run id of every row, for group-wise cross-validation. */
  readonly groups: string[];
}

/**
 * Samples rows from every run, balances the classes by weight, and teaches
 * the model that kits differ: for a share of runs it adds a second copy with
 * one to three modules removed, exactly as a kit without them would look.
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
  const add = (run: FeatureRun, absent: ReadonlySet<ProtocolName>): void => {
    const ignition = run.ignitionS;
    run.vectors.forEach((vector, i) => {
      const t = run.t[i] ?? 0;
      const fire = run.fire[i] === 1;
      const nuisance = run.classKind === 'nuisance';
      const every = fire ? sampling.fireEveryS : nuisance ? sampling.nuisanceEveryS : sampling.quietEveryS;
      if (Math.round(t) % every !== 0) return;
      if (fire && ignition !== null && t - ignition > sampling.fireWindowS) return;
      chunks.push(absent.size === 0 ? vector : maskAbsentProtocols(Float32Array.from(vector), absent));
      labels.push(fire ? 1 : 0);
      extraWeight.push(nuisance ? sampling.nuisanceWeight : 1);
      groups.push(run.runId);
    });
  };
  for (const run of runs) {
    add(run, new Set());
    if (prng.next() < sampling.dropSensorsShare) {
      const shuffled = shuffleInPlace([...PROTOCOL_NAMES], prng);
      add(run, new Set(shuffled.slice(0, 1 + Math.floor(prng.next() * 3))));
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
