import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_NAMES } from '../shared/features/feature-set.js';
import { loadModelDir } from '../shared/model/model-dir.js';
import { CLI, jsonLines, runCli } from './helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'emberwatch-train-'));
const data = join(dir, 'data');

/** Runs the command line on a real pseudo-terminal (util-linux `script`), as a person at a terminal would; all it printed. */
function runOnTerminal(args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  const quote = (word: string): string => `'${word.replaceAll("'", "'\\''")}'`;
  const command = [process.execPath, CLI, ...args].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, COLUMNS: '100' };
    delete env['EMBERWATCH_LOG_LEVEL'];
    const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** A small, quick training of the shared dataset into `out` on `workers` threads. */
function trainArgs(out: string, workers: number): string[] {
  return [
    'train',
    '--data',
    data,
    '--out',
    out,
    '--trials',
    '2',
    '--trees',
    '20',
    '--folds',
    '2',
    '--workers',
    String(workers),
  ];
}

describe('emberwatch train', () => {
  beforeAll(async () => {
    const generated = await runCli(
      [
        'generate',
        '--out',
        data,
        '--runs',
        '12',
        '--seed',
        '5',
        '--duration',
        '300',
        '--thermal-hz',
        '1',
        '--workers',
        '2',
        '--mix',
        'fire=0.5,nuisance=0.5',
      ],
      undefined,
      120_000,
    );
    expect(generated.code).toBe(0);
  }, 150_000);

  it('trains from the dataset, writes a model the ONNX runtime loads and verifies, with its experiments', async () => {
    const out = join(dir, 'model');
    const result = await runCli(trainArgs(out, 2), undefined, 150_000);
    expect(result.code).toBe(0);
    const summary = jsonLines(result.stdout)[0] as { version: string; metrics: Record<string, number> };
    expect(summary.version).toMatch(/^gbdt-[0-9a-f]{12}$/);
    expect(summary.metrics['trainingRuns']).toBe(12);
    const model = await loadModelDir(out);
    try {
      expect(model.manifest.featureNames).toEqual(FEATURE_NAMES);
      expect(model.manifest.referenceInputs.length).toBeGreaterThan(0);
      const p = await model.predict([new Float32Array(FEATURE_NAMES.length).fill(Number.NaN)]);
      expect(p[0]).toBeGreaterThanOrEqual(0);
      expect(p[0]).toBeLessThanOrEqual(1);
      const { high, medium } = model.manifest.alarm;
      expect(high.threshold).toBeGreaterThan(medium.threshold);
    } finally {
      await model.close();
    }
    const experiments = JSON.parse(readFileSync(join(out, 'experiments.json'), 'utf8')) as unknown[];
    expect(experiments.length).toBeGreaterThanOrEqual(2);
    // Not a terminal: JSON logs, one per trial, and no bar.
    expect(result.stderr).toContain('"msg":"trial"');
    expect(result.stderr).not.toContain('train [');
  }, 150_000);

  it('shows a progress bar on a terminal, up to 100 % and the final fit, instead of a log line per trial', async () => {
    const result = await runOnTerminal(trainArgs(join(dir, 'model-tty'), 2), 150_000);
    expect(result.code).toBe(0);
    const bars = result.output.match(/train \[[^\]]*\] \d+% (search|final fit)/g) ?? [];
    expect(bars.length).toBeGreaterThan(0);
    expect(bars.at(-1)).toMatch(/ 100% final fit$/);
    expect(result.output).not.toMatch(/\btrial\b/);
    expect(result.output).toMatch(/"version":"gbdt-[0-9a-f]{12}"/);
  }, 150_000);

  it('gives the same model for the same data and seed, in one thread as on workers', async () => {
    const again = join(dir, 'model-again');
    const result = await runCli(trainArgs(again, 0), undefined, 150_000);
    expect(result.code).toBe(0);
    expect(readFileSync(join(again, 'model.onnx'))).toEqual(readFileSync(join(dir, 'model', 'model.onnx')));
  }, 150_000);

  it('refuses a missing --out and a dataset with no runs with one line', async () => {
    const missing = await runCli(['train', '--data', data]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--out/);
    const empty = await runCli(['train', '--data', join(dir, 'nothing'), '--out', join(dir, 'x')]);
    expect(empty.code).not.toBe(0);
    expect(
      empty.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('emberwatch')),
    ).toHaveLength(1);
  });
});
