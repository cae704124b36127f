import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { drawScenario } from '../scenarios/scenario-catalogue.js';
import { simulateRun } from '../sensors/simulate-run.js';
import { fitToDuration, parseMix, planRun, RUN_CLASSES, TEMPLATES_BY_CLASS } from './run-plan.js';

describe('run plans', () => {
  it('depend only on the dataset seed and the index', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat({ max: 100_000 }), (seed, index) => {
        const mix = { fire: 0.4, nuisance: 0.4, normal: 0.2 };
        expect(planRun(seed, index, mix)).toEqual(planRun(seed, index, mix));
      }),
    );
    expect(planRun(1, 0, { fire: 1 }).seed).not.toBe(planRun(1, 1, { fire: 1 }).seed);
  });

  it('follow the mix', () => {
    const mix = parseMix('fire=0.5,nuisance=0.3,normal=0.2');
    const counts = { fire: 0, nuisance: 0, normal: 0 };
    for (let i = 0; i < 2000; i++) counts[planRun(42, i, mix).classKind]++;
    expect(counts.fire / 2000).toBeCloseTo(0.5, 1);
    expect(counts.nuisance / 2000).toBeCloseTo(0.3, 1);
    expect(parseMix('fire=1').nuisance).toBeUndefined();
    expect(new Set(Array.from({ length: 200 }, (_, i) => planRun(1, i, { fire: 1 }).classKind))).toEqual(
      new Set(['fire']),
    );
  });

  it('refuse a malformed mix with one clear line', () => {
    for (const bad of ['fire', 'fire=x', 'smoke=0.5', 'fire=0,normal=0', 'fire=-1', 'fire=0.5=1']) {
      expect(() => parseMix(bad), bad).toThrow(/--mix/);
    }
  });

  it.each(RUN_CLASSES)(
    'every %s template labels its runs as that class once fitted to 15 minutes',
    (kind) => {
      for (const template of TEMPLATES_BY_CLASS[kind]) {
        const scenario = fitToDuration(drawScenario(template, 11), 900);
        const trace = simulateRun(scenario, { durationS: 900, thermalHz: 0.5 });
        expect(trace.labels.class.kind, template).toBe(kind);
      }
    },
  );
});
