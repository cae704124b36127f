/** A wall clock in ms since the epoch, real or running faster than life. */
export interface AgentClock {
  now(): number;
}

/**
 * A clock running `scale` times faster than real time from the moment it is
 * made; `Date` itself at scale 1. Emulated playback stamps readings and steps
 * with it.
 */
export function scaledClock(scale: number): AgentClock {
  if (scale === 1) return Date;
  const wall = Date.now();
  const real = performance.now();
  return { now: () => Math.round(wall + (performance.now() - real) * scale) };
}
