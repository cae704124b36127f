import type { ChannelsByProtocol, ProtocolName, ThermalChannels } from '../../shared/schemas/readings.js';
import type { EnvSeries } from '../../shared/dataset/env-series.js';
import type { RunLabels } from '../../shared/dataset/run-labels.js';
import type { Scenario } from '../../shared/dataset/scenario-schema.js';
import type {
  Sample,
  ScalarProtocol,
  ScalarSeries,
  ThermalSeries,
} from '../../shared/dataset/sensor-series.js';

/** Everything one simulated run produced: what each module reported, the truth behind it, and its labels. */
export interface RunTrace {
  readonly scenario: Scenario;
  readonly duration_s: number;
  /** The true environment at the sensor, every second (plots and baselines). */
  readonly env: EnvSeries;
  readonly labels: RunLabels;
  readonly sensors: { readonly [P in ScalarProtocol]: ScalarSeries<P> } & {
    readonly mcu90640: ThermalSeries;
  };
}

/** Plays one module of a run: what it reports at any time, or undefined while it is silent. */
export interface ValueSource<P extends ProtocolName> {
  readonly protocol: P;
  /** The module's own reporting period, s. */
  readonly period_s: number;
  /**
   * The report of the slot [t_k, t_k + period) holding `tSeconds`; undefined
   * before the first report and for slots lost to a dropout or a disconnect.
   */
  valueAt(tSeconds: number): ChannelsByProtocol[P] | undefined;
}

/** Index of the last time in `times` at or before `t`, or −1. */
function lastAtOrBefore(times: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = times.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((times[mid] ?? Infinity) <= t + 1e-9) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

function scalarSource<P extends ScalarProtocol>(series: ScalarSeries<P>): ValueSource<P> {
  const times = series.samples.map((s: Sample<ChannelsByProtocol[P]>) => s.t_s);
  return {
    protocol: series.protocol,
    period_s: series.period_s,
    valueAt(t) {
      const i = lastAtOrBefore(times, t);
      const sample = series.samples[i];
      if (sample === undefined || t - sample.t_s >= series.period_s - 1e-9) return undefined;
      return sample.values;
    },
  };
}

/** Frame `i` of `series` as the channels a decoder would report. */
export function thermalFrame(series: ThermalSeries, i: number): ThermalChannels {
  const n = series.width * series.height;
  const pixels = new Array<number>(n);
  for (let p = 0; p < n; p++) pixels[p] = (series.pixels_centi[i * n + p] ?? 0) / 100;
  return {
    width: series.width,
    height: series.height,
    pixels_c: pixels,
    ambient_c: (series.ambient_centi[i] ?? 0) / 100,
  };
}

function thermalSource(series: ThermalSeries): ValueSource<'mcu90640'> {
  return {
    protocol: 'mcu90640',
    period_s: series.period_s,
    valueAt(t) {
      const i = lastAtOrBefore(series.t_s, t);
      const start = series.t_s[i];
      if (start === undefined || t - start >= series.period_s - 1e-9) return undefined;
      return thermalFrame(series, i);
    },
  };
}

/** A per-protocol adapter over `trace`, for device emulators that play a run in real time. */
export function traceValueSource<P extends ProtocolName>(trace: RunTrace, protocol: P): ValueSource<P> {
  // Each branch builds the source of exactly the protocol asked for; TypeScript cannot follow P through it.
  const sources: { [Q in ProtocolName]: () => ValueSource<Q> } = {
    pms5003: () => scalarSource(trace.sensors.pms5003),
    ze07: () => scalarSource(trace.sensors.ze07),
    mhz19b: () => scalarSource(trace.sensors.mhz19b),
    mcu680: () => scalarSource(trace.sensors.mcu680),
    mcu90640: () => thermalSource(trace.sensors.mcu90640),
  };
  return sources[protocol]();
}
