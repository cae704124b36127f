import type { AlarmPolicy } from '../../shared/alarm/alarm-policy.js';
import { DEFAULT_ALARM_POLICY } from '../../shared/alarm/alarm-policy.js';

/** One run's probability trace as a model that never saw it would give it. */
export interface CalibrationTrace {
  readonly runId?: string;
  readonly fireRun: boolean;
  /** Seconds from the run's start; null without a fire. */
  readonly ignitionS: number | null;
  readonly t: ArrayLike<number>;
  readonly p: ArrayLike<number>;
}

/**
 * The highest level a trace holds for `steps` consecutive steps: what an
 * alarm with that persistence would see as the probability's plateau.
 */
export function persistentPeak(p: ArrayLike<number>, steps: number, from = 0, to = p.length): number {
  let peak = 0;
  for (let i = from; i + steps <= to; i++) {
    let low = Infinity;
    for (let k = 0; k < steps; k++) low = Math.min(low, p[i + k] ?? 0);
    if (low > peak) peak = low;
  }
  return peak;
}

/** The highest mean over `steps` consecutive steps in [from, to): what the sustained rule sees at its peak. */
export function movingMeanPeak(p: ArrayLike<number>, steps: number, from = 0, to = p.length): number {
  let sum = 0;
  let peak = 0;
  for (let i = from; i < to; i++) {
    sum += p[i] ?? 0;
    if (i - from >= steps) sum -= p[i - steps] ?? 0;
    if (i - from + 1 >= steps) peak = Math.max(peak, sum / steps);
  }
  return peak;
}

/** Steps (seconds) over which the sustained high rule averages the probability. */
export const SUSTAINED_STEPS = 60;

export interface Calibration {
  readonly policy: AlarmPolicy;
  /** The highest persistent probability any quiet stretch reached: the high threshold sits above it. */
  readonly quietPeak: number;
  /** The same over {@link SUSTAINED_STEPS}: the sustained high rule's threshold is set from it. */
  readonly quietSustainedPeak: number;
  /** The runs whose quiet stretches set those peaks, when the traces name their runs. */
  readonly quietPeakRun: string | undefined;
  readonly quietSustainedPeakRun: string | undefined;
  readonly margin: number;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/**
 * Sets the alarm thresholds from out-of-fold traces: high just above the
 * highest plateau any run without a fire reached (and any fire run before
 * its ignition), so none of them would have alarmed, but never above 0.98
 * (a fire must be able to reach it; when a quiet plateau sits higher, the
 * cap wins and that stretch would have alarmed); medium where at most a
 * fifth of quiet runs would give a heads-up; low at half of medium. The
 * sustained high rule sits just above the highest mean any quiet stretch
 * kept over {@link SUSTAINED_STEPS}, and at least at medium; it is left out
 * when that would not be below high.
 */
export function calibrateAlarmPolicy(traces: readonly CalibrationTrace[], margin = 0.04): Calibration {
  const base = DEFAULT_ALARM_POLICY;
  const quietEnds = traces.map((trace) => {
    if (!trace.fireRun || trace.ignitionS === null) return trace.p.length;
    let end = 0;
    while (end < trace.t.length && (trace.t[end] ?? Infinity) < trace.ignitionS) end++;
    return end;
  });
  const quietPeaks = traces.map((trace, i) => persistentPeak(trace.p, base.high.raiseAfter, 0, quietEnds[i]));
  const quietPeak = Math.max(0, ...quietPeaks);
  const sustainedPeaks = traces.map((trace, i) => movingMeanPeak(trace.p, SUSTAINED_STEPS, 0, quietEnds[i]));
  const high = Math.min(0.98, Math.max(0.5, quietPeak + margin));
  const sorted = [...quietPeaks].sort((a, b) => a - b);
  const medium = Math.min(high - 0.05, Math.max(0.2, quantile(sorted, 0.8) + margin));
  const low = Math.max(0.05, medium / 2);
  // The sustained rule: just above the highest mean any quiet stretch kept over the whole window.
  const quietSustainedPeak = Math.max(0, ...sustainedPeaks);
  const runOf = (peaks: readonly number[], peak: number): string | undefined =>
    traces[peaks.indexOf(peak)]?.runId;
  const sustained = round(Math.max(medium, quietSustainedPeak + margin));
  return {
    quietPeak,
    quietSustainedPeak,
    quietPeakRun: runOf(quietPeaks, quietPeak),
    quietSustainedPeakRun: runOf(sustainedPeaks, quietSustainedPeak),
    margin,
    policy: {
      ...base,
      low: { ...base.low, threshold: round(low) },
      medium: { ...base.medium, threshold: round(medium) },
      high: { ...base.high, threshold: round(high) },
      ...(sustained < round(high)
        ? { sustainedHigh: { threshold: sustained, raiseAfter: SUSTAINED_STEPS } }
        : {}),
      hysteresis: Math.min(base.hysteresis, round(low / 2)),
    },
  };
}

const round = (x: number): number => Math.round(x * 1000) / 1000;
