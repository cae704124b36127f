import type { TelemetryPoint } from '../contracts/cloud-values.js';

/**
 * The newest points of one device in time order, at most `capacity` of them.
 * Points usually arrive in order; a late batch (an outbox draining after an
 * outage) is merged in place, and a point with a timestamp already held
 * replaces it, so a redelivered batch adds nothing.
 */
export class TelemetryHistory {
  readonly #capacity: number;
  readonly #points: TelemetryPoint[] = [];

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#points.length;
  }

  add(point: TelemetryPoint): void {
    const points = this.#points;
    const last = points[points.length - 1];
    if (last === undefined || point.ts > last.ts) {
      points.push(point);
    } else {
      const at = this.#firstAtOrAfter(point.ts);
      if (points[at]?.ts === point.ts) points[at] = point;
      else if (at > 0 || points.length < this.#capacity) points.splice(at, 0, point);
      else return; // older than everything in a full history
    }
    if (points.length > this.#capacity) points.splice(0, points.length - this.#capacity);
  }

  /** Points at or after `sinceTs` (all of them without it), oldest first. */
  since(sinceTs?: number): TelemetryPoint[] {
    if (sinceTs === undefined) return this.#points.slice();
    return this.#points.slice(this.#firstAtOrAfter(sinceTs));
  }

  #firstAtOrAfter(ts: number): number {
    let lo = 0;
    let hi = this.#points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#points[mid]?.ts ?? Infinity) < ts) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
