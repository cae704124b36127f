/**
 * Lets through one log line per key per interval and counts the ones it held
 * back, so a device sending garbage many times a second costs one line every
 * few seconds rather than a flood. Pure: the caller supplies the clock.
 */
export class LogThrottle {
  readonly #last = new Map<string, { at: number; suppressed: number }>();

  readonly #intervalMs: number;
  constructor(intervalMs: number) {
    this.#intervalMs = intervalMs;
  }

  /** Whether to log now for `key`, and how many lines were held back since the last one. */
  take(key: string, now: number): { readonly log: boolean; readonly suppressed: number } {
    const entry = this.#last.get(key);
    if (entry === undefined || now - entry.at >= this.#intervalMs) {
      const suppressed = entry?.suppressed ?? 0;
      this.#last.set(key, { at: now, suppressed: 0 });
      return { log: true, suppressed };
    }
    entry.suppressed++;
    return { log: false, suppressed: entry.suppressed };
  }
}
