/**
 * The logic of the conventional detectors Emberwatch must never be worse
 * than, written once: the labels of synthetic runs apply it to the true
 * environment, and the edge applies it to what its modules read, as the
 * floor under the model. Each detector takes one sample at a time (time in
 * seconds, value in the channel's unit); NaN is a missing sample.
 */

/** Fixed-temperature heat detector, °C (135 °F; UL 521, EN 54-5 class A1 alarms at 54–65 °C). */
export const FIXED_HEAT_ALARM_C = 57;
/** Rate-of-rise heat detector: 8.3 °C (15 °F) per minute, measured over a minute. */
export const RATE_OF_RISE_C_PER_MIN = 8.3;
export const RATE_OF_RISE_WINDOW_S = 60;
/**
 * UL 2034 CO alarm as a dose bucket: it fills at (C − 40 ppm) per minute and
 * drains below 40 ppm; the alarm sounds at 3600 ppm·min. That gives 70 ppm →
 * 120 min (window 60–240), 150 ppm → 33 min (10–50), 400 ppm → 10 min (4–15),
 * and 30 ppm never, as the standard requires.
 */
export const CO_DOSE_FLOOR_PPM = 40;
export const CO_DOSE_ALARM_PPM_MIN = 3600;
/** Photoelectric smoke alarm threshold, %/m (NIST measured home alarms at 5.1 ± 1 %/m). */
export const SMOKE_ALARM_OBSCURATION_PCT_M = 5;

/** Whether a fixed-temperature detector at `tempC` is in alarm. */
export function fixedHeatAlarm(tempC: number): boolean {
  return tempC >= FIXED_HEAT_ALARM_C;
}

/**
 * A rate-of-rise heat detector: in alarm while the temperature stands at
 * least 8.3 °C above where it was a minute ago. Before a minute of history
 * it compares with the oldest sample it has, as if the room had been steady
 * before, so a recording that starts just before a fire is judged too.
 * `windowS` judges the same rate over a shorter span (the floor also uses
 * half a minute); the conventional detector is the one-minute default.
 */
export class RateOfRiseDetector {
  readonly #windowS: number;
  readonly #t: number[] = [];
  readonly #v: number[] = [];
  #head = 0;

  constructor(windowS: number = RATE_OF_RISE_WINDOW_S) {
    this.#windowS = windowS;
  }

  update(tS: number, tempC: number): boolean {
    if (!Number.isFinite(tempC)) return false;
    this.#t.push(tS);
    this.#v.push(tempC);
    // Keep the newest sample at or before the window's start: the value "a minute ago".
    while (this.#head + 1 < this.#t.length && (this.#t[this.#head + 1] ?? Infinity) <= tS - this.#windowS)
      this.#head++;
    if (this.#head > 256) {
      this.#t.splice(0, this.#head);
      this.#v.splice(0, this.#head);
      this.#head = 0;
    }
    const then = this.#v[this.#head] ?? tempC;
    return tempC - then >= RATE_OF_RISE_C_PER_MIN * (this.#windowS / 60);
  }
}

/**
 * A UL 2034 CO alarm as a dose bucket ({@link CO_DOSE_ALARM_PPM_MIN}). A
 * missing sample neither fills nor drains it; by default a gap longer than
 * ten seconds counts as ten, so a module that comes back after an outage
 * cannot fill it with one reading. Each sample counts for the time since
 * the one before.
 */
export class CoDoseDetector {
  readonly #maxGapS: number;
  #dose = 0;
  #lastT = Number.NaN;

  /** `maxGapS`: the longest gap between samples that counts in full (a coarse true series has none). */
  constructor(maxGapS = 10) {
    this.#maxGapS = maxGapS;
  }

  update(tS: number, coPpm: number): boolean {
    const dt = Number.isFinite(this.#lastT) ? Math.min(this.#maxGapS, Math.max(0, tS - this.#lastT)) : 0;
    this.#lastT = tS;
    if (Number.isFinite(coPpm)) {
      this.#dose = Math.max(0, this.#dose + ((coPpm - CO_DOSE_FLOOR_PPM) * dt) / 60);
    }
    return this.#dose >= CO_DOSE_ALARM_PPM_MIN;
  }

  /** ppm·min in the bucket. */
  get dose(): number {
    return this.#dose;
  }
}
