import type { ProtocolName } from '../../shared/schemas/readings.js';
import type { ValueSource } from '../devices/value-source.js';
import type { RunTrace } from '../../shared/dataset/run-trace.js';
import { traceValueSource } from '../../shared/dataset/run-trace.js';

/**
 * One module of `trace` as a device emulator's value source. The trace's own
 * source already says what the module reported in each slot; this adds that
 * the module is silent before the run starts and after it ends, so a
 * playback never repeats the last report forever.
 */
export function playbackSource<P extends ProtocolName>(trace: RunTrace, protocol: P): ValueSource<P> {
  const source = traceValueSource(trace, protocol);
  return {
    valueAt: (tSeconds) =>
      tSeconds < 0 || tSeconds > trace.duration_s ? undefined : source.valueAt(tSeconds),
  };
}
