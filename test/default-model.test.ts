import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EvaluationSummary } from '../factory/registry/evaluation-summary.js';
import { evaluateGate } from '../factory/registry/gate.js';
import { FEATURE_NAMES } from '../shared/features/feature-set.js';
import { loadModelDir } from '../shared/model/model-dir.js';

const dir = fileURLToPath(new URL('../models/default', import.meta.url));

describe('the default model shipped in the repository', () => {
  it('loads on ONNX Runtime, matches its checksum and reproduces its reference inputs', async () => {
    const model = await loadModelDir(dir);
    try {
      expect(model.manifest.featureNames).toEqual(FEATURE_NAMES);
      expect(model.manifest.referenceInputs.length).toBeGreaterThanOrEqual(10);
      expect(model.manifest.alarm.high.threshold).toBeGreaterThan(model.manifest.alarm.medium.threshold);
      // Slow smoulders reach high through the sustained rule, which must sit below the fast one.
      expect(model.manifest.alarm.sustainedHigh?.threshold).toBeLessThan(model.manifest.alarm.high.threshold);
    } finally {
      await model.close();
    }
  });

  it('carries its held-out evaluation', () => {
    const evaluation = JSON.parse(readFileSync(`${dir}/evaluation.json`, 'utf8')) as {
      modelVersion: string;
      fire: { runs: number };
      nuisance: { runs: number };
    };
    const manifest = JSON.parse(readFileSync(`${dir}/manifest.json`, 'utf8')) as { version: string };
    expect(evaluation.modelVersion).toBe(manifest.version);
    expect(evaluation.nuisance.runs).toBeGreaterThanOrEqual(300);
    expect(evaluation.fire.runs).toBeGreaterThan(100);
  });

  it('is dated no later than today, and its gate line agrees with its speed-up', () => {
    const manifest = JSON.parse(readFileSync(`${dir}/manifest.json`, 'utf8')) as { createdAt: string };
    const evaluation = EvaluationSummary.parse(JSON.parse(readFileSync(`${dir}/evaluation.json`, 'utf8')));
    expect(Date.parse(manifest.createdAt)).toBeLessThanOrEqual(Date.now());
    expect(Date.parse(evaluation.evaluatedAt)).toBeLessThanOrEqual(Date.now());
    const speed = evaluateGate(evaluation).checks.find(
      (c) => c.criterion === 'maxTimeToAlarmRatioVsBaseline',
    );
    expect(speed?.measured).toBeCloseTo(1 / (evaluation.speedupVsBestBaseline ?? Number.NaN), 12);
  });
});
