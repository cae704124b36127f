import { EmberError } from '../../shared/errors.js';
import { createPrng, shuffleInPlace } from './prng.js';

/** One cross-validation split, as ascending row indices. */
export interface Fold {
  readonly trainRows: Uint32Array;
  readonly validationRows: Uint32Array;
}

/**
 * K folds in which every group (a run id) lies wholly on one side, so a model
 * is never scored on a run it saw in training. Groups are shuffled with the
 * seed, then placed largest first into the fold with the fewest rows, which
 * keeps fold sizes close.
 */
export function groupKFold(groups: ArrayLike<string | number>, k: number, seed: number): Fold[] {
  const rowsByGroup = new Map<string | number, number[]>();
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i] ?? '';
    const rows = rowsByGroup.get(group);
    if (rows === undefined) rowsByGroup.set(group, [i]);
    else rows.push(i);
  }
  if (!Number.isInteger(k) || k < 2 || k > rowsByGroup.size) {
    throw new EmberError(
      'EMBER_ERR_BAD_TRAINING_DATA',
      `cannot make ${k} group folds from ${rowsByGroup.size} groups (need 2 <= k <= groups)`,
    );
  }
  const ordered = shuffleInPlace([...rowsByGroup.values()], createPrng(seed)).sort(
    (a, b) => b.length - a.length,
  );
  const foldRows: number[][] = Array.from({ length: k }, () => []);
  for (const rows of ordered) {
    let smallest = 0;
    for (let f = 1; f < k; f++)
      if ((foldRows[f]?.length ?? 0) < (foldRows[smallest]?.length ?? 0)) smallest = f;
    const target = foldRows[smallest];
    if (target !== undefined) for (const r of rows) target.push(r);
  }
  const foldOf = new Int32Array(groups.length);
  foldRows.forEach((rows, f) => rows.forEach((r) => (foldOf[r] = f)));
  return foldRows.map((_, f) => {
    const trainRows: number[] = [];
    const validationRows: number[] = [];
    for (let r = 0; r < groups.length; r++) (foldOf[r] === f ? validationRows : trainRows).push(r);
    return { trainRows: Uint32Array.from(trainRows), validationRows: Uint32Array.from(validationRows) };
  });
}
