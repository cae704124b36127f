import { Listeners } from '../../shared/listeners.js';
import type { Logger } from '../../shared/logging.js';
import type { StatusMessage } from '../../shared/schemas/messages.js';
import type { NewMessage } from '../outbox/message.js';
import type { Outbox } from '../outbox/outbox.js';

export interface HealthPublisherOptions {
  readonly outbox: Outbox;
  /** The device's `status` topic. */
  readonly topic: string;
  /** Real ms between two statuses (statusIntervalS × 1000, divided by the time scale). */
  readonly intervalMs: number;
  /** Builds the status of this moment. */
  readonly build: () => Promise<StatusMessage>;
  readonly logger: Logger;
}

/**
 * Puts a health status into the outbox (priority `status`, so it drains after
 * alarms and anomalies, and the quota may evict it) right after start and
 * then every interval. Not retained: the link's birth and last will keep the
 * retained slot of the topic.
 */
export class HealthPublisher {
  readonly #options: HealthPublisherOptions;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #published = 0;
  readonly #unstored = new Listeners<[NewMessage]>();

  constructor(options: HealthPublisherOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'health-status' });
  }

  /** Hears of a status the outbox refused (a full disk), to be sent another way. */
  onUnstored(listener: (message: NewMessage) => void): () => void {
    return this.#unstored.add(listener);
  }

  /** Statuses stored in the outbox since construction. */
  get published(): number {
    return this.#published;
  }

  start(): Promise<void> {
    if (this.#timer !== undefined) return Promise.resolve();
    this.#timer = setInterval(() => this.#publish(), this.#options.intervalMs);
    this.#publish();
    return Promise.resolve();
  }

  /** Stops the timer and waits for a status being stored. */
  async stop(): Promise<void> {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** A status right away (a trouble condition changed), if started; the interval goes on as it was. */
  publishNow(): void {
    if (this.#timer !== undefined) this.#publish();
  }

  /** One status now, unless the previous one is still being built (a slow disk skips, never piles up). */
  #publish(): void {
    if (this.#running !== undefined) return;
    this.#running = this.#store().finally(() => (this.#running = undefined));
  }

  async #store(): Promise<void> {
    let message: NewMessage | undefined;
    try {
      const status = await this.#options.build();
      message = {
        topic: this.#options.topic,
        payload: Buffer.from(JSON.stringify(status)),
        priority: 'status',
      };
      await this.#options.outbox.enqueue(message);
      this.#published++;
    } catch (error) {
      this.#log.warn({ err: error }, 'health status not stored');
      if (message !== undefined) this.#unstored.emit(message);
    }
  }
}
