import { benchDecoders } from './decoders.bench.js';
import { formatMeasurement } from './measure.js';

/** Runs every benchmark in this folder and prints one figure per line. */
console.log(`Emberwatch benchmarks: node ${process.version}, ${process.arch}, one core each`);
for (const m of benchDecoders()) console.log(formatMeasurement(m));
