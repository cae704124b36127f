/** How long to wait before each attempt to reopen a lost serial line. */
export interface BackoffPolicy {
  /** Delay before the first retry, ms. */
  readonly initialMs: number;
  /** Upper bound of any delay, ms. */
  readonly maxMs: number;
  /** Fraction of each delay drawn at random (0 = none, 0.5 = ±50 %), so gateways do not retry in lockstep. */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 250, maxMs: 5000, jitter: 0.2 };

/**
 * Delay before retry number `attempt` (0-based): `initialMs · 2^attempt`
 * capped at `maxMs`, then spread by ±`jitter` and capped again.
 * `random` returns a number in [0, 1).
 */
export function backoffDelayMs(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(0, attempt), 30);
  const base = Math.min(policy.maxMs, policy.initialMs * 2 ** exponent);
  const spread = base * policy.jitter * (2 * random() - 1);
  return Math.max(0, Math.min(policy.maxMs, Math.round(base + spread)));
}
