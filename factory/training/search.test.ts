import { describe, expect, it } from 'vitest';
import { predictProbability } from './gbdt-model.js';
import { aucMetric, logLossMetric } from './metrics.js';
import { selectTrainingRows } from './training-set.js';
import { searchGbdt, type SearchTrial } from './search.js';
import { syntheticSet } from './synthetic-data.test-helper.js';

const data = syntheticSet(
  1800,
  5,
  21,
  (row, noise) => ((row[0] ?? 0) + (row[1] ?? 0) * 0.5 + (noise - 0.5) > 0 ? 1 : 0),
  0.05,
);
const groups = Array.from({ length: data.features.rows }, (_, i) => `run-${Math.floor(i / 60)}`);

describe('searchGbdt', () => {
  it('halves candidates per rung, reports every trial and picks the best of the last rung', async () => {
    const seen: SearchTrial[] = [];
    const progress: [number, number][] = [];
    const result = await searchGbdt({
      data,
      groups,
      folds: 3,
      candidates: 9,
      halvingFactor: 3,
      baseParams: { nTrees: 27, maxBins: 32 },
      metric: aucMetric,
      seed: 5,
      onTrial: (trial) => seen.push(trial),
      onProgress: (done, total) => progress.push([done, total]),
    });
    // Every fold fit moves the bar by its trees: 9×3 fits of 3 trees, 3×3 of 9, 1×3 of 27.
    expect(progress).toHaveLength(9 * 3 + 3 * 3 + 3);
    expect(progress.every(([, total]) => total === 243)).toBe(true);
    expect(progress.map(([done]) => done)).toEqual([...progress.map(([done]) => done)].sort((a, b) => a - b));
    expect(progress.at(-1)).toEqual([243, 243]);
    const perRung = [0, 1, 2].map((r) => result.trials.filter((t) => t.rung === r));
    expect(perRung.map((trials) => trials.length)).toEqual([9, 3, 1]);
    expect(perRung.map((trials) => trials[0]?.params.nTrees)).toEqual([3, 9, 27]);
    expect(seen).toEqual(result.trials);
    for (const trial of result.trials) expect(trial.foldScores).toHaveLength(3);
    const finalists = perRung[2] ?? [];
    expect(result.bestParams).toEqual(finalists[0]?.params);
    expect(result.bestScore).toBeGreaterThan(0.75);
    // Survivors of rung 0 are its top three by mean score.
    const topOfRung0 = [...(perRung[0] ?? [])].sort((a, b) => b.meanScore - a.meanScore).slice(0, 3);
    expect(new Set(perRung[1]?.map((t) => t.candidate))).toEqual(new Set(topOfRung0.map((t) => t.candidate)));
  });

  it('is deterministic for a seed (apart from timings)', async () => {
    const run = async (): Promise<unknown> =>
      (
        await searchGbdt({
          data,
          groups,
          candidates: 3,
          strategy: 'random',
          baseParams: { nTrees: 5 },
          seed: 9,
        })
      ).trials.map(({ seconds: _seconds, ...rest }) => rest);
    expect(await run()).toEqual(await run());
  });

  it("keeps the winner's model of every fold, each scoring its fold as the trial says", async () => {
    const result = await searchGbdt({
      data,
      groups,
      folds: 3,
      candidates: 3,
      baseParams: { nTrees: 9 },
      seed: 2,
    });
    expect(result.folds).toHaveLength(3);
    expect(result.bestFoldModels).toHaveLength(3);
    const winner = result.trials
      .filter((t) => t.rung === result.trials.at(-1)?.rung)
      .find((t) => t.params === result.bestParams);
    result.folds.forEach((fold, f) => {
      const model = result.bestFoldModels[f];
      if (model === undefined) throw new Error('no model');
      expect(model.trees).toHaveLength(9);
      const validation = selectTrainingRows(data, fold.validationRows);
      const score = logLossMetric.score(
        validation.labels,
        predictProbability(model, validation.features),
        validation.weights,
      );
      expect(score).toBeCloseTo(winner?.foldScores[f] ?? Number.NaN, 12);
      // A fold model never saw the runs it is scored on.
      const held = new Set(Array.from(fold.validationRows, (r) => groups[r]));
      expect(Array.from(fold.trainRows).some((r) => held.has(groups[r]))).toBe(false);
    });
  });
});
