/** Bounds of the delay between connection attempts. */
export interface ReconnectBackoff {
  /** Delay before the first retry, ms. */
  readonly minMs: number;
  /** Upper bound of any delay, ms. */
  readonly maxMs: number;
}

export const DEFAULT_RECONNECT: ReconnectBackoff = { minMs: 500, maxMs: 30_000 };

/**
 * Delay before retry number `attempt` (0-based): `minMs · 2^attempt` capped
 * at `maxMs`, spread by ±20 % so several cloud workers do not retry in
 * lockstep. `random` returns a number in [0, 1).
 */
export function reconnectDelayMs(
  attempt: number,
  backoff: ReconnectBackoff,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(0, attempt), 30);
  const base = Math.min(backoff.maxMs, backoff.minMs * 2 ** exponent);
  const spread = base * 0.2 * (2 * random() - 1);
  return Math.max(0, Math.min(backoff.maxMs, Math.round(base + spread)));
}
