import { z } from 'zod';
import { EmberError } from '../../shared/errors.js';

/** Hyperparameters of the GBDT family, with their defaults. */
export const gbdtParamsSchema = z.object({
  /** Boosting rounds (the most trees the model may have). */
  nTrees: z.int().min(1).max(10_000).default(100),
  learningRate: z.number().gt(0).max(1).default(0.1),
  maxDepth: z.int().min(1).max(16).default(6),
  /** Fewest training rows a leaf may hold. */
  minSamplesLeaf: z.int().min(1).default(20),
  /** Smallest hessian sum a leaf may hold (XGBoost's min_child_weight). */
  minChildWeight: z.number().min(0).default(1e-3),
  /** L2 penalty on leaf values. */
  lambda: z.number().min(0).default(1),
  /** Smallest loss reduction worth a split. */
  minSplitGain: z.number().min(0).default(0),
  /** Fraction of rows drawn (without replacement) for each tree. */
  subsample: z.number().gt(0).max(1).default(1),
  /** Fraction of features drawn for each tree. */
  colsample: z.number().gt(0).max(1).default(1),
  /** Value bins per feature; NaN always has a bin of its own besides these. */
  maxBins: z.int().min(2).max(255).default(255),
  seed: z.int().default(0),
  /** Stop when validation log loss has not improved for this many rounds (needs a validation set). */
  earlyStoppingRounds: z.int().min(1).optional(),
});

export type GbdtParams = z.output<typeof gbdtParamsSchema>;
export type GbdtParamsInput = z.input<typeof gbdtParamsSchema>;

/** Fills defaults and checks ranges; throws EMBER_ERR_BAD_HYPERPARAMETERS naming the bad field. */
export function resolveGbdtParams(input: GbdtParamsInput = {}): GbdtParams {
  const parsed = gbdtParamsSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new EmberError(
    'EMBER_ERR_BAD_HYPERPARAMETERS',
    `hyperparameter "${issue?.path.join('.') ?? ''}": ${issue?.message ?? 'invalid'}`,
    { cause: parsed.error },
  );
}
