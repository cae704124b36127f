import type Database from 'better-sqlite3';

/**
 * One SQLite transaction at a time, and what is to happen once it commits
 * (events, the in-memory look-back): held back until the commit, dropped if
 * it rolls back. A call made outside any transaction acts at once.
 */
export class CommitHold {
  /** Inside a transaction: what to do once it commits. */
  #afterCommit: (() => void)[] | undefined;
  /** Made once: better-sqlite3 prepares BEGIN and COMMIT each time a transaction function is made. */
  #inTransaction: ((work: () => unknown) => unknown) | undefined;

  /** Runs `work` in one transaction of `db` (joins an enclosing one); held actions follow the commit. */
  run<T>(db: Database.Database, work: () => T): T {
    if (this.#afterCommit !== undefined) return work();
    const afterCommit: (() => void)[] = [];
    this.#afterCommit = afterCommit;
    let result: T;
    try {
      this.#inTransaction ??= db.transaction((inner: () => unknown) => inner());
      result = this.#inTransaction(work) as T;
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

  /** Forgets the transaction function, which belongs to a database now closed. */
  reset(): void {
    this.#inTransaction = undefined;
  }
}
