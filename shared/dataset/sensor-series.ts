import type { ChannelsByProtocol, ProtocolName } from '../../shared/schemas/readings.js';

/** What a dataset stores of each module over a run: its reports at its own period. */

/** Protocols whose frames carry a handful of numbers (everything but the thermal camera). */
export type ScalarProtocol = Exclude<ProtocolName, 'mcu90640'>;

/** One reported frame: when, and what it carried. */
export interface Sample<V> {
  readonly t_s: number;
  readonly values: V;
}

/** A module's reports over a run, at its own period. Missing slots are dropouts or a disconnect. */
export interface ScalarSeries<P extends ScalarProtocol> {
  readonly protocol: P;
  readonly period_s: number;
  readonly samples: readonly Sample<ChannelsByProtocol[P]>[];
}

/** Frames stored compactly: frame k occupies pixels_centi[k·768 … k·768+767]. */
export interface ThermalSeries {
  readonly protocol: 'mcu90640';
  readonly period_s: number;
  readonly width: number;
  readonly height: number;
  readonly t_s: Float64Array;
  /** Row-major pixels, °C × 100, already clipped to −40…300 °C. */
  readonly pixels_centi: Int16Array;
  /** Die temperature per frame, °C × 100. */
  readonly ambient_centi: Int16Array;
}
