import type { ProtocolName, Reading } from '../schemas/readings.js';
import { CHANNELS, FEATURES } from './feature-set.js';
import { impossibleParticleCounts, RateGate } from './plausibility.js';
import { ThermalStatsComputer, type ThermalStats } from './thermal-stats.js';

/** How long a module's last value stays usable before the channel counts as missing. */
export const STALE_AFTER_MS: Readonly<Record<ProtocolName, number>> = {
  pms5003: 5_000,
  ze07: 5_000,
  mhz19b: 15_000,
  mcu680: 5_000,
  mcu90640: 5_000,
};

/** The fastest a real scene's median temperature changes, °C/s; a saturated frame jumps far faster. */
const THERMAL_MEDIAN_MAX_RATE_PER_S = 50;
/** The top of the camera's range, °C: a frame whose median sits there is saturated. */
const THERMAL_FULL_SCALE_C = 300;

/** Time constant of the slowly learned baseline each deviation is measured against. */
export const BASELINE_TAU_S = 600;
const LONG_SLOPE_S = 300;
const HISTORY_S = LONG_SLOPE_S + 1;
const CHANNEL_INDEX = new Map(CHANNELS.map((c, i) => [c.name, i]));

interface ChannelState {
  latest: number;
  /** The newest plausible value in the module's own unit (not log-scaled); NaN after an implausible one. */
  latestRaw: number;
  latestTs: number;
  readonly history: Float64Array;
  baseline: number;
  baselineSamples: number;
  /** The channel's rate check, when its module has a physical limit; a faulty output reads as missing. */
  readonly gate: RateGate | undefined;
  /** The first step the channel had a value; -1 until then. */
  firstStep: number;
}

/**
 * The one feature implementation, used online by the edge agent and offline
 * by training and evaluation. Feed readings in time order with {@link push};
 * call {@link step} once per second of the same clock. The same sequence of
 * calls gives the same vectors wherever it runs.
 */
export class FeatureExtractor {
  readonly #channels: ChannelState[] = CHANNELS.map((channel) => ({
    latest: Number.NaN,
    latestRaw: Number.NaN,
    latestTs: -Infinity,
    history: new Float64Array(HISTORY_S).fill(Number.NaN),
    baseline: Number.NaN,
    baselineSamples: 0,
    gate:
      channel.gate === undefined ? undefined : new RateGate(channel.gate.maxRatePerS, channel.gate.fullScale),
    firstStep: -1,
  }));
  /** A whole thermal frame is a fault when its median jumps: a saturated camera reads the same everywhere. */
  readonly #frameGate = new RateGate(THERMAL_MEDIAN_MAX_RATE_PER_S, THERMAL_FULL_SCALE_C);
  readonly #centroids = new Float64Array(2 * HISTORY_S).fill(Number.NaN);
  readonly #thermal = new ThermalStatsComputer();
  #lastThermal: ThermalStats | undefined;
  #lastThermalTs = -Infinity;
  #steps = 0;

  /**
   * Takes one reading; thermal frames are reduced to their hotspot
   * statistics here. Returns false when the reading is physically
   * implausible (a faulty module): its channels then count as missing.
   */
  push(reading: Reading): boolean {
    let thermal: ThermalStats | undefined;
    let faultyFrame = reading.protocol === 'pms5003' && impossibleParticleCounts(reading);
    if (reading.protocol === 'mcu90640') {
      const stats = this.#thermal.compute(reading.pixels_c, reading.width);
      faultyFrame = !this.#frameGate.accept(stats.medianC, reading.ts);
      thermal = faultyFrame ? undefined : stats;
      this.#lastThermal = thermal;
      this.#lastThermalTs = reading.ts;
    }
    let plausibleReading = !faultyFrame;
    CHANNELS.forEach((channel, i) => {
      if (channel.protocol !== reading.protocol) return;
      const raw = faultyFrame ? Number.NaN : channel.pick(reading, thermal);
      const state = this.#channels[i];
      if (state === undefined || (!faultyFrame && !Number.isFinite(raw))) return;
      state.latestTs = reading.ts;
      const plausible = !faultyFrame && (state.gate?.accept(raw, reading.ts) ?? true);
      if (!plausible) plausibleReading = false;
      state.latest = !plausible ? Number.NaN : channel.log ? Math.log1p(Math.max(0, raw)) : raw;
      state.latestRaw = plausible ? raw : Number.NaN;
    });
    return plausibleReading;
  }

  /**
   * The newest plausible, fresh value of a channel at `nowMs` in the module's
   * own unit (°C, ppm, …), or NaN when the channel is missing, stale or
   * faulty: what the floors under the model read.
   */
  raw(name: string, nowMs: number): number {
    const i = CHANNEL_INDEX.get(name);
    const channel = i === undefined ? undefined : CHANNELS[i];
    const state = i === undefined ? undefined : this.#channels[i];
    if (channel === undefined || state === undefined) return Number.NaN;
    return nowMs - state.latestTs <= STALE_AFTER_MS[channel.protocol] ? state.latestRaw : Number.NaN;
  }

  /** Flame-hot pixels of the newest plausible thermal frame at `nowMs`; NaN without a fresh one. */
  flamePixels(nowMs: number): number {
    const fresh = nowMs - this.#lastThermalTs <= STALE_AFTER_MS.mcu90640;
    return fresh ? (this.#lastThermal?.flamePixels ?? Number.NaN) : Number.NaN;
  }

  /** Samples every channel at `nowMs` and returns the feature vector (NaN = missing). */
  step(nowMs: number): Float32Array {
    const slot = this.#steps % HISTORY_S;
    const out = new Float32Array(FEATURES.length);
    let k = 0;
    const levels: number[] = [];
    CHANNELS.forEach((channel, i) => {
      const state = this.#channels[i];
      if (state === undefined) return;
      const fresh = nowMs - state.latestTs <= STALE_AFTER_MS[channel.protocol];
      const level = fresh ? state.latest : Number.NaN;
      state.history[slot] = level;
      levels.push(level);
      out[k++] = level;
      out[k++] = level - state.baseline;
      out[k++] = this.#slope(state.history, 10);
      out[k++] = this.#slope(state.history, 60);
      if (state.firstStep < 0 && Number.isFinite(level)) state.firstStep = this.#steps;
      out[k++] = this.#longSlope(state);
      if (Number.isFinite(level)) {
        state.baselineSamples++;
        state.baseline = Number.isFinite(state.baseline)
          ? state.baseline +
            Math.max(1 / state.baselineSamples, 1 / BASELINE_TAU_S) * (level - state.baseline)
          : level;
      }
    });
    const level = (name: string): number => levels[CHANNEL_INDEX.get(name) ?? -1] ?? Number.NaN;
    out[k++] = level('pm10') - level('pm25');
    out[k++] = level('pm1') - level('pm25');
    out[k++] = level('n0_5') - level('n0_3');
    out[k++] = level('n1_0') - level('n0_5');
    out[k++] = Math.log1p(Math.max(0, level('co'))) - level('pm25');
    out[k++] = this.#centroidMotion(nowMs, slot);
    out[k++] = level('tmax') - level('temp');
    this.#steps++;
    return out;
  }

  /**
   * Slope over the last 300 s; in a channel's first five minutes, over all
   * the history it has (at least 60 s), so a fire soon after start has one.
   */
  #longSlope(state: ChannelState): number {
    const span = Math.min(LONG_SLOPE_S, this.#steps - state.firstStep);
    return state.firstStep < 0 || span < 60 ? Number.NaN : this.#slope(state.history, span);
  }

  #slope(history: Float64Array, seconds: number): number {
    if (this.#steps < seconds) return Number.NaN;
    const now = history[this.#steps % HISTORY_S] ?? Number.NaN;
    const then = history[(this.#steps - seconds) % HISTORY_S] ?? Number.NaN;
    return (now - then) / seconds;
  }

  /** Distance the hotspot centroid moved over the last 10 s, in pixels: people move, fires stay. */
  #centroidMotion(nowMs: number, slot: number): number {
    const fresh = nowMs - this.#lastThermalTs <= STALE_AFTER_MS.mcu90640 && this.#lastThermal !== undefined;
    this.#centroids[2 * slot] = fresh ? (this.#lastThermal?.centroidX ?? Number.NaN) : Number.NaN;
    this.#centroids[2 * slot + 1] = fresh ? (this.#lastThermal?.centroidY ?? Number.NaN) : Number.NaN;
    if (!fresh) return Number.NaN;
    if (this.#lastThermal?.hotPixels === 0) return 0;
    if (this.#steps < 10) return Number.NaN;
    const then = (this.#steps - 10) % HISTORY_S;
    const dx = (this.#centroids[2 * slot] ?? Number.NaN) - (this.#centroids[2 * then] ?? Number.NaN);
    const dy = (this.#centroids[2 * slot + 1] ?? Number.NaN) - (this.#centroids[2 * then + 1] ?? Number.NaN);
    const distance = Math.hypot(dx, dy);
    // A hotspot that just appeared has no earlier position: it has not moved yet.
    return Number.isNaN(distance) ? 0 : distance;
  }
}
