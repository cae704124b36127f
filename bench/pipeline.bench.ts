import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMain, runStandalone, type BenchOptions } from './bench-options.js';
import { figure, type Figure } from './figure.js';

/**
 * The whole model pipeline as a data scientist runs it, each stage through
 * the built command line in a process of its own, with the settings of the
 * shipped default model (scripts/train-default-model.sh): 600 training runs,
 * their feature store, the search and final fit, 500 held-out runs from
 * seeds never used in training, and the evaluation. Target: the whole in
 * under five minutes on two cores. One round: the whole takes minutes.
 */
const CLI = fileURLToPath(new URL('../../bin/emberwatch.js', import.meta.url));

interface Stage {
  readonly name: string;
  readonly args: (work: string) => string[];
}

const STAGES: readonly Stage[] = [
  {
    name: 'generate 600 training runs',
    args: (w) => [
      'generate',
      ...['--out', `${w}/train`, '--runs', '600', '--seed', '2000', '--duration', '600', '--thermal-hz', '1'],
    ],
  },
  { name: 'features (Parquet store)', args: (w) => ['features', '--data', `${w}/train`] },
  {
    name: 'search + train (6 candidates, 120 trees)',
    args: (w) => ['train', '--data', `${w}/train`, '--out', `${w}/model`, '--trials', '6', '--trees', '120'],
  },
  {
    name: 'generate 500 held-out runs',
    args: (w) => [
      'generate',
      '--out',
      `${w}/heldout`,
      '--runs',
      '500',
      '--seed',
      '900000',
      '--duration',
      '600',
      '--thermal-hz',
      '1',
      '--mix',
      'fire=0.3,nuisance=0.62,normal=0.08',
    ],
  },
  {
    name: 'evaluate on the held-out runs',
    args: (w) => ['evaluate', '--model', `${w}/model`, '--data', `${w}/heldout`, '--json'],
  },
];

/** Runs the CLI to its end; resolves with its standard output, rejects on a non-zero exit. */
function run(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`emberwatch ${args[0] ?? ''} exited ${String(code)}`)),
    );
  });
}

interface Headline {
  fire: { runs: number; detected: number; medianTimeToAlarmS: number };
  baseline: { best: { medianTimeToAlarmS: number } };
  nuisance: { runs: number; falseAlarmRuns: number };
}

export async function benchPipeline(_options?: BenchOptions): Promise<Figure[]> {
  const work = mkdtempSync(join(tmpdir(), 'emberwatch-pipeline-bench-'));
  const figures: Figure[] = [];
  const load = loadavg()[0] ?? 0;
  try {
    let total = 0;
    let evaluation = '';
    for (const stage of STAGES) {
      const started = process.hrtime.bigint();
      evaluation = await run(stage.args(work));
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      total += seconds;
      figures.push(figure('pipeline', { name: stage.name, unit: 's', values: seconds }));
    }
    const h = JSON.parse(evaluation) as Headline;
    figures.push(
      figure('pipeline', {
        name: 'whole pipeline, five stages',
        unit: 's',
        values: total,
        goal: { op: '<=', value: 300 },
        note: `load average at start ${load.toFixed(2)}`,
      }),
      figure('pipeline', {
        name: 'held-out fires detected',
        unit: '%',
        values: (100 * h.fire.detected) / h.fire.runs,
        note: `${String(h.fire.detected)}/${String(h.fire.runs)}, median ${h.fire.medianTimeToAlarmS.toFixed(1)} s to alarm (best detector ${h.baseline.best.medianTimeToAlarmS.toFixed(1)} s); false alarms in ${String(h.nuisance.falseAlarmRuns)}/${String(h.nuisance.runs)} nuisance runs`,
      }),
    );
    return figures;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) await runStandalone(benchPipeline);
