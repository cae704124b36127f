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
import { SqliteOutboxTable } from './sqlite-outbox-table.js';
import { buildStats } from './outbox-stats.js';
import { promiseOf } from './promise-of.js';
import { OutboxStorage, type StorageState } from './outbox-storage.js';
import { SpaceReserve } from './space-reserve.js';
import { isStorageFailure, reasonOf, SqliteCommitter, type OutboxFaults } from './sqlite-commit.js';
import { leaseNext } from './sqlite-lease.js';
import { keepForReserve, mayUseReserve, type WriteJob } from './sqlite-write-jobs.js';

/** Jobs per transaction: bounds how long one commit holds the event loop. */
const MAX_JOBS_PER_COMMIT = 20_000;

export interface SqliteOutboxOptions extends OutboxSettingsInput {
  readonly logger: Logger;
  /** Wall clock for `createdAt` and ages; `Date` by default. */
  readonly clock?: { now(): number };
  /** A full disk on demand, for tests where no small filesystem can be mounted. */
  readonly faults?: OutboxFaults;
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
 *
 * A full disk: `reserveBytes` of real disk space are kept in a file beside
 * the database. When a commit holding alarms, anomalies or acks fails for
 * want of space, the reserve is deleted and the commit tried again without
 * its telemetry and status; until space returns and the reserve is taken
 * back, telemetry and status are refused (EMBER_ERR_OUTBOX_FULL). So an
 * alarm is stored whenever any message could be. `storage` and
 * `onStorageChange` tell how the disk is doing.
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
  #flushTimer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  #db: Database.Database | undefined;
  #table: SqliteOutboxTable | undefined;
  #committer: SqliteCommitter | undefined;
  readonly #faults: OutboxFaults | undefined;
  readonly #storage: OutboxStorage;

  constructor(options: SqliteOutboxOptions) {
    const { logger: _logger, clock: _clock, faults, ...settings } = options;
    this.#settings = resolveOutboxSettings(settings);
    this.#log = options.logger.child({ component: 'outbox', path: this.#settings.path });
    this.#clock = options.clock ?? Date;
    this.#nextId = createMessageIdGenerator(this.#clock);
    this.#faults = faults;
    const { path, reserveBytes } = this.#settings;
    const reserve =
      reserveBytes === 0 || path === ':memory:'
        ? undefined
        : new SpaceReserve(`${path}-reserve`, reserveBytes, this.#log);
    this.#storage = new OutboxStorage(reserve, this.#log);
  }

  /** Whether the reserve for alarms is in place and whether writes fail. */
  get storage(): StorageState {
    return this.#storage.state;
  }

  /** Hears every change of {@link storage}; returns the function that stops listening. */
  onStorageChange(listener: (state: StorageState) => void): () => void {
    return this.#storage.onChange(listener);
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
      this.#committer = new SqliteCommitter({
        db,
        table,
        ledger: this.#ledger,
        leases: this.#leases,
        limits: this.#settings,
        log: this.#log,
        faults: this.#faults,
      });
      this.#storage.start();
      this.#log.info({ messages: this.#ledger.totalMessages, bytes: this.#ledger.totalBytes }, 'outbox open');
    });
  }

  stop(): Promise<void> {
    return promiseOf(() => {
      const db = this.#db;
      if (db === undefined) return;
      this.#cancelFlush();
      while (this.#pending.length > 0) this.#flush();
      this.#storage.stop();
      this.#db = undefined;
      this.#table = undefined;
      this.#committer = undefined;
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
      return leaseNext(table, this.#leases, max);
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
    const committer = this.#committer;
    const jobs = this.#pending.splice(0, MAX_JOBS_PER_COMMIT);
    if (committer === undefined) {
      const error = new EmberError('EMBER_ERR_NOT_STARTED', 'the outbox stopped before the write committed');
      for (const job of jobs) job.reject(error);
      return;
    }
    const storage = this.#storage;
    let batch = storage.acceptsEverything ? jobs : keepForReserve(jobs);
    if (batch.length === 0) return;
    let result = committer.commit(batch);
    if (
      !result.ok &&
      isStorageFailure(result.cause) &&
      batch.some(mayUseReserve) &&
      storage.releaseReserve()
    ) {
      batch = keepForReserve(batch);
      result = committer.commit(batch);
    }
    if (!result.ok) {
      storage.failed(reasonOf(result.cause));
      committer.fail(batch, result.cause);
      return;
    }
    storage.wrote();
    this.#commits++;
    if (result.enqueued > 0) this.#notifyDurable();
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
