/**
 * The one retry backoff of every process: serial lines reopening, MQTT
 * sessions reconnecting (edge and cloud), the outbox retrying a publish and
 * webhooks retrying a receiver.
 */
export interface BackoffPolicy {
  /** Delay before the first retry, ms. */
  readonly initialMs: number;
  /** Upper bound of any delay, ms. */
  readonly maxMs: number;
  /**
   * How the delay is spread so that many senders do not retry in lockstep:
   * a share (0 = none, 0.2 = ±20 %) of each delay, or `full` for a uniform
   * draw below it (what a receiver many senders retry at wants).
   */
  readonly jitter: number | 'full';
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 250, maxMs: 5000, jitter: 0.2 };

/**
 * Delay before retry number `attempt` (0-based): `initialMs · 2^attempt`
 * capped at `maxMs`, then spread by the jitter and capped again. `random`
 * returns a number in [0, 1).
 */
export function backoffDelayMs(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(0, attempt), 30);
  const base = Math.min(policy.maxMs, policy.initialMs * 2 ** exponent);
  if (policy.jitter === 'full') return Math.floor(random() * base);
  const spread = base * policy.jitter * (2 * random() - 1);
  return Math.max(0, Math.min(policy.maxMs, Math.round(base + spread)));
}
