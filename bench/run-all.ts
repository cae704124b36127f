import { benchAnomalyLatency } from './anomaly-latency.bench.js';
import { benchBrokerFlood } from './broker-flood.bench.js';
import { benchCloudLoad } from './cloud-load.bench.js';
import { benchCloudRollout } from './cloud-rollout.bench.js';
import { benchCloudStartFailures } from './cloud-start-failures.bench.js';
import { benchDecoders } from './decoders.bench.js';
import { benchDrain } from './drain.bench.js';
import { benchEdge } from './edge.bench.js';
import { formatMeasurement } from './measure.js';
import { benchMemory } from './memory.bench.js';
import { benchOutbox } from './outbox.bench.js';
import { benchPipeline } from './pipeline.bench.js';
import { benchSimulation } from './simulation.bench.js';

/** Runs every benchmark in this folder and prints one figure per line. */
console.log(`Emberwatch benchmarks: node ${process.version}, ${process.arch}`);
for (const m of benchDecoders()) console.log(formatMeasurement(m));
for (const m of benchSimulation()) console.log(formatMeasurement(m));
for (const m of await benchOutbox()) console.log(formatMeasurement(m));
for (const m of await benchEdge()) console.log(formatMeasurement(m));
for (const m of await benchDrain()) console.log(formatMeasurement(m));
for (const line of await benchAnomalyLatency()) console.log(line);
for (const line of await benchMemory()) console.log(line);
for (const line of await benchBrokerFlood()) console.log(line);
for (const line of await benchCloudLoad()) console.log(line);
for (const line of await benchCloudRollout()) console.log(line);
for (const line of await benchCloudStartFailures()) console.log(line);
for (const line of await benchPipeline()) console.log(line);
