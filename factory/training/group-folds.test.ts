import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupKFold } from './group-folds.js';

describe('groupKFold', () => {
  it('never puts one group on both sides of a fold and validates every row exactly once', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 2, maxLength: 200 }),
        fc.integer({ min: 2, max: 6 }),
        fc.integer(),
        (groups, k, seed) => {
          fc.pre(new Set(groups).size >= k);
          const folds = groupKFold(groups, k, seed);
          expect(folds).toHaveLength(k);
          const validatedTimes = new Array<number>(groups.length).fill(0);
          for (const fold of folds) {
            const trainGroups = new Set(Array.from(fold.trainRows, (r) => groups[r]));
            for (const r of fold.validationRows) {
              expect(trainGroups.has(groups[r])).toBe(false);
              validatedTimes[r] = (validatedTimes[r] ?? 0) + 1;
            }
            expect(fold.trainRows.length + fold.validationRows.length).toBe(groups.length);
            expect(fold.validationRows.length).toBeGreaterThan(0);
          }
          expect(validatedTimes.every((n) => n === 1)).toBe(true);
        },
      ),
    );
  });

  it('refuses more folds than groups', () => {
    expect(() => groupKFold(['a', 'a', 'b'], 3, 0)).toThrow(
      expect.objectContaining({ code: 'EMBER_ERR_BAD_TRAINING_DATA' }),
    );
  });
});
