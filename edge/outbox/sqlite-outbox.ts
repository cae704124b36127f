import type Database from 'better-sqlite3';
import { EmberError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logging.js';
import {
  checkNewMessage,
  PRIORITIES,
  rankOf,
  storedBytes,
  type NewMessage,
  type OutboxMessage,
} from './message.js';
import { createMessageIdGenerator } from './message-id.js';
import type { Outbox, OutboxStats } from './outbox.js';
import {
  resolveOutboxSettings,
  type OutboxSettingsInput,
  type ResolvedOutboxSettings,
} from './outbox-settings.js';
import { LeaseBook } from './lease-book.js';
import { OutboxLedger } from './quota-policy.js';
import { openOutboxDatabase } from './sqlite-database.js';
import { SqliteOutboxTable, type LeasedRow } from './sqlite-outbox-table.js';
import { buildStats } from './outbox-stats.js';
import { promiseOf } from './promise-of.js';
import { applyWriteJobs, type WriteJob, type WriteOutcome } from './sqlite-write-jobs.js';

/** Jobs per transaction: bounds how long one commit holds the event loop. */
const MAX_JOBS_PER_COMMIT = 20_000;

export interface SqliteOutboxOptions extends OutboxSettingsInput {
  readonly logger: Logger;
  /** Wall clock for `createdAt` and ages; `Date` by default. */
  readonly clock?: { now(): number };
}

/**
 * The product outbox: one SQLite file in WAL mode.
 *
 * What survives: a message whose enqueue() promise has resolved survives
 * both kill -9 and power loss, because the promise settles only after the
 * transaction holding it committed with synchronous=FULL, i.e. after its WAL
 * frames were fsynced (on storage that honours flushes; an SD card that
 * acknowledges writes it has only cached defeats any database). A message
 * whose enqueue had not resolved may or may not be there; its producer was
 * never told it was stored, so nothing promised is lost.
 *
 * Acks and nacks alone commit with synchronous=NORMAL (no fsync of their
 * own): kill -9 cannot undo them, power loss can undo the last few, which
 * means those messages are published again (a duplicate, never a loss).
 *
 * Group commit: enqueue, ack and nack calls made in the same event-loop turn
 * (or within `commitWindowMs`) share one transaction and one fsync, so the
 * fsync is paid per batch, not per message.
 *
 * better-sqlite3 is synchronous: a commit blocks the event loop for the
 * length of its fsync (sub-ms on SSD, a few ms to tens of ms on SD cards).
 */
export class SqliteOutbox implements Outbox {
  readonly #settings: ResolvedOutboxSettings;
  readonly #log: Logger;
  readonly #clock: { now(): number };
  readonly #nextId: () => string;
  readonly #ledger = new OutboxLedger();
  readonly #leases = new LeaseBook();
  readonly #listeners = new Set<() => void>();
  #pending: WriteJob[] = [];
  #commits = 0;
  #synchronous: 'FULL' | 'NORMAL' = 'FULL';
  #flushTimer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  #db: Database.Database | undefined;
  #table: SqliteOutboxTable | undefined;

  constructor(options: SqliteOutboxOptions) {
    this.#settings = resolveOutboxSettings(options);
    this.#log = options.logger.child({ component: 'outbox', path: this.#settings.path });
    this.#clock = options.clock ?? Date;
    this.#nextId = createMessageIdGenerator(this.#clock);
  }

  /** Transactions committed since construction; group commit shows as far fewer commits than writes. */
  get commitCount(): number {
    return this.#commits;
  }

  start(): Promise<void> {
    return promiseOf(() => {
      if (this.#db !== undefined) return;
      const db = openOutboxDatabase(this.#settings.path);
      const table = new SqliteOutboxTable(db);
      // The only full scan: counters live in memory from here on, so enqueue never asks the disk for sizes.
      table.totalsByRank().forEach((t, rank) => {
        this.#ledger.messagesByRank[rank] = t.messages;
        this.#ledger.bytesByRank[rank] = t.bytes;
        this.#ledger.evictedByRank[rank] = 0;
      });
      this.#db = db;
      this.#table = table;
      this.#synchronous = 'FULL';
      this.#log.info({ messages: this.#ledger.totalMessages, bytes: this.#ledger.totalBytes }, 'outbox open');
    });
  }

  stop(): Promise<void> {
    return promiseOf(() => {
      const db = this.#db;
      if (db === undefined) return;
      this.#cancelFlush();
      while (this.#pending.length > 0) this.#flush();
      this.#db = undefined;
      this.#table = undefined;
      this.#leases.clear();
      db.close();
      this.#log.info('outbox closed');
    });
  }

  enqueue(message: NewMessage): Promise<OutboxMessage> {
    // The hot path: one job and one promise per message, no enqueueMany wrapper.
    return this.#write((resolve, reject) => {
      checkNewMessage(message);
      const stored = this.#stamp(message, this.#clock.now());
      return {
        kind: 'enqueue',
        messages: [stored],
        rank: rankOf(message.priority),
        bytes: [storedBytes(message)],
        resolve: () => resolve(stored),
        reject,
      };
    });
  }

  enqueueMany(messages: readonly NewMessage[]): Promise<OutboxMessage[]> {
    if (messages.length === 0) {
      return promiseOf(() => {
        this.#open();
        return [];
      });
    }
    return this.#write((resolve, reject) => {
      messages.forEach(checkNewMessage);
      const createdAt = this.#clock.now();
      return {
        kind: 'enqueue',
        messages: messages.map((m) => this.#stamp(m, createdAt)),
        rank: Math.max(0, ...messages.map((m) => rankOf(m.priority))),
        bytes: messages.map(storedBytes),
        resolve,
        reject,
      };
    });
  }

  #stamp(message: NewMessage, createdAt: number): OutboxMessage {
    return {
      id: this.#nextId(),
      topic: message.topic,
      payload: message.payload,
      priority: message.priority,
      createdAt,
      attempts: 0,
    };
  }

  lease(max: number): Promise<OutboxMessage[]> {
    return promiseOf(() => {
      const table = this.#open();
      if (max <= 0) return [];
      const resume = this.#leases.resumeAfter;
      if (resume !== undefined) {
        // Draining a backlog: one query for the next rows, nothing to skip.
        const rows = table.drainAfter(resume.rank, resume.seq, max);
        this.#leases.leased(rows);
        return rows.map((row) => row.message);
      }
      const rows: LeasedRow[] = [];
      let scanned = 0;
      let scannedToLast = 0;
      // Leased ids sit at the front of the drain order, so skipping them needs at most that many extra rows.
      for (const { seq, id, rank } of table.drainOrder(this.#leases.size + max)) {
        scanned++;
        if (this.#leases.has(id)) continue;
        const message = table.read(seq);
        if (message === undefined) {
          scanned--; // gone meanwhile: neither leased nor waiting
          continue;
        }
        rows.push({ id, seq, rank, message });
        scannedToLast = scanned;
        if (rows.length === max) break;
      }
      this.#leases.leased(rows, scannedToLast);
      return rows.map((row) => row.message);
    });
  }

  ack(ids: readonly string[]): Promise<number> {
    return this.#write((resolve, reject) => ({ kind: 'ack', ids, resolve, reject }));
  }

  nack(ids: readonly string[]): Promise<void> {
    return this.#write((resolve, reject) => ({ kind: 'nack', ids, resolve, reject }));
  }

  release(ids: readonly string[]): Promise<void> {
    this.#leases.returned(ids);
    return Promise.resolve();
  }

  stats(): Promise<OutboxStats> {
    return promiseOf(() => {
      const table = this.#open();
      const oldest = PRIORITIES.map((_, rank) => table.oldestCreatedAt(rank));
      return buildStats(this.#ledger, oldest, this.#leases.size, this.#settings, this.#clock.now());
    });
  }

  onDurable(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #open(): SqliteOutboxTable {
    if (this.#table === undefined) {
      throw new EmberError('EMBER_ERR_NOT_STARTED', 'the outbox is not started (or already stopped)');
    }
    return this.#table;
  }

  /** Queues a write for the next group commit; a throw from `make` rejects instead of queueing. */
  #write<T>(make: (resolve: (value: T) => void, reject: (e: Error) => void) => WriteJob): Promise<T> {
    return new Promise((resolve, reject) => {
      this.#open();
      this.#submit(make(resolve, reject));
    });
  }

  #submit(job: WriteJob): void {
    this.#pending.push(job);
    if (this.#flushTimer !== undefined) return;
    const flushSoon = (): void => {
      this.#flushTimer = undefined;
      this.#flush();
      if (this.#pending.length > 0) this.#flushTimer = setImmediate(flushSoon);
    };
    this.#flushTimer =
      this.#settings.commitWindowMs > 0
        ? setTimeout(flushSoon, this.#settings.commitWindowMs)
        : setImmediate(flushSoon);
  }

  #cancelFlush(): void {
    if (this.#flushTimer === undefined) return;
    clearTimeout(this.#flushTimer as NodeJS.Timeout);
    clearImmediate(this.#flushTimer as NodeJS.Immediate);
    this.#flushTimer = undefined;
  }

  /** Commits up to MAX_JOBS_PER_COMMIT pending jobs in one transaction, then settles their promises. */
  #flush(): void {
    const db = this.#db;
    const table = this.#table;
    const jobs = this.#pending.splice(0, MAX_JOBS_PER_COMMIT);
    if (db === undefined || table === undefined) {
      const error = new EmberError('EMBER_ERR_NOT_STARTED', 'the outbox stopped before the write committed');
      for (const job of jobs) job.reject(error);
      return;
    }
    this.#setSynchronous(jobs.some((job) => job.kind === 'enqueue') ? 'FULL' : 'NORMAL');
    const ledger = this.#ledger.copy();
    const evictedBefore = [...ledger.evictedByRank];
    let outcome: WriteOutcome;
    try {
      outcome = db
        .transaction(() =>
          applyWriteJobs(table, jobs, ledger, this.#settings, (id) => this.#leases.seqOf(id)),
        )
        .immediate();
    } catch (cause) {
      const error = new EmberError('EMBER_ERR_OUTBOX_WRITE', 'outbox transaction failed', {
        cause,
        retryable: true,
      });
      this.#log.error({ err: cause, jobs: jobs.length }, 'outbox write failed');
      for (const job of jobs) {
        // Give the leases back so the drainer publishes them again: a duplicate beats a stuck message.
        if (job.kind !== 'enqueue') this.#leases.returned(job.ids);
        job.reject(error);
      }
      return;
    }
    this.#commits++;
    this.#ledger.adopt(ledger);
    this.#leases.deleted(outcome.deleted);
    this.#leases.returned(outcome.returned);
    for (const at of outcome.inserted) this.#leases.inserted(at);
    const evicted = ledger.evictedSince(evictedBefore);
    if (evicted !== undefined) this.#log.warn({ evicted }, 'outbox quota evicted old messages');
    for (const settle of outcome.settle) settle();
    if (outcome.enqueued > 0) this.#notifyDurable();
  }

  /**
   * Only enqueues need an fsync per commit. A commit of acks and nacks alone
   * runs with synchronous=NORMAL: power loss may undo the latest of them,
   * which means a duplicate publish, never a lost message; and the next FULL
   * commit or checkpoint syncs the WAL, them included.
   */
  #setSynchronous(mode: 'FULL' | 'NORMAL'): void {
    if (this.#synchronous === mode) return;
    this.#db?.pragma(`synchronous = ${mode}`);
    this.#synchronous = mode;
  }

  #notifyDurable(): void {
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch (error) {
        this.#log.error({ err: error }, 'an onDurable listener threw');
      }
    }
  }
}
