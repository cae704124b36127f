import Database from 'better-sqlite3';
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
  readonly faults?: OutboxFaults | undefined;
}

/**
 * A full disk on demand, for tests on machines where no small filesystem
 * can be mounted: while `diskFull()` is true, every commit that stores
 * messages fails as SQLite fails on a full disk (SQLITE_FULL), before it
 * writes anything.
 */
export interface OutboxFaults {
  diskFull(): boolean;
}

export type CommitResult =
  { readonly ok: true; readonly enqueued: number } | { readonly ok: false; readonly cause: unknown };

/** SQLite's code (SQLITE_FULL, SQLITE_IOERR_WRITE…) or the system's (ENOSPC), else the message. */
export function reasonOf(cause: unknown): string {
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return code;
  return cause instanceof Error ? cause.message : String(cause);
}

/** A failure for want of space or of the storage itself: freeing the reserve may let a retry pass. */
export function isStorageFailure(cause: unknown): boolean {
  const reason = reasonOf(cause);
  return reason === 'SQLITE_FULL' || reason === 'ENOSPC' || reason.startsWith('SQLITE_IOERR');
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
   * Commits the jobs in one transaction, then settles their promises and
   * returns how many messages it stored. When the transaction fails nothing
   * is settled: the caller may try again (after freeing space) or call
   * {@link fail}.
   */
  commit(jobs: readonly WriteJob[]): CommitResult {
    const { db, table, leases, limits, log } = this.#target;
    const enqueues = jobs.some((job) => job.kind === 'enqueue');
    this.#setSynchronous(enqueues ? 'FULL' : 'NORMAL');
    const ledger = this.#target.ledger.copy();
    const evictedBefore = [...ledger.evictedByRank];
    let outcome: WriteOutcome;
    try {
      if (enqueues && this.#target.faults?.diskFull() === true) {
        throw new Database.SqliteError('database or disk is full (simulated)', 'SQLITE_FULL');
      }
      outcome = db
        .transaction(() => applyWriteJobs(table, jobs, ledger, limits, this.#seqOfLease))
        .immediate();
    } catch (cause) {
      return { ok: false, cause };
    }
    this.#target.ledger.adopt(ledger);
    leases.deleted(outcome.deleted);
    leases.returned(outcome.returned);
    for (const at of outcome.inserted) leases.inserted(at);
    const evicted = ledger.evictedSince(evictedBefore);
    if (evicted !== undefined) log.warn({ evicted }, 'outbox quota evicted old messages');
    for (const settle of outcome.settle) settle();
    return { ok: true, enqueued: outcome.enqueued };
  }

  /** Rejects jobs whose transaction failed (retryable), giving the leases of acks and nacks back. */
  fail(jobs: readonly WriteJob[], cause: unknown): void {
    const { leases, log } = this.#target;
    const error = new EmberError('EMBER_ERR_OUTBOX_WRITE', `outbox transaction failed: ${reasonOf(cause)}`, {
      cause,
      retryable: true,
    });
    log.error({ err: cause, jobs: jobs.length }, 'outbox write failed');
    for (const job of jobs) {
      // Give the leases back so the drainer publishes them again: a duplicate beats a stuck message.
      if (job.kind !== 'enqueue') leases.returned(job.ids);
      job.reject(error);
    }
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
