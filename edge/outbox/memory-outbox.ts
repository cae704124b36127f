import { EmberError } from '../../shared/errors.js';
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
import { resolveOutboxSettings, type ResolvedOutboxSettings } from './outbox-settings.js';
import { buildStats } from './outbox-stats.js';
import { promiseOf } from './promise-of.js';
import { OutboxLedger, planAdmission } from './quota-policy.js';

interface Entry {
  message: OutboxMessage;
  readonly bytes: number;
}

export interface MemoryOutboxOptions {
  readonly quotaBytes?: number;
  readonly hardCeilingBytes?: number;
  readonly clock?: { now(): number };
}

/**
 * An outbox that keeps everything in process memory: same contract, same
 * quota policy, but "durable" only means "in this process". For tests and
 * tools; the agent uses SqliteOutbox. A Map per priority keeps insertion
 * order, which is exactly FIFO within a priority.
 */
export class MemoryOutbox implements Outbox {
  readonly #settings: ResolvedOutboxSettings;
  readonly #clock: { now(): number };
  readonly #nextId: () => string;
  readonly #queues: Map<string, Entry>[] = PRIORITIES.map(() => new Map<string, Entry>());
  readonly #ledger = new OutboxLedger();
  readonly #leases = new Set<string>();
  readonly #listeners = new Set<() => void>();
  #running = false;

  constructor(options: MemoryOutboxOptions = {}) {
    const { clock: _clock, ...settings } = options;
    this.#settings = resolveOutboxSettings({ path: ':memory:', ...settings });
    this.#clock = options.clock ?? Date;
    this.#nextId = createMessageIdGenerator(this.#clock);
  }

  start(): Promise<void> {
    this.#running = true;
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.#running = false;
    this.#leases.clear();
    return Promise.resolve();
  }

  async enqueue(message: NewMessage): Promise<OutboxMessage> {
    const [stored] = await this.enqueueMany([message]);
    if (stored === undefined) throw new EmberError('EMBER_ERR_OUTBOX_WRITE', 'enqueue stored nothing');
    return stored;
  }

  async enqueueMany(messages: readonly NewMessage[]): Promise<OutboxMessage[]> {
    this.#checkRunning();
    messages.forEach(checkNewMessage);
    // Settle asynchronously like a real store, so callers cannot come to rely on synchronous storage.
    await Promise.resolve();
    this.#checkRunning();
    if (messages.length === 0) return [];
    const bytes = messages.map(storedBytes);
    const rank = Math.max(...messages.map((m) => rankOf(m.priority)));
    const plan = planAdmission(
      PRIORITIES[rank] ?? 'telemetry',
      bytes.reduce((sum, b) => sum + b, 0),
      { bytesByRank: this.#ledger.bytesByRank },
      this.#settings,
    );
    if (!plan.admit) throw new EmberError(plan.code, plan.reason, { retryable: true });
    let freed = 0;
    for (const priority of plan.evictFrom) {
      const rank = rankOf(priority);
      const queue = this.#queues[rank];
      if (queue === undefined) continue;
      for (const [id, entry] of queue) {
        if (freed >= plan.evictBytes) break;
        queue.delete(id);
        this.#leases.delete(id);
        this.#ledger.evicted(rank, entry.bytes);
        freed += entry.bytes;
      }
    }
    const createdAt = this.#clock.now();
    const stored = messages.map((m, i) => {
      const message: OutboxMessage = { ...m, id: this.#nextId(), createdAt, attempts: 0 };
      const entryBytes = bytes[i] ?? 0;
      this.#queues[rankOf(m.priority)]?.set(message.id, { message, bytes: entryBytes });
      this.#ledger.add(rankOf(m.priority), entryBytes);
      return message;
    });
    for (const listener of this.#listeners) listener();
    return stored;
  }

  lease(max: number): Promise<OutboxMessage[]> {
    return this.#settle(() => {
      const leased: OutboxMessage[] = [];
      for (const queue of this.#queues) {
        for (const [id, entry] of queue) {
          if (leased.length >= max) return leased;
          if (this.#leases.has(id)) continue;
          this.#leases.add(id);
          leased.push(entry.message);
        }
      }
      return leased;
    });
  }

  ack(ids: readonly string[]): Promise<number> {
    return this.#settle(() => this.#delete(ids));
  }

  #delete(ids: readonly string[]): number {
    let deleted = 0;
    for (const id of ids) {
      this.#leases.delete(id);
      const found = this.#find(id);
      if (found === undefined) continue;
      found.queue.delete(id);
      this.#ledger.remove(found.rank, found.entry.bytes);
      deleted++;
    }
    return deleted;
  }

  nack(ids: readonly string[]): Promise<void> {
    return this.#settle(() => {
      for (const id of ids) {
        this.#leases.delete(id);
        const found = this.#find(id);
        if (found !== undefined) {
          found.entry.message = { ...found.entry.message, attempts: found.entry.message.attempts + 1 };
        }
      }
    });
  }

  release(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.#leases.delete(id);
    return Promise.resolve();
  }

  stats(): Promise<OutboxStats> {
    return this.#settle(() => {
      const oldest = this.#queues.map((queue) => queue.values().next().value?.message.createdAt);
      return buildStats(this.#ledger, oldest, this.#leases.size, this.#settings, this.#clock.now());
    });
  }

  onDurable(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #find(id: string): { queue: Map<string, Entry>; rank: number; entry: Entry } | undefined {
    for (const [rank, queue] of this.#queues.entries()) {
      const entry = queue.get(id);
      if (entry !== undefined) return { queue, rank, entry };
    }
    return undefined;
  }

  /** Runs `body` on a started outbox, turning a throw into a rejection. */
  #settle<T>(body: () => T): Promise<T> {
    return promiseOf(() => {
      this.#checkRunning();
      return body();
    });
  }

  #checkRunning(): void {
    if (!this.#running)
      throw new EmberError('EMBER_ERR_NOT_STARTED', 'the outbox is not started (or already stopped)');
  }
}
