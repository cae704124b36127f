import type { Logger } from '../../shared/logging.js';
import { rankOf, storedBytes, type NewMessage } from './message.js';
import type { Outbox } from './outbox.js';
import type { Publisher } from './publisher.js';

export interface UnstoredMessagesOptions {
  readonly outbox: Outbox;
  readonly publisher: Publisher;
  readonly logger: Logger;
  /** Makes the id a held message is published under (the outbox's UUIDv7 ids). */
  readonly nextId: () => string;
  /** How often storing is tried again while messages are held. */
  readonly retryMs?: number;
  /** At most this many bytes are held (payload + topic + row overhead); the least urgent go first. */
  readonly maxBytes?: number;
}

interface Held {
  readonly id: string;
  readonly message: NewMessage;
  readonly bytes: number;
  /** A direct publish of it is awaiting its PUBACK. */
  publishing: boolean;
}

const DEFAULT_RETRY_MS = 1000;
const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Messages the outbox could not store (a full or failing disk), held in
 * memory so that an alarm is never dropped: every `retryMs` they are offered
 * to the outbox again, and while the link is up they are published
 * directly, most urgent first. Each leaves the hold once it is stored or
 * the broker acknowledged it; a message stored after its direct publish
 * was already under way may reach the cloud twice, under the same payload
 * id, which the cloud drops.
 *
 * Memory is bounded (`maxBytes`): over it, the least urgent go first
 * (statuses, then anomalies, alarms last; the newest of a class first). A
 * health status held replaces the one held before it: only the newest
 * matters.
 * What is still held at stop() is lost with the process; that is logged.
 */
export class UnstoredMessages {
  readonly #options: UnstoredMessagesOptions;
  readonly #log: Logger;
  readonly #held: Held[] = [];
  readonly #listeners = new Set<(count: number) => void>();
  #timer: NodeJS.Timeout | undefined;
  #offOnline: (() => void) | undefined;
  #storing = false;
  #running = false;

  constructor(options: UnstoredMessagesOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'unstored-messages' });
  }

  /** Messages held now. */
  get size(): number {
    return this.#held.length;
  }

  /** Alarms and anomalies held now: what makes the link retry at its short interval. */
  get urgent(): number {
    return this.#held.filter((h) => h.message.priority === 'alarm' || h.message.priority === 'anomaly')
      .length;
  }

  start(): Promise<void> {
    if (this.#running) return Promise.resolve();
    this.#running = true;
    this.#offOnline = this.#options.publisher.onOnline?.(() => this.#publishAll());
    return Promise.resolve();
  }

  /** Tries once more to store what is held, then lets go of it (logged, with how many alarms). */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#offOnline?.();
    await this.#storeAll();
    if (this.#held.length > 0) {
      const alarms = this.#held.filter((h) => h.message.priority !== 'status').length;
      this.#log.error(
        { messages: this.#held.length, alarms },
        'messages never stored nor sent are lost at stop',
      );
      this.#held.length = 0;
      this.#changed();
    }
  }

  /** Hears the number held after every change; returns the function that stops listening. */
  onChange(listener: (count: number) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Holds messages the outbox refused; they are stored or published as soon
   * as either works. `newestOnly` (a health status) replaces what is held for
   * the same topic.
   */
  hold(messages: readonly NewMessage[], options: { readonly newestOnly?: boolean } = {}): void {
    for (const message of messages) {
      if (options.newestOnly === true) this.#dropHeld(message.topic);
      this.#held.push({
        id: this.#options.nextId(),
        message,
        bytes: storedBytes(message),
        publishing: false,
      });
    }
    // Most urgent first; the sort is stable, so each class stays in order of arrival.
    this.#held.sort((a, b) => rankOf(a.message.priority) - rankOf(b.message.priority));
    this.#bound();
    this.#changed();
    this.#arm();
    this.#publishAll();
  }

  #dropHeld(topic: string): void {
    const index = this.#held.findIndex((h) => h.message.topic === topic && !h.publishing);
    if (index >= 0) this.#held.splice(index, 1);
  }

  #bound(): void {
    const max = this.#options.maxBytes ?? DEFAULT_MAX_BYTES;
    let total = this.#held.reduce((sum, h) => sum + h.bytes, 0);
    while (total > max && this.#held.length > 1) {
      const dropped = this.#held.pop();
      if (dropped === undefined) break;
      total -= dropped.bytes;
      this.#log.error(
        { priority: dropped.message.priority, topic: dropped.message.topic, heldBytes: total },
        'memory for unstored messages is full: the least urgent is dropped',
      );
    }
  }

  #arm(): void {
    if (!this.#running || this.#timer !== undefined || this.#held.length === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#storeAll().finally(() => {
        this.#publishAll();
        this.#arm();
      });
    }, this.#options.retryMs ?? DEFAULT_RETRY_MS);
  }

  /** Offers each held message to the outbox again, most urgent first; stops at the first refusal. */
  async #storeAll(): Promise<void> {
    if (this.#storing) return;
    this.#storing = true;
    try {
      for (const held of [...this.#held]) {
        if (held.publishing) continue;
        try {
          await this.#options.outbox.enqueue(held.message);
        } catch {
          return; // the disk is still full: the rest would fail too
        }
        this.#remove(held, 'stored');
      }
    } finally {
      this.#storing = false;
    }
  }

  #publishAll(): void {
    const { publisher } = this.#options;
    if (!this.#running || !publisher.isOnline()) return;
    for (const held of this.#held) {
      if (held.publishing) continue;
      held.publishing = true;
      let published: Promise<void>;
      try {
        published = publisher.publish(held.message.topic, held.message.payload, {
          qos: 1,
          messageId: held.id,
        });
      } catch (error) {
        published = Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      published.then(
        () => this.#remove(held, 'published'),
        (error: unknown) => {
          held.publishing = false;
          this.#log.warn(
            { err: error, topic: held.message.topic },
            'direct publish of an unstored message failed',
          );
        },
      );
    }
  }

  #remove(held: Held, how: 'stored' | 'published'): void {
    const index = this.#held.indexOf(held);
    if (index < 0) return;
    this.#held.splice(index, 1);
    const level = held.message.priority === 'status' ? 'info' : 'warn';
    this.#log[level](
      { priority: held.message.priority, topic: held.message.topic, how },
      `unstored message ${how}`,
    );
    this.#changed();
  }

  #changed(): void {
    const count = this.#held.length;
    for (const listener of this.#listeners) {
      try {
        listener(count);
      } catch (error) {
        this.#log.error({ err: error }, 'an unstored-messages listener threw');
      }
    }
  }
}
