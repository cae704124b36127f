import { z } from 'zod';
import { EmberError } from '../../shared/errors.js';
import type { FeatureMatrix } from './training-set.js';

/**
 * An internal node: rows with `value < threshold` go left, others right, and
 * NaN follows `missingGoesLeft`. Thresholds are float32-representable and
 * features are compared as float32, exactly like ONNX BRANCH_LT.
 */
export interface SplitNode {
  readonly kind: 'split';
  readonly feature: number;
  readonly threshold: number;
  readonly left: number;
  readonly right: number;
  readonly missingGoesLeft: boolean;
}

/** A leaf: its value (already scaled by the learning rate, float32) is added to the margin. */
export interface LeafNode {
  readonly kind: 'leaf';
  readonly value: number;
}

export type TreeNode = SplitNode | LeafNode;

/** One tree; node 0 is the root and children are indices into `nodes`. */
export interface Tree {
  readonly nodes: readonly TreeNode[];
}

/** A trained binary classifier; plain data, JSON round-trips unchanged. */
export interface GbdtModel {
  readonly format: 'emberwatch-gbdt';
  readonly formatVersion: 1;
  readonly objective: 'binary-logistic';
  readonly nFeatures: number;
  /** Initial log-odds, float32. */
  readonly baseScore: number;
  readonly trees: readonly Tree[];
}

const nodeSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('split'),
    feature: z.int().nonnegative(),
    threshold: z.number(),
    left: z.int().positive(),
    right: z.int().positive(),
    missingGoesLeft: z.boolean(),
  }),
  z.object({ kind: z.literal('leaf'), value: z.number() }),
]);

const modelSchema = z.object({
  format: z.literal('emberwatch-gbdt'),
  formatVersion: z.literal(1),
  objective: z.literal('binary-logistic'),
  nFeatures: z.int().positive(),
  baseScore: z.number(),
  trees: z.array(z.object({ nodes: z.array(nodeSchema).min(1) })),
});

/** Parses a model from JSON-decoded data; throws EMBER_ERR_BAD_MODEL naming the bad path. */
export function parseGbdtModel(data: unknown): GbdtModel {
  const parsed = modelSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? '' : issue.path.join('.');
    throw new EmberError('EMBER_ERR_BAD_MODEL', `model at "${where}": ${issue?.message ?? 'invalid'}`, {
      cause: parsed.error,
    });
  }
  const model: GbdtModel = parsed.data;
  model.trees.forEach((tree, t) => {
    tree.nodes.forEach((node, n) => {
      if (node.kind !== 'split') return;
      // Children after their parent rules out cycles, so predict always ends.
      const bad = [node.left, node.right].some((child) => child <= n || child >= tree.nodes.length);
      if (bad || node.feature >= model.nFeatures) {
        throw new EmberError(
          'EMBER_ERR_BAD_MODEL',
          `model at "trees.${t}.nodes.${n}": child or feature out of range`,
        );
      }
    });
  });
  return model;
}

/** The raw margin (log-odds) of one row; values are rounded to float32 first. */
export function predictRowMargin(model: GbdtModel, row: ArrayLike<number>): number {
  let margin = model.baseScore;
  for (const tree of model.trees) margin += leafValue(tree, (f) => Math.fround(row[f] ?? Number.NaN));
  return margin;
}

/** Raw margins (log-odds) for every row of a matrix. */
export function predictMargin(model: GbdtModel, matrix: FeatureMatrix): Float64Array {
  assertFits(model, matrix);
  const out = new Float64Array(matrix.rows).fill(model.baseScore);
  for (const tree of model.trees) addTreeToMargins(tree, matrix, out);
  return out;
}

/** Adds one tree's leaf value for each row of a matrix to `margins`. */
export function addTreeToMargins(tree: Tree, matrix: FeatureMatrix, margins: Float64Array): void {
  const { rows, cols, values } = matrix;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    margins[r] = (margins[r] ?? 0) + leafValue(tree, (f) => values[base + f] ?? Number.NaN);
  }
}

/** Fire probabilities for every row of a matrix. */
export function predictProbability(model: GbdtModel, matrix: FeatureMatrix): Float64Array {
  return predictMargin(model, matrix).map(sigmoid);
}

/** The logistic function, written to stay finite for large |margin|. */
export function sigmoid(margin: number): number {
  if (margin >= 0) return 1 / (1 + Math.exp(-margin));
  const e = Math.exp(margin);
  return e / (1 + e);
}

function leafValue(tree: Tree, feature: (index: number) => number): number {
  let node = tree.nodes[0];
  while (node !== undefined) {
    if (node.kind === 'leaf') return node.value;
    const x = feature(node.feature);
    const goLeft = Number.isNaN(x) ? node.missingGoesLeft : x < node.threshold;
    node = tree.nodes[goLeft ? node.left : node.right];
  }
  throw new EmberError('EMBER_ERR_BAD_MODEL', 'tree walk left the node array');
}

function assertFits(model: GbdtModel, matrix: FeatureMatrix): void {
  if (matrix.cols !== model.nFeatures) {
    throw new EmberError(
      'EMBER_ERR_BAD_MODEL',
      `model expects ${model.nFeatures} features, matrix has ${matrix.cols}`,
    );
  }
}
