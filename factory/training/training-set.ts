import { EmberError } from '../../shared/errors.js';

/**
 * Features as one row-major float32 block: row r, feature f sits at
 * `values[r * cols + f]`. NaN marks a channel the device lacks. Float32
 * because that is what the edge model receives, so training and inference
 * agree exactly on which side of a threshold a value falls.
 */
export interface FeatureMatrix {
  readonly values: Float32Array;
  readonly rows: number;
  readonly cols: number;
}

/** Rows with binary labels (1 = fire in progress) and optional non-negative weights. */
export interface TrainingSet {
  readonly features: FeatureMatrix;
  readonly labels: ArrayLike<number>;
  readonly weights?: ArrayLike<number>;
}

/** Builds a matrix from plain rows; values are rounded to float32. */
export function featureMatrixFromRows(rows: readonly (readonly number[])[], cols?: number): FeatureMatrix {
  const width = cols ?? rows[0]?.length ?? 0;
  const values = new Float32Array(rows.length * width);
  rows.forEach((row, r) => {
    if (row.length !== width) {
      throw new EmberError(
        'EMBER_ERR_BAD_TRAINING_DATA',
        `row ${r} has ${row.length} features, expected ${width}`,
      );
    }
    values.set(row, r * width);
  });
  return { values, rows: rows.length, cols: width };
}

/** Copies the listed rows (in the order given) into a new matrix. */
export function selectMatrixRows(matrix: FeatureMatrix, rowIndices: ArrayLike<number>): FeatureMatrix {
  const { cols } = matrix;
  const values = new Float32Array(rowIndices.length * cols);
  for (let i = 0; i < rowIndices.length; i++) {
    const r = rowIndices[i] ?? 0;
    values.set(matrix.values.subarray(r * cols, (r + 1) * cols), i * cols);
  }
  return { values, rows: rowIndices.length, cols };
}

/** Copies the listed rows of a training set, keeping labels and weights aligned. */
export function selectTrainingRows(set: TrainingSet, rowIndices: ArrayLike<number>): TrainingSet {
  const labels = new Float64Array(rowIndices.length);
  const weights = set.weights === undefined ? undefined : new Float64Array(rowIndices.length);
  for (let i = 0; i < rowIndices.length; i++) {
    const r = rowIndices[i] ?? 0;
    labels[i] = set.labels[r] ?? 0;
    if (weights !== undefined) weights[i] = set.weights?.[r] ?? 0;
  }
  const features = selectMatrixRows(set.features, rowIndices);
  return weights === undefined ? { features, labels } : { features, labels, weights };
}

/** Throws EMBER_ERR_BAD_TRAINING_DATA unless shapes agree, labels are 0/1 and weights are finite and >= 0. */
export function assertValidTrainingSet(set: TrainingSet, what = 'training set'): void {
  const { features, labels, weights } = set;
  const fail = (message: string): never => {
    throw new EmberError('EMBER_ERR_BAD_TRAINING_DATA', `${what}: ${message}`);
  };
  if (!Number.isInteger(features.rows) || !Number.isInteger(features.cols) || features.cols < 1) {
    fail(`bad matrix shape ${features.rows} x ${features.cols}`);
  }
  if (features.values.length !== features.rows * features.cols) {
    fail(`matrix holds ${features.values.length} values, expected ${features.rows} x ${features.cols}`);
  }
  if (features.rows < 1) fail('no rows');
  if (labels.length !== features.rows) fail(`${labels.length} labels for ${features.rows} rows`);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (label !== 0 && label !== 1) fail(`label at row ${i} is ${String(label)}, expected 0 or 1`);
  }
  if (weights === undefined) return;
  if (weights.length !== features.rows) fail(`${weights.length} weights for ${features.rows} rows`);
  for (let i = 0; i < weights.length; i++) {
    const weight = weights[i] ?? Number.NaN;
    if (!Number.isFinite(weight) || weight < 0) fail(`weight at row ${i} is ${weight}`);
  }
}
