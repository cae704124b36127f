/** Runs its argument in one database transaction: better-sqlite3's transaction function, or PostgreSQL's BEGIN…COMMIT. */
export type InTransaction = (work: () => unknown) => unknown;

/**
 * One database transaction at a time, and what is to happen once it commits
 * (events, the in-memory look-back): held back until the commit, dropped if
 * it rolls back. A call made outside any transaction acts at once.
 */
export class CommitHold {
  /** Inside a transaction: what to do once it commits. */
  #afterCommit: (() => void)[] | undefined;
  /** Runs `work` through `inTransaction` (joins an enclosing transaction); held actions follow the commit. */
  run<T>(inTransaction: InTransaction, work: () => T): T {
    if (this.#afterCommit !== undefined) return work();
    const afterCommit: (() => void)[] = [];
    this.#afterCommit = afterCommit;
    let result: T;
    try {
      result = inTransaction(work) as T;
    } finally {
      this.#afterCommit = undefined;
    }
    for (const action of afterCommit) action();
    return result;
  }

  /** Holds `action` until the enclosing transaction commits, or runs it now outside one. */
  onCommit(action: () => void): void {
    if (this.#afterCommit !== undefined) this.#afterCommit.push(action);
    else action();
  }
}
