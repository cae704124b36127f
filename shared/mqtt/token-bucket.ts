/**
 * A token bucket: `ratePerSecond` tokens a second, holding at most `burst`.
 * `take(n)` removes n tokens (the balance may go negative) and says how long
 * to wait until the balance is back at zero; the caller waits that long
 * before reading more, so a sender is slowed to the rate, never dropped.
 */
export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #at: number;

  constructor(ratePerSecond: number, burst: number = ratePerSecond, now: () => number = Date.now) {
    this.#rate = ratePerSecond;
    this.#burst = burst;
    this.#now = now;
    this.#tokens = burst;
    this.#at = now();
  }

  /** Milliseconds to wait before going on (0 when the tokens were there). */
  take(n: number): number {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#at) / 1000) * this.#rate);
    this.#at = now;
    this.#tokens -= n;
    return this.#tokens >= 0 ? 0 : Math.ceil((-this.#tokens / this.#rate) * 1000);
  }
}
