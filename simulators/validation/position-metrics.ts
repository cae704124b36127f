/**
 * What is compared between a real test and its simulation at one position:
 * when smoke arrived, when the ceiling temperature had risen by 2, 5 and 10
 * °C, how far it had risen a minute, two and three minutes after ignition,
 * and how far CO₂ rose. Both sides are series on the test's own clock.
 */
export interface Series {
  readonly t: readonly number[];
  /** Ceiling temperature, °C. */
  readonly tempC: readonly number[];
  /** Smoke as the replay CSVs give it: soot-equivalent µg/m³, capped at 1000 (NaN where not measured). */
  readonly smokeUgm3: readonly number[];
  /** CO₂, ppm (NaN where not measured). */
  readonly co2Ppm: readonly number[];
}

export interface PositionMetrics {
  /** First time the smoke stood at the 1000 µg/m³ cap for most of the next 10 s. */
  readonly smokeArrivalS: number | null;
  readonly rise2S: number | null;
  readonly rise5S: number | null;
  readonly rise10S: number | null;
  /** Temperature rise over the pre-ignition level 60, 120 and 180 s after ignition (null past the end). */
  readonly riseAt60: number | null;
  readonly riseAt120: number | null;
  readonly riseAt180: number | null;
  /** CO₂ rise from before ignition to the end of the record; null where not measured. */
  readonly co2RiseEndPpm: number | null;
}

const SMOKE_FULL_UGM3 = 1000;

function firstTime(s: Series, from: number, test: (i: number) => boolean): number | null {
  for (let i = 0; i < s.t.length; i++) if ((s.t[i] ?? -Infinity) >= from && test(i)) return s.t[i] ?? null;
  return null;
}

function valueAt(t: readonly number[], v: readonly number[], at: number): number | null {
  if (t.length === 0 || at > (t.at(-1) ?? -Infinity)) return null;
  let best = 0;
  for (let i = 0; i < t.length; i++) if (Math.abs((t[i] ?? 0) - at) < Math.abs((t[best] ?? 0) - at)) best = i;
  return v[best] ?? null;
}

/** The metrics of `s`, with ignition at `ignitionS` on its clock. */
export function positionMetrics(s: Series, ignitionS: number): PositionMetrics {
  const before = s.t.map((t, i) => (t <= ignitionS ? (s.tempC[i] ?? NaN) : NaN)).filter(Number.isFinite);
  const base = before.length > 0 ? before.reduce((a, b) => a + b, 0) / before.length : (s.tempC[0] ?? 0);
  const rise = (i: number): number => (s.tempC[i] ?? base) - base;
  const smokeFull = (i: number): boolean => {
    const t0 = s.t[i] ?? 0;
    let full = 0;
    let all = 0;
    for (let k = i; k < s.t.length && (s.t[k] ?? Infinity) <= t0 + 10; k++) {
      all++;
      if ((s.smokeUgm3[k] ?? 0) >= SMOKE_FULL_UGM3 * 0.999) full++;
    }
    return all > 0 && full / all > 0.5;
  };
  const riseAt = (after: number): number | null => {
    const v = valueAt(s.t, s.tempC, ignitionS + after);
    return v === null ? null : v - base;
  };
  const co2 = s.co2Ppm.filter(Number.isFinite);
  const co2Before = s.t.map((t, i) => (t <= ignitionS ? (s.co2Ppm[i] ?? NaN) : NaN)).filter(Number.isFinite);
  const co2Base = co2Before.length > 0 ? co2Before.reduce((a, b) => a + b, 0) / co2Before.length : co2[0];
  const co2End = co2.slice(-3);
  return {
    smokeArrivalS: firstTime(s, ignitionS - 30, smokeFull),
    rise2S: firstTime(s, ignitionS, (i) => rise(i) >= 2),
    rise5S: firstTime(s, ignitionS, (i) => rise(i) >= 5),
    rise10S: firstTime(s, ignitionS, (i) => rise(i) >= 10),
    riseAt60: riseAt(60),
    riseAt120: riseAt(120),
    riseAt180: riseAt(180),
    co2RiseEndPpm:
      co2.length === 0 || co2Base === undefined
        ? null
        : co2End.reduce((a, b) => a + b, 0) / co2End.length - co2Base,
  };
}
