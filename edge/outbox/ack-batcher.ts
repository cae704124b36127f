import type { Logger } from '../../shared/logging.js';
import type { Outbox } from './outbox.js';

/** Longest a PUBACKed message waits for others to be deleted with it. */
const ACK_BATCH_MS = 2;

/**
 * Deletes PUBACKed messages from the outbox in batches. PUBACKs arrive one
 * callback at a time; deleting them in batches costs one commit per batch
 * (at most `batchSize` publishes, or what arrived within 2 ms), not one
 * each. A publish may carry many stored messages (a packed backlog): it
 * counts once. A message's lease lasts until its delete commits.
 */
export class AckBatcher {
  readonly #outbox: Outbox;
  readonly #log: Logger;
  readonly #batchSize: number;
  /** Called when a batch's commit settled (deleted or failed): its leases are gone. */
  readonly #onSettled: () => void;
  readonly #flushLater = (): void => void this.flush();
  /** Acknowledged by the broker, waiting to be deleted in one commit. */
  #ids: string[] = [];
  /** Publishes whose messages are in #ids. */
  #publishes = 0;
  /** Publishes acknowledged and not yet deleted: in #ids or in a commit under way. */
  #deleting = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(outbox: Outbox, log: Logger, batchSize: number, onSettled: () => void) {
    this.#outbox = outbox;
    this.#log = log;
    this.#batchSize = batchSize;
    this.#onSettled = onSettled;
  }

  /** Publishes deleted in one commit at most. */
  get batchSize(): number {
    return this.#batchSize;
  }

  /** Publishes acknowledged and not yet deleted (waiting for a batch, or in a commit under way). */
  get deleting(): number {
    return this.#deleting;
  }

  /** Queues the delete of a PUBACKed publish's messages: at once when the batch is full, else within 2 ms. */
  add(ids: readonly string[]): void {
    this.#ids.push(...ids);
    this.#publishes++;
    this.#deleting++;
    if (this.#publishes >= this.#batchSize) void this.flush();
    else this.#timer ??= setTimeout(this.#flushLater, ACK_BATCH_MS);
  }

  /** Deletes what is waiting now, in one commit; a failed delete is logged (the messages come again). */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#ids;
    const publishes = this.#publishes;
    this.#ids = [];
    this.#publishes = 0;
    if (batch.length === 0) return Promise.resolve();
    return this.#outbox
      .ack(batch)
      .then(
        () => undefined,
        (error: unknown) => {
          this.#log.warn({ err: error, ids: batch }, 'ack failed; the messages will be published again');
        },
      )
      .finally(() => {
        this.#deleting -= publishes;
        this.#onSettled();
      });
  }
}
