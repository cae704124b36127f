import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isMain, runStandalone, type BenchOptions } from './bench-options.js';
import { figure, type Figure } from './figure.js';
import { pairedRatios, spread } from './stats.js';

/**
 * Start-up of the command line as a user meets it: whole processes, wall
 * time from spawn to exit, each command run in turn with `node -e 0` (the
 * floor no Node program goes under) so every ratio is taken pair by pair.
 * `emberwatch --help` and `edge --help` load no command (cli/help/);
 * `decode` on an empty input loads its command and runs it: a command's
 * own start-up. The edge agent's start-up to ready is in memory.bench.ts,
 * which starts the real `emberwatch edge`.
 */
const CLI = fileURLToPath(new URL('../../bin/emberwatch.js', import.meta.url));
const ROUNDS = 10;

const COMMANDS: readonly {
  readonly name: string;
  readonly args: readonly string[];
  readonly goal?: number;
}[] = [
  { name: 'emberwatch --help', args: ['--help'], goal: 3 },
  { name: 'emberwatch edge --help', args: ['edge', '--help'], goal: 3 },
  { name: 'emberwatch decode (empty input)', args: ['decode', '--protocol', 'pms5003', '--in', '/dev/null'] },
];

/** Wall seconds of one whole process. */
function wallOf(args: readonly string[]): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, {
    stdio: ['ignore', 'ignore', 'ignore'],
    timeout: 30_000,
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0)
    throw new Error(`cli-startup bench: ${args.join(' ')} exited ${String(result.status)}`);
  return wall;
}

export function benchCliStartup(_options?: BenchOptions): Promise<Figure[]> {
  const figures: Figure[] = [];
  const bare: number[] = [];
  for (const command of COMMANDS) {
    wallOf([CLI, ...command.args]); // warm the file cache
    const ours: number[] = [];
    const node: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      ours.push(wallOf([CLI, ...command.args]));
      node.push(wallOf(['-e', '0']));
    }
    bare.push(...node);
    figures.push(
      figure('cli-startup', {
        name: command.name,
        unit: 'ms',
        values: ours.map((s) => s * 1000),
        note: `node -e 0 in the same pairs: ${spread(node.map((s) => s * 1000)).median.toFixed(0)} ms`,
      }),
      {
        ...pairedRatios(ours, node),
        bench: 'cli-startup',
        name: `${command.name} / node -e 0 (paired rounds)`,
        unit: '×',
        ...(command.goal === undefined ? {} : { goal: { op: '<=' as const, value: command.goal } }),
      },
    );
  }
  figures.push(figure('cli-startup', { name: 'node -e 0', unit: 'ms', values: bare.map((s) => s * 1000) }));
  return Promise.resolve(figures);
}

if (isMain(import.meta.url)) await runStandalone(benchCliStartup);
