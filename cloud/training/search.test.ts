import { describe, expect, it } from 'vitest';
import { aucMetric } from './metrics.js';
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
  it('halves candidates per rung, reports every trial and picks the best of the last rung', () => {
    const seen: SearchTrial[] = [];
    const result = searchGbdt({
      data,
      groups,
      folds: 3,
      candidates: 9,
      halvingFactor: 3,
      baseParams: { nTrees: 27, maxBins: 32 },
      metric: aucMetric,
      seed: 5,
      onTrial: (trial) => seen.push(trial),
    });
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

  it('is deterministic for a seed (apart from timings)', () => {
    const run = (): unknown =>
      searchGbdt({
        data,
        groups,
        candidates: 3,
        strategy: 'random',
        baseParams: { nTrees: 5 },
        seed: 9,
      }).trials.map(({ seconds: _seconds, ...rest }) => rest);
    expect(run()).toEqual(run());
  });
});
