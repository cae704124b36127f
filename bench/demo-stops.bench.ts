import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopDemoOnce } from './demo-stop.js';

const STOPS = 10;

/**
 * Ten Ctrl-Cs of `npm start` at random moments of the first 20 s (start-up,
 * the first fire, its pages), one data folder throughout as a user's
 * ./data/demo. Target: no stack trace, no warning after the signal, no
 * process or temp file left, each stop under 5 s.
 */
export async function benchDemoStops(stops = STOPS): Promise<string[]> {
  const data = await mkdtemp(join(tmpdir(), 'emberwatch-bench-stops-'));
  const lines: string[] = [];
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
      const last = stop.stdout.trimEnd().split('\n').at(-1) ?? '';
      lines.push(
        `demo stop ${String(i + 1)}: Ctrl-C after ${(afterMs / 1000).toFixed(1)} s${stop.started ? '' : ' (still starting)'}: ` +
          `stopped in ${(stop.stopMs / 1000).toFixed(2)} s, last line "${last}"` +
          (problems.length === 0 ? ', clean' : `: ${problems.join('; ')}`),
      );
    }
  } finally {
    await rm(data, { recursive: true, force: true });
  }
  times.sort((a, b) => a - b);
  lines.push(
    `demo stops: ${String(stops - failures)}/${String(stops)} clean, stop time median ${((times[Math.floor(times.length / 2)] ?? 0) / 1000).toFixed(2)} s, max ${((times.at(-1) ?? 0) / 1000).toFixed(2)} s (target: all clean, each under 5 s)`,
  );
  return lines;
}

if (process.argv[1]?.endsWith('demo-stops.bench.js') === true) {
  for (const line of await benchDemoStops()) console.log(line);
}
