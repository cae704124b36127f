import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { evaluateRealFires } from '../factory/evaluation/real-fires.js';
import { loadModelDir } from '../shared/model/model-dir.js';

/**
 * The shipped model on the five real fires the repository carries, judged on
 * behaviour, not timing: at every position it says something (a heads-up or
 * a high) and nothing at medium or above before ignition. How early it is,
 * against the real smoke alarms there, is in docs/model.md.
 */
describe('the shipped model on real fires', () => {
  it('is never silent and raises nothing before ignition at any position of the NIST home tests', async () => {
    const model = await loadModelDir(fileURLToPath(new URL('../models/default', import.meta.url)));
    try {
      const dir = fileURLToPath(new URL('../recordings/nist-home-smoke-alarms', import.meta.url));
      const outcomes = await evaluateRealFires(dir, model, model.manifest.alarm);
      expect(outcomes).toHaveLength(25);
      const silent = outcomes.filter((o) => o.verdict.silent).map((o) => `${o.test}_${o.position}`);
      const early = outcomes
        .filter((o) => o.verdict.beforeIgnition)
        .map(
          (o) =>
            `${o.test}_${o.position} heads-up at ${String(o.headsUpS)} s, ignition ${String(o.ignition_s)} s`,
        );
      expect(silent).toEqual([]);
      expect(early).toEqual([]);
    } finally {
      await model.close();
    }
  }, 60_000);
});
