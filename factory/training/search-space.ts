import type { GbdtParamsInput } from './gbdt-params.js';
import type { Prng } from './prng.js';

/** The hyperparameters a search may vary (maxBins stays fixed so bins are computed once per fold). */
export type SearchableParam =
  | 'nTrees'
  | 'learningRate'
  | 'maxDepth'
  | 'minSamplesLeaf'
  | 'minChildWeight'
  | 'lambda'
  | 'minSplitGain'
  | 'subsample'
  | 'colsample';

/** Where one hyperparameter is drawn from. */
export type ParamDomain =
  | { readonly kind: 'int'; readonly min: number; readonly max: number }
  | { readonly kind: 'float'; readonly min: number; readonly max: number; readonly log?: boolean }
  | { readonly kind: 'choice'; readonly values: readonly number[] };

/** Domains per hyperparameter; those not listed keep their base value. */
export type SearchSpace = Readonly<Partial<Record<SearchableParam, ParamDomain>>>;

/** A space that suits tabular sensor features of a few dozen columns. */
export const defaultSearchSpace: SearchSpace = {
  learningRate: { kind: 'float', min: 0.03, max: 0.3, log: true },
  maxDepth: { kind: 'int', min: 3, max: 6 },
  minSamplesLeaf: { kind: 'choice', values: [5, 20, 50, 100] },
  lambda: { kind: 'float', min: 0.1, max: 10, log: true },
  subsample: { kind: 'float', min: 0.6, max: 1 },
  colsample: { kind: 'float', min: 0.5, max: 1 },
};

/** Draws one value per listed hyperparameter, in a fixed key order so a seed always gives the same draw. */
export function drawParams(space: SearchSpace, prng: Prng): GbdtParamsInput {
  const drawn: Partial<Record<SearchableParam, number>> = {};
  for (const key of Object.keys(space).sort() as SearchableParam[]) {
    const domain = space[key];
    if (domain !== undefined) drawn[key] = drawValue(domain, prng);
  }
  return drawn;
}

function drawValue(domain: ParamDomain, prng: Prng): number {
  switch (domain.kind) {
    case 'int':
      return domain.min + prng.nextInt(domain.max - domain.min + 1);
    case 'choice':
      return domain.values[prng.nextInt(domain.values.length)] ?? Number.NaN;
    case 'float': {
      const u = prng.next();
      if (domain.log === true)
        return Math.exp(Math.log(domain.min) + u * (Math.log(domain.max) - Math.log(domain.min)));
      return domain.min + u * (domain.max - domain.min);
    }
  }
}
