import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The whole model pipeline as a data scientist runs it, each stage through
 * the built command line in a process of its own, with the settings of the
 * shipped default model (scripts/train-default-model.sh): 600 training runs,
 * their feature store, the search and final fit, 500 held-out runs from
 * seeds never used in training, and the evaluation. Target: the whole in
 * under five minutes on two cores.
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

export async function benchPipeline(): Promise<string[]> {
  const work = mkdtempSync(join(tmpdir(), 'emberwatch-pipeline-bench-'));
  const lines: string[] = [];
  const load = loadavg()[0] ?? 0;
  try {
    let total = 0;
    let evaluation = '';
    for (const stage of STAGES) {
      const started = process.hrtime.bigint();
      evaluation = await run(stage.args(work));
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      total += seconds;
      lines.push(`pipeline: ${stage.name.padEnd(42)} ${seconds.toFixed(1).padStart(6)} s`);
    }
    lines.push(
      `pipeline: whole (target < 300 s)                    ${total.toFixed(1).padStart(6)} s  (load average at start ${load.toFixed(2)})`,
    );
    const h = JSON.parse(evaluation) as Headline;
    lines.push(
      `pipeline: held-out fires detected ${h.fire.detected}/${h.fire.runs}, median ${h.fire.medianTimeToAlarmS.toFixed(1)} s ` +
        `(best detector ${h.baseline.best.medianTimeToAlarmS.toFixed(1)} s); false alarms ${h.nuisance.falseAlarmRuns}/${h.nuisance.runs} nuisance runs`,
    );
    return lines;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  for (const line of await benchPipeline()) console.log(line);
}
