/**
 * Seeded pseudo-random numbers. Every simulated run must be reproducible from
 * its seed and parameters, so nothing in the simulators may call Math.random:
 * randomness flows from an explicit {@link Rng} passed down the call tree.
 */

/** Mixes any 32-bit integers into a well-spread 32-bit seed (murmur3 finaliser). */
export function mixSeed(...parts: readonly number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h = Math.imul(h ^ (part | 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** A 32-bit FNV-1a hash, so that string labels can name independent random streams. */
export function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * sfc32 generator with Gaussian draws (Marsaglia polar method). Instances own
 * their state; streams for sub-systems come from {@link Rng.fork}, so adding a
 * draw in one sub-system never shifts the numbers another one sees.
 */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;
  #spareGaussian: number | null = null;
  readonly seed: number;

  constructor(seed: number) {
    this.seed = seed >>> 0;
    this.#a = 0x9e3779b9;
    this.#b = 0x243f6a88;
    this.#c = 0xb7e15162;
    this.#d = this.seed;
    // Warm-up: the first outputs of sfc32 are poorly mixed.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** Uniform integer in [0, 2^32). */
  nextUint32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Standard normal draw. */
  gaussian(): number {
    if (this.#spareGaussian !== null) {
      const spare = this.#spareGaussian;
      this.#spareGaussian = null;
      return spare;
    }
    for (;;) {
      const u = 2 * this.next() - 1;
      const v = 2 * this.next() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const f = Math.sqrt((-2 * Math.log(s)) / s);
        this.#spareGaussian = v * f;
        return u * f;
      }
    }
  }

  /** Normal draw with the given mean and standard deviation. */
  normal(mean: number, sd: number): number {
    return mean + sd * this.gaussian();
  }

  /** Log-normal draw centred (median) on `centre`, spread by `sigma` in natural-log units. */
  around(centre: number, sigma: number): number {
    return centre * Math.exp(sigma * this.gaussian());
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly [T, ...T[]]): T {
    return items[Math.floor(this.next() * items.length)] ?? items[0];
  }

  /** An independent stream named by `label`, derived from this stream's seed (not its position). */
  fork(label: string): Rng {
    return new Rng(mixSeed(this.seed, hashLabel(label)));
  }
}
