import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMain, runStandalone, type BenchOptions } from './bench-options.js';
import { stopDemoOnce } from './demo-stop.js';
import { figure, type Figure } from './figure.js';

const STOPS = 10;

/**
 * Ten Ctrl-Cs of `npm start` at random moments of the first 20 s (start-up,
 * the first fire, its pages), one data folder throughout as a user's
 * ./data/demo. Target: no stack trace, no warning after the signal, no
 * process or temp file left, each stop under 5 s.
 */
export async function benchDemoStops(_options?: BenchOptions, stops = STOPS): Promise<Figure[]> {
  const data = await mkdtemp(join(tmpdir(), 'emberwatch-bench-stops-'));
  const problemsSeen: string[] = [];
  const times: number[] = [];
  let failures = 0;
  try {
    for (let i = 0; i < stops; i++) {
      const afterMs = Math.round(500 + Math.random() * 19_500);
      const stop = await stopDemoOnce({ dataDir: join(data, 'demo'), afterMs, via: 'npm' });
      times.push(stop.stopMs);
      const problems = [
        ...stop.stackLines.map((l) => `stack: ${l.trim()}`),
        ...stop.warningsAfterSignal.map((l) => `warning: ${l.slice(0, 160)}`),
        ...stop.leftoverProcesses.map((p) => `left running: ${p}`),
        ...stop.leftoverTemp.map((f) => `left in temp: ${f}`),
        ...(stop.stopMs >= 5000 ? ['over 5 s'] : []),
      ];
      if (problems.length > 0) failures++;
      problemsSeen.push(...problems);
      const last = stop.stdout.trimEnd().split('\n').at(-1) ?? '';
      // Each stop as it happens: the figures below are what the table keeps.
      console.log(
        `demo stop ${String(i + 1)}: Ctrl-C after ${(afterMs / 1000).toFixed(1)} s${stop.started ? '' : ' (still starting)'}: ` +
          `stopped in ${(stop.stopMs / 1000).toFixed(2)} s, last line "${last}"` +
          (problems.length === 0 ? ', clean' : `: ${problems.join('; ')}`),
      );
    }
  } finally {
    await rm(data, { recursive: true, force: true });
  }
  return [
    figure('demo-stops', {
      name: 'npm start, Ctrl-C at a random moment: signal → exit',
      unit: 's',
      values: times.map((ms) => ms / 1000),
      goal: { op: '<=', value: 5 },
      note: `${String(stops)} stops in the first 20 s`,
    }),
    figure('demo-stops', {
      name: 'npm start, stops with a stack trace, a warning or anything left behind',
      unit: 'stops',
      values: failures,
      goal: { op: '<=', value: 0 },
      note: problemsSeen.length === 0 ? 'all clean' : problemsSeen.slice(0, 3).join('; '),
    }),
  ];
}

if (isMain(import.meta.url)) await runStandalone(benchDemoStops);
