/**
 * The thermal camera judged as a heat detector would judge the air: a fixed
 * temperature and a rise, applied to the hot spot. Flames are far hotter
 * than the camera's 300 °C top, so their pixels sit at the top of the range;
 * a hob, a pan or a heater reaches its own temperature and then keeps its
 * size. A fire's flaming area grows with its heat release. So the camera's
 * floor is flame-hot pixels (at {@link FLAME_PIXEL_C} or more) that have at
 * least doubled over half a minute from an area already there then, held
 * for a few steps: a heater switched on jumps from nothing, never from
 * something, and an object that is already hot stays the same size.
 */

/** A pixel this hot is at a flame's temperature (the camera reads at most 300 °C). */
export const FLAME_PIXEL_C = 280;
/** Seconds over which the flame-hot area must have grown. */
export const FLAME_GROWTH_WINDOW_S = 30;
/** Growth factor over the window, and the area (pixels) the fire must reach. */
export const FLAME_GROWTH_FACTOR = 2;
export const FLAME_MIN_PIXELS = 4;
/** Consecutive samples the growth must hold. */
export const FLAME_CONFIRM_SAMPLES = 3;

export class FlameGrowthDetector {
  readonly #t: number[] = [];
  readonly #n: number[] = [];
  #head = 0;
  #held = 0;

  /** Takes the flame-hot pixel count at `tS` (NaN: no frame); returns whether the floor stands. */
  update(tS: number, flamePixels: number): boolean {
    if (!Number.isFinite(flamePixels)) {
      this.#held = 0;
      return false;
    }
    this.#t.push(tS);
    this.#n.push(flamePixels);
    while (
      this.#head + 1 < this.#t.length &&
      (this.#t[this.#head + 1] ?? Infinity) <= tS - FLAME_GROWTH_WINDOW_S
    )
      this.#head++;
    if (this.#head > 256) {
      this.#t.splice(0, this.#head);
      this.#n.splice(0, this.#head);
      this.#head = 0;
    }
    const oldest = this.#t[this.#head] ?? tS;
    const then = this.#n[this.#head] ?? 0;
    const growing =
      tS - oldest >= FLAME_GROWTH_WINDOW_S &&
      then >= 1 &&
      flamePixels >= FLAME_MIN_PIXELS &&
      flamePixels >= FLAME_GROWTH_FACTOR * then;
    this.#held = growing ? this.#held + 1 : 0;
    return this.#held >= FLAME_CONFIRM_SAMPLES;
  }
}
