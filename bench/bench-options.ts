import { pathToFileURL } from 'node:url';
import { formatFigure, formatTable, type Figure } from './figure.js';

/** How a run was asked for: `--long` lengthens the benchmarks that sample over time. */
export interface BenchOptions {
  readonly long: boolean;
}

/** A benchmark: runs its rounds with the product's defaults and returns its figures. */
export type Bench = (options: BenchOptions) => Promise<Figure[]>;

export function benchOptionsFrom(argv: readonly string[]): BenchOptions {
  return { long: argv.includes('--long') };
}

/** True when the module at `url` is the script node was started with. */
export function isMain(url: string): boolean {
  return process.argv[1] !== undefined && url === pathToFileURL(process.argv[1]).href;
}

/** Runs one benchmark on its own (`node dist/bench/NAME.bench.js [--long]`): its lines, then its table. */
export async function runStandalone(bench: Bench): Promise<void> {
  const figures = await bench(benchOptionsFrom(process.argv.slice(2)));
  for (const f of figures) console.log(formatFigure(f));
  console.log(`\n${formatTable(figures)}`);
}
