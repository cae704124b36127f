/** A wall clock in ms since the epoch, real or running faster than life. */
export interface AgentClock {
  now(): number;
}

/** A clock, and how one of its times reads on the wall clock. */
export interface StampingClock extends AgentClock {
  /** The wall-clock time of `ts` (identity at scale 1). */
  readonly wallOf: (ts: number) => number;
}

const REAL: StampingClock = { now: () => Date.now(), wallOf: (ts) => ts };

/**
 * A clock running `scale` times faster than real time from the moment it is
 * made; the real clock at scale 1. Emulated playback stamps readings and
 * steps with it, so the features and the alarm timing see the scenario's own
 * seconds. What leaves the device is stamped with `wallOf`: the cloud, its
 * dashboard and the people reading them live on the wall clock, and one
 * display never mixes the two.
 */
export function scaledClock(scale: number): StampingClock {
  if (scale === 1) return REAL;
  const wall = Date.now();
  const real = performance.now();
  return {
    now: () => Math.round(wall + (performance.now() - real) * scale),
    wallOf: (ts) => Math.round(wall + (ts - wall) / scale),
  };
}
