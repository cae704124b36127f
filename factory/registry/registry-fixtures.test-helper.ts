import { createHash, randomBytes } from 'node:crypto';
import { DEFAULT_ALARM_POLICY } from '../../shared/alarm/alarm-policy.js';
import type { ModelManifest } from '../../shared/model/manifest.js';
import type { EvaluationSummary } from './evaluation-summary.js';
import type { RegisterInput } from './registration.js';

/** An evaluation that meets every default gate criterion: 48/48 fires at a third of the baseline's time. */
export function passingEvaluation(modelVersion: string): EvaluationSummary {
  const detector = (detectionRate: number, medianTimeToAlarmS: number | null) => ({
    detectionRate,
    medianTimeToAlarmS,
  });
  return {
    schemaVersion: 1,
    modelVersion,
    evaluatedAt: '2025-03-01T12:00:00.000Z',
    heldOutSeeds: 'seeds 9000-9499, never used in training',
    fire: {
      runs: 48,
      detected: 48,
      detectionRate: 1,
      medianTimeToAlarmS: 30,
      p90TimeToAlarmS: 55,
      medianTimeToHeadsUpS: 12,
    },
    baseline: {
      best: detector(0.95, 90),
      smoke: detector(0.9, 120),
      heat_fixed: detector(0.4, 300),
      rate_of_rise: detector(0.6, 200),
      co: detector(0.7, null),
    },
    nuisance: { runs: 320, falseAlarmRuns: 0, headsUpRuns: 14, falseAlarmsPerHour: 0 },
    normal: { runs: 100, falseAlarmRuns: 0 },
    perClass: {
      flaming: { runs: 24, detected: 24, medianTimeToAlarmS: 20, baselineMedianTimeToAlarmS: 60 },
      smouldering: { runs: 24, detected: 24, medianTimeToAlarmS: 45, baselineMedianTimeToAlarmS: 240 },
    },
    paired: { runs: 45, modelMedianTimeToAlarmS: 30, baselineMedianTimeToAlarmS: 90 },
    speedupVsBestBaseline: 3,
  };
}

/** The passing evaluation with some figures changed. */
export function evaluationWith(
  modelVersion: string,
  change: (evaluation: EvaluationSummary) => void,
): EvaluationSummary {
  const evaluation = passingEvaluation(modelVersion);
  change(evaluation);
  return evaluation;
}

export function manifestFor(version: string, bytes: Uint8Array, createdAt: string): ModelManifest {
  return {
    schemaVersion: 1,
    version,
    createdAt,
    family: 'gbdt',
    model: {
      file: 'model.onnx',
      sha256: createHash('sha256').update(bytes).digest('hex'),
      inputName: 'features',
      outputName: 'probability',
    },
    featureNames: ['temperature_c', 'co_ppm'],
    normalisation: null,
    alarm: DEFAULT_ALARM_POLICY,
    params: { trees: 40, depth: 4 },
    metrics: { auc: 0.993 },
    data: { sha256: 'd'.repeat(64), runs: 2000, description: 'synthetic scenarios, seeds 1-1999' },
    referenceInputs: [],
  };
}

/**
 * A registration of a fake model (random bytes: the registry never runs it)
 * with a matching manifest, a passing evaluation and one experiment.
 * `day` orders models by creation time.
 */
export function fakeRegistration(
  version: string,
  options: { day?: number; evaluation?: EvaluationSummary; bytes?: Uint8Array } = {},
): RegisterInput {
  const bytes = options.bytes ?? new Uint8Array(randomBytes(512));
  const day = String(options.day ?? 1).padStart(2, '0');
  return {
    modelBytes: bytes,
    manifest: manifestFor(version, bytes, `2025-03-${day}T08:00:00.000Z`),
    evaluation: options.evaluation ?? passingEvaluation(version),
    experiments: [
      {
        id: `exp-${version}`,
        params: { learningRate: 0.1, trees: 40 },
        metrics: { cvAuc: 0.99, cvLogLoss: null },
        dataSha256: 'd'.repeat(64),
        createdAt: `2025-03-${day}T07:00:00.000Z`,
      },
    ],
  };
}
