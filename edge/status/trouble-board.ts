import type { TroubleCondition, TroubleKind } from '../../shared/schemas/messages.js';

/** A change of the board: a condition raised or cleared. */
export interface TroubleChange {
  readonly change: 'raised' | 'cleared';
  readonly condition: TroubleCondition;
}

const keyOf = (kind: TroubleKind, source: string): string => `${kind}\u0000${source}`;

/**
 * The device's trouble conditions, one per kind and source, as a fire
 * panel's trouble signal: raised once when a condition starts (its first
 * detail and time are kept), cleared once when it ends. Listeners hear each
 * change, so a status can go out at once instead of at the next interval.
 * Pure bookkeeping, no I/O.
 */
export class TroubleBoard {
  readonly #conditions = new Map<string, TroubleCondition>();
  readonly #listeners = new Set<(change: TroubleChange) => void>();

  /** Raises a condition; returns false when it was already standing (nothing changes). */
  raise(kind: TroubleKind, source: string, detail: string, ts: number): boolean {
    const key = keyOf(kind, source);
    if (this.#conditions.has(key)) return false;
    const condition: TroubleCondition = { kind, source, since: Math.max(0, Math.round(ts)), detail };
    this.#conditions.set(key, condition);
    this.#emit({ change: 'raised', condition });
    return true;
  }

  /** Clears a condition; returns false when it was not standing. */
  clear(kind: TroubleKind, source: string): boolean {
    const key = keyOf(kind, source);
    const condition = this.#conditions.get(key);
    if (condition === undefined) return false;
    this.#conditions.delete(key);
    this.#emit({ change: 'cleared', condition });
    return true;
  }

  /** Raises or clears, as `standing` says. */
  set(kind: TroubleKind, source: string, standing: boolean, detail: string, ts: number): boolean {
    return standing ? this.raise(kind, source, detail, ts) : this.clear(kind, source);
  }

  has(kind: TroubleKind, source: string): boolean {
    return this.#conditions.has(keyOf(kind, source));
  }

  /** Every standing condition, oldest first. */
  list(): TroubleCondition[] {
    return [...this.#conditions.values()].sort((a, b) => a.since - b.since);
  }

  /** Hears every change; returns the function that stops listening. */
  onChange(listener: (change: TroubleChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(change: TroubleChange): void {
    for (const listener of this.#listeners) listener(change);
  }
}
