import { CoDoseDetector, fixedHeatAlarm, RateOfRiseDetector } from './conventional-detectors.js';
import { FlameGrowthDetector } from './flame-growth.js';

/** The floors under the model: what a listed heat or CO detector, or the camera judged like one, would do. */
export const FLOORS = ['heat-fixed', 'heat-rate-of-rise', 'co-dose', 'flame-growth'] as const;
export type FloorName = (typeof FLOORS)[number];

/** One bit per floor, in {@link FLOORS} order. */
export type FloorMask = number;

export const floorBit = (name: FloorName): FloorMask => 1 << FLOORS.indexOf(name);

/** The floors set in `mask`, in {@link FLOORS} order. */
export function floorNames(mask: FloorMask): FloorName[] {
  return FLOORS.filter((name) => (mask & floorBit(name)) !== 0);
}

/** What the floors read at one step: the newest plausible value of each channel, NaN when missing. */
export interface FloorInputs {
  readonly tempC: number;
  readonly coPpm: number;
  /** Pixels of the newest thermal frame at a flame's temperature. */
  readonly flamePixels: number;
}

/** Steps a fixed-heat reading must hold, so one odd sample cannot sound it. */
const FIXED_HEAT_CONFIRM_STEPS = 2;
/**
 * The rate of rise judged over half a minute as well as a minute. A
 * listed rate-of-rise detector responds to the rate itself (its vent lets
 * a slow drift pass and closes on a fast one), so a rise that starts
 * steeply sounds it well inside the minute our one-minute difference
 * waits. Half a minute at 8.3 °C/min is 4.15 °C, far above what a door,
 * a person or the sun does to ceiling air in that time; it must hold for
 * a few steps, so one odd sample cannot sound it.
 */
export const SHORT_RATE_OF_RISE_WINDOW_S = 30;
const SHORT_RATE_OF_RISE_CONFIRM_STEPS = 3;
/**
 * Seconds a floor keeps standing after its condition last held: a sounding
 * detector keeps sounding until the room has been quiet for a while, and a
 * rate-of-rise that eases as a fire levels off must not drop the alarm.
 */
export const FLOOR_HOLD_S = 120;

/**
 * The conventional detectors' logic on a device's own channels, one step a
 * second. Each floor raises a high by itself: the model may alarm earlier
 * and give heads-ups, but never holds back what the floor raises. Smoke has
 * no floor: a particle counter is at full scale in light smoke, from a fire
 * or from toast, so it is evidence the model weighs, not an alarm.
 */
export class FloorMonitor {
  readonly #rateOfRise = new RateOfRiseDetector();
  readonly #shortRateOfRise = new RateOfRiseDetector(SHORT_RATE_OF_RISE_WINDOW_S);
  #shortRateOfRiseSteps = 0;
  readonly #coDose = new CoDoseDetector();
  readonly #flame = new FlameGrowthDetector();
  readonly #lastHeld = new Map<FloorName, number>();
  #fixedHeatSteps = 0;

  /** Takes one step; returns the floors standing now. */
  step(tS: number, inputs: FloorInputs): FloorMask {
    this.#fixedHeatSteps = fixedHeatAlarm(inputs.tempC) ? this.#fixedHeatSteps + 1 : 0;
    const shortRise = this.#shortRateOfRise.update(tS, inputs.tempC);
    this.#shortRateOfRiseSteps = shortRise ? this.#shortRateOfRiseSteps + 1 : 0;
    const minuteRise = this.#rateOfRise.update(tS, inputs.tempC);
    const now: Record<FloorName, boolean> = {
      'heat-fixed': this.#fixedHeatSteps >= FIXED_HEAT_CONFIRM_STEPS,
      'heat-rate-of-rise': minuteRise || this.#shortRateOfRiseSteps >= SHORT_RATE_OF_RISE_CONFIRM_STEPS,
      'co-dose': this.#coDose.update(tS, inputs.coPpm),
      'flame-growth': this.#flame.update(tS, inputs.flamePixels),
    };
    let mask = 0;
    for (const name of FLOORS) {
      if (now[name]) this.#lastHeld.set(name, tS);
      const last = this.#lastHeld.get(name);
      if (last !== undefined && tS - last < FLOOR_HOLD_S) mask |= floorBit(name);
    }
    return mask;
  }
}
