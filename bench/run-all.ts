import { loadavg } from 'node:os';
import { benchAnalysisWorkers } from './analysis-workers.bench.js';
import { benchAnomalyLatency } from './anomaly-latency.bench.js';
import { benchOptionsFrom, type Bench } from './bench-options.js';
import { benchBrokerFlood } from './broker-flood.bench.js';
import { benchCliStartup } from './cli-startup.bench.js';
import { benchCloudLoad } from './cloud-load.bench.js';
import { benchCloudRollout } from './cloud-rollout.bench.js';
import { benchCloudStartFailures } from './cloud-start-failures.bench.js';
import { benchDecoders } from './decoders.bench.js';
import { benchDemoStops } from './demo-stops.bench.js';
import { benchDrain } from './drain.bench.js';
import { benchEdge } from './edge.bench.js';
import { formatFigure, formatTable, type Figure } from './figure.js';
import { benchMemory } from './memory.bench.js';
import { benchOutage } from './outage.bench.js';
import { benchOutbox } from './outbox.bench.js';
import { benchPipeline } from './pipeline.bench.js';
import { runHeader, writeRun } from './result-file.js';
import { benchSimulation } from './simulation.bench.js';

/**
 * Every benchmark, in the order they run. Each takes its rounds with the
 * product's defaults (or says which setting it changes and why) and
 * returns its figures; a new one is one line here.
 */
const BENCHES: readonly { readonly name: string; readonly run: Bench }[] = [
  { name: 'cli-startup', run: benchCliStartup },
  { name: 'decoders', run: benchDecoders },
  { name: 'simulation', run: benchSimulation },
  { name: 'edge', run: benchEdge },
  { name: 'outbox', run: benchOutbox },
  { name: 'outage', run: benchOutage },
  { name: 'drain', run: benchDrain },
  { name: 'anomaly-latency', run: benchAnomalyLatency },
  { name: 'memory', run: benchMemory },
  { name: 'broker-flood', run: benchBrokerFlood },
  { name: 'cloud-load', run: benchCloudLoad },
  { name: 'analysis-workers', run: benchAnalysisWorkers },
  { name: 'cloud-rollout', run: benchCloudRollout },
  { name: 'cloud-start-failures', run: benchCloudStartFailures },
  { name: 'demo-stops', run: benchDemoStops },
  { name: 'pipeline', run: benchPipeline },
];

/**
 * `npm run bench [-- --long] [-- --only a,b] [-- --out FILE]`: runs the
 * benchmarks, prints each figure as it comes, then one table of goal,
 * measured and verdict, and writes every figure with the commit, the
 * machine and its load to a JSON file (bench-results/) for
 * `node dist/bench/compare.js OLD NEW`. `--long` samples the edge's memory
 * for 10 minutes in each start mode instead of 2.
 */
const args = process.argv.slice(2);
const value = (flag: string): string | undefined => {
  const i = args.indexOf(flag);
  return i === -1 ? undefined : args[i + 1];
};
const only = value('--only')?.split(',');
const unknown = only?.filter((name) => !BENCHES.some((b) => b.name === name)) ?? [];
if (unknown.length > 0) {
  console.error(
    `run-all: no benchmark ${unknown.join(', ')} (have ${BENCHES.map((b) => b.name).join(', ')})`,
  );
  process.exit(2);
}
const options = benchOptionsFrom(args);
const header = runHeader(args);
console.log(
  `Emberwatch benchmarks: ${header.commit.slice(0, 10)}${header.dirty ? ' (uncommitted changes)' : ''}, ` +
    `node ${header.node}, ${String(header.cores)} × ${header.cpu}, load average ${header.loadBefore.toFixed(2)}` +
    (options.long ? ', long' : ''),
);
const figures: Figure[] = [];
for (const bench of BENCHES) {
  if (only !== undefined && !only.includes(bench.name)) continue;
  for (const f of await bench.run(options)) {
    figures.push(f);
    console.log(formatFigure(f));
  }
}
const { loadBefore, ...rest } = header;
const path = writeRun(
  { ...rest, load: { before: loadBefore, after: loadavg()[0] ?? 0 }, figures },
  value('--out'),
);
console.log(
  `\n${formatTable(figures)}\n\nload average ${loadBefore.toFixed(2)} at start, ${(loadavg()[0] ?? 0).toFixed(2)} at the end; figures in ${path}`,
);
