/**
 * A small seeded pseudo-random generator (mulberry32). Training must be
 * reproducible from a seed, so nothing in this folder may use Math.random.
 */
export interface Prng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, bound). */
  nextInt(bound: number): number;
}

/** Creates a generator whose whole sequence is fixed by `seed` (any integer; only its low 32 bits count). */
export function createPrng(seed: number): Prng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    nextInt: (bound: number): number => Math.floor(next() * bound),
  };
}

/** Shuffles `items` in place (Fisher-Yates) and returns it. */
export function shuffleInPlace<T>(items: T[], prng: Prng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = prng.nextInt(i + 1);
    const a = items[i];
    const b = items[j];
    if (a === undefined || b === undefined) continue;
    items[i] = b;
    items[j] = a;
  }
  return items;
}

/** `count` distinct integers drawn from [0, size), in ascending order. */
export function sampleSortedIndices(size: number, count: number, prng: Prng): Uint32Array {
  const pool = new Uint32Array(size);
  for (let i = 0; i < size; i++) pool[i] = i;
  const take = Math.min(count, size);
  for (let i = 0; i < take; i++) {
    const j = i + prng.nextInt(size - i);
    const held = pool[i] ?? 0;
    pool[i] = pool[j] ?? 0;
    pool[j] = held;
  }
  return pool.slice(0, take).sort();
}

/** Derives an independent seed for a sub-task (a tree, a fold) from a parent seed. */
export function deriveSeed(seed: number, salt: number): number {
  let h = Math.imul((seed ^ 0x9e3779b9) >>> 0, 0x85ebca6b) ^ Math.imul(salt + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}
