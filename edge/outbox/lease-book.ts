/** A row's place in drain order: by rank, then by seq. */
export interface DrainPosition {
  readonly rank: number;
  readonly seq: number;
}

function before(a: DrainPosition, b: DrainPosition): boolean {
  return a.rank < b.rank || (a.rank === b.rank && a.seq <= b.seq);
}

/**
 * The outbox's leases (id → seq, held in memory only) and a resume point
 * for the next lease, so that draining a backlog reads each row once
 * instead of skipping over every leased row on every lease.
 *
 * The resume point is valid only while every row at or before it in drain
 * order is leased and none after it is. Anything that can put an unleased
 * row before it (a release, a nack, a failed write, an insert at an earlier
 * place) forgets it, and the next lease scans from the start as before.
 * Pure bookkeeping, no I/O.
 */
export class LeaseBook {
  readonly #seqById = new Map<string, number>();
  #resume: DrainPosition | undefined;

  get size(): number {
    return this.#seqById.size;
  }

  has(id: string): boolean {
    return this.#seqById.has(id);
  }

  /** The seq a leased id was read at; undefined when not leased. */
  seqOf(id: string): number | undefined {
    return this.#seqById.get(id);
  }

  /** Where the next lease may continue; undefined when it must scan from the start. */
  get resumeAfter(): DrainPosition | undefined {
    return this.#resume;
  }

  /**
   * Records the rows one lease handed out, in drain order. `scanned` is how
   * many rows the lease looked at from the start of the drain order up to
   * and including its last, or undefined when it continued from the resume point.
   */
  leased(rows: readonly (DrainPosition & { readonly id: string })[], scanned?: number): void {
    for (const row of rows) this.#seqById.set(row.id, row.seq);
    const last = rows.at(-1);
    if (last === undefined) return;
    if (scanned === undefined) {
      if (this.#resume !== undefined) this.#resume = { rank: last.rank, seq: last.seq };
      return;
    }
    // Valid only if the scanned rows are all the leases there are: none lies further on.
    this.#resume = scanned === this.#seqById.size ? { rank: last.rank, seq: last.seq } : undefined;
  }

  /** Leases that end because their rows are gone (acked or evicted). */
  deleted(ids: Iterable<string>): void {
    for (const id of ids) this.#seqById.delete(id);
  }

  /** Leases given back while their rows stay (release, nack, a failed write). */
  returned(ids: Iterable<string>): void {
    for (const id of ids) {
      if (this.#seqById.delete(id)) this.#resume = undefined;
    }
  }

  /** A row was inserted; if it lands before the resume point, that point no longer holds. */
  inserted(at: DrainPosition): void {
    if (this.#resume !== undefined && before(at, this.#resume)) this.#resume = undefined;
  }

  clear(): void {
    this.#seqById.clear();
    this.#resume = undefined;
  }
}
