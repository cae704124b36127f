import type Database from 'better-sqlite3';
import { EmberError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logging.js';
import type { LeaseBook } from './lease-book.js';
import type { OutboxLedger, QuotaLimits } from './quota-policy.js';
import type { SqliteOutboxTable } from './sqlite-outbox-table.js';
import { applyWriteJobs, type WriteJob, type WriteOutcome } from './sqlite-write-jobs.js';

/** What one open outbox database commits into: its tables, and the memory that mirrors them. */
export interface CommitTarget {
  readonly db: Database.Database;
  readonly table: SqliteOutboxTable;
  /** The outbox's byte and message counters; replaced by the transaction's copy only once it committed. */
  readonly ledger: OutboxLedger;
  readonly leases: LeaseBook;
  readonly limits: QuotaLimits;
  readonly log: Logger;
}

/**
 * The commits of one open outbox database: a group of write jobs in one
 * IMMEDIATE transaction; after the commit, the counters and leases follow
 * and the jobs' promises settle. Made at start, so every open begins with
 * synchronous=FULL.
 */
export class SqliteCommitter {
  readonly #target: CommitTarget;
  readonly #seqOfLease: (id: string) => number | undefined;
  #synchronous: 'FULL' | 'NORMAL' = 'FULL';

  constructor(target: CommitTarget) {
    this.#target = target;
    this.#seqOfLease = (id) => target.leases.seqOf(id);
  }

  /**
   * Commits the jobs in one transaction, then settles their promises. Returns
   * how many messages it stored, or undefined when the transaction failed:
   * then every job is rejected (retryable) and the leases of acks and nacks
   * are given back.
   */
  commit(jobs: readonly WriteJob[]): number | undefined {
    const { db, table, leases, limits, log } = this.#target;
    this.#setSynchronous(jobs.some((job) => job.kind === 'enqueue') ? 'FULL' : 'NORMAL');
    const ledger = this.#target.ledger.copy();
    const evictedBefore = [...ledger.evictedByRank];
    let outcome: WriteOutcome;
    try {
      outcome = db
        .transaction(() => applyWriteJobs(table, jobs, ledger, limits, this.#seqOfLease))
        .immediate();
    } catch (cause) {
      const error = new EmberError('EMBER_ERR_OUTBOX_WRITE', 'outbox transaction failed', {
        cause,
        retryable: true,
      });
      log.error({ err: cause, jobs: jobs.length }, 'outbox write failed');
      for (const job of jobs) {
        // Give the leases back so the drainer publishes them again: a duplicate beats a stuck message.
        if (job.kind !== 'enqueue') leases.returned(job.ids);
        job.reject(error);
      }
      return undefined;
    }
    this.#target.ledger.adopt(ledger);
    leases.deleted(outcome.deleted);
    leases.returned(outcome.returned);
    for (const at of outcome.inserted) leases.inserted(at);
    const evicted = ledger.evictedSince(evictedBefore);
    if (evicted !== undefined) log.warn({ evicted }, 'outbox quota evicted old messages');
    for (const settle of outcome.settle) settle();
    return outcome.enqueued;
  }

  /**
   * Only enqueues need an fsync per commit. A commit of acks and nacks alone
   * runs with synchronous=NORMAL: power loss may undo the latest of them,
   * which means a duplicate publish, never a lost message; and the next FULL
   * commit or checkpoint syncs the WAL, them included.
   */
  #setSynchronous(mode: 'FULL' | 'NORMAL'): void {
    if (this.#synchronous === mode) return;
    this.#target.db.pragma(`synchronous = ${mode}`);
    this.#synchronous = mode;
  }
}
