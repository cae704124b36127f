import type { Logger } from '../../shared/logging.js';
import { backoffDelayMs } from '../../shared/backoff.js';
import { AckBatcher } from './ack-batcher.js';
import { singlePublishes, type BacklogPacker, type PublishGroup } from './backlog-packer.js';
import {
  resolveDrainerSettings,
  type DrainerSettingsInput,
  type ResolvedDrainerSettings,
} from './drainer-settings.js';
import { InFlightPublishes, type Flight } from './in-flight-publishes.js';
import type { Outbox } from './outbox.js';
import type { Publisher } from './publisher.js';
import { TokenBucket } from './token-bucket.js';

export interface DrainerOptions extends DrainerSettingsInput {
  readonly outbox: Outbox;
  readonly publisher: Publisher;
  readonly logger: Logger;
  /** Monotonic clock, ms; `performance` by default. */
  readonly clock?: { now(): number };
  /** Source of backoff jitter, [0, 1). */
  readonly random?: () => number;
  /**
   * Packs a backlog into fewer publishes (the agent's TelemetryPacker);
   * without it every stored message is a publish of its own.
   */
  readonly packer?: BacklogPacker;
}

export interface DrainerStats {
  /** Publishes the broker acknowledged. */
  readonly published: number;
  /** Stored messages those publishes carried (more than `published` when a backlog was packed). */
  readonly delivered: number;
  /** Publishes that failed or timed out (each is retried). */
  readonly failed: number;
  /** Messages leased and not yet deleted: awaiting PUBACK, or their delete awaiting commit. */
  readonly inFlight: number;
  /** Publishes awaiting their PUBACK: what `maxInFlight` bounds. */
  readonly awaitingPuback: number;
  /** Time left in the current backoff after a failed publish; 0 when not backing off. */
  readonly pausedForMs: number;
}

/**
 * Moves messages from the outbox to the broker: leases them in drain order,
 * publishes with QoS 1 keeping at most `maxInFlight` unacknowledged and
 * at most `publishesPerSecond`, acks (deletes) each on PUBACK. With a
 * packer, a lease may hold a backlog: runs of one device's telemetry then
 * go out packed, many stored messages to a publish, each acked or nacked
 * with its publish. A PUBACK
 * frees its window slot at once; its delete joins a batch (one commit per
 * quarter window), and at most another window of acknowledged messages may
 * wait for their delete before leasing pauses.
 *
 * A failed or timed-out publish is nacked (it goes back to its place at the
 * head of its priority) and the drainer pauses with exponential backoff and
 * jitter; messages already in flight finish on their own. So a message can
 * be published more than once (at least once), and is never deleted unless
 * a PUBACK for it arrived. Publishing stops while the publisher is offline
 * and resumes when it signals it is back (or at the next poll).
 */
export class Drainer {
  readonly #outbox: Outbox;
  readonly #publisher: Publisher;
  readonly #settings: ResolvedDrainerSettings;
  readonly #log: Logger;
  readonly #clock: { now(): number };
  readonly #random: () => number;
  readonly #bucket: TokenBucket;
  readonly #packer: BacklogPacker | undefined;
  /** Publishes awaiting PUBACK, with their deadlines. */
  readonly #inFlight: InFlightPublishes;
  /** PUBACKed messages waiting for, or in, their delete's commit. */
  readonly #acks: AckBatcher;
  #unsubscribe: (() => void)[] = [];
  #running = false;
  #pumping = false;
  #pumpAgain = false;
  #timer: NodeJS.Timeout | undefined;
  #pausedUntil = 0;
  #failures = 0;
  #published = 0;
  #delivered = 0;
  #failed = 0;

  constructor(options: DrainerOptions) {
    this.#outbox = options.outbox;
    this.#publisher = options.publisher;
    const {
      outbox: _outbox,
      publisher: _publisher,
      logger: _logger,
      clock: _clock,
      random: _random,
      packer: _packer,
      ...settings
    } = options;
    this.#settings = resolveDrainerSettings(settings);
    this.#log = options.logger.child({ component: 'drainer' });
    this.#clock = options.clock ?? performance;
    this.#random = options.random ?? Math.random;
    this.#packer = options.packer;
    this.#bucket = new TokenBucket(this.#settings.publishesPerSecond, this.#settings.burst, this.#clock);
    const { maxInFlight, publishTimeoutMs } = this.#settings;
    this.#inFlight = new InFlightPublishes(this.#clock, publishTimeoutMs, (_key, flight, error) =>
      this.#onFailed(flight, error),
    );
    // PUBACKs deleted in one commit at most: a quarter of the window.
    this.#acks = new AckBatcher(this.#outbox, this.#log, Math.ceil(maxInFlight / 4), () => this.#wake());
  }

  get stats(): DrainerStats {
    return {
      published: this.#published,
      delivered: this.#delivered,
      failed: this.#failed,
      inFlight: this.#inFlight.size + this.#acks.deleting,
      awaitingPuback: this.#inFlight.size,
      pausedForMs: Math.max(0, this.#pausedUntil - this.#clock.now()),
    };
  }

  /** Starts draining; returns at once. The outbox must be started first. */
  start(): Promise<void> {
    if (this.#running) return Promise.resolve();
    this.#running = true;
    this.#unsubscribe = [this.#outbox.onDurable(() => this.#wake())];
    const offOnline = this.#publisher.onOnline?.(() => {
      // A fresh connection is evidence the broker is reachable: do not sit out an old backoff.
      this.#pausedUntil = 0;
      this.#wake();
    });
    if (offOnline !== undefined) this.#unsubscribe.push(offOnline);
    this.#wake();
    return Promise.resolve();
  }

  /**
   * Stops publishing and gives back the leases of messages still in flight;
   * if their PUBACK arrives later they are still acked (when the outbox is
   * still open), otherwise they are published again after the next start.
   */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#clearTimer();
    this.#inFlight.stopTimeouts();
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    await this.#acks.flush();
    const abandoned = this.#inFlight.abandonAll();
    await this.#outbox.release(abandoned).catch((error: unknown) => {
      this.#log.warn({ err: error }, 'could not release leases at stop');
    });
  }

  /** A method rather than the field, so narrowing does not assume it survives an await. */
  #isRunning(): boolean {
    return this.#running;
  }

  /** Something woke us while the last pass was running. */
  #wantsAnotherPass(): boolean {
    return this.#pumpAgain && this.#running;
  }

  #wake(): void {
    if (!this.#running) return;
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    void this.#pump();
  }

  async #pump(): Promise<void> {
    try {
      for (;;) {
        this.#pumpAgain = false;
        await this.#fill();
        if (!this.#wantsAnotherPass()) break;
      }
    } catch (error) {
      this.#pauseAfterFailure('leasing from the outbox failed', error);
    } finally {
      // Cleared in the same microtask as the last look at #pumpAgain, so no wake-up falls between.
      this.#pumping = false;
    }
  }

  /** Leases and sends until the window, the rate, the link or the outbox says stop. */
  async #fill(): Promise<void> {
    while (this.#running) {
      const now = this.#clock.now();
      if (now < this.#pausedUntil) return this.#wakeIn(this.#pausedUntil - now);
      if (!this.#publisher.isOnline()) return this.#wakeIn(this.#settings.offlinePollMs);
      // The window counts publishes awaiting PUBACK; leases awaiting their delete are bounded separately.
      const { maxInFlight } = this.#settings;
      const room = Math.min(
        maxInFlight - this.#inFlight.size,
        2 * maxInFlight - this.#inFlight.size - this.#acks.deleting,
      );
      if (room <= 0) return; // a settling publish wakes us
      const tokens = this.#bucket.available();
      if (tokens === 0) return this.#wakeIn(this.#bucket.msUntilNext());
      const publishes = Math.min(room, tokens);
      const batch = await this.#outbox.lease(this.#packer?.rowsFor(publishes) ?? publishes);
      if (batch.length === 0) return; // onDurable wakes us
      await Promise.resolve(); // publish outside the lease's turn, as a batch
      const groups = this.#packer?.pack(batch) ?? singlePublishes(batch);
      let sent = 0;
      for (const group of groups) {
        // More groups than publishes when the lease held more than a backlog of telemetry.
        if (sent >= publishes || !this.#isRunning() || !this.#bucket.tryTake()) {
          await this.#outbox.release(group.ids);
          continue;
        }
        sent++;
        this.#send(group);
      }
    }
  }

  #send(group: PublishGroup): void {
    const flight = this.#inFlight.add(group.ids);
    let publish: Promise<void>;
    try {
      publish = this.#publisher.publish(group.topic, group.payload, {
        qos: 1,
        messageId: group.ids[0] ?? '',
      });
    } catch (error) {
      publish = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    publish.then(
      () => this.#onPublished(flight),
      (error: unknown) => this.#onFailed(flight, error),
    );
  }

  #onPublished(flight: Flight): void {
    if (this.#inFlight.settle(flight)) {
      // The broker has it: its window slot is free now, while its lease lasts until the delete commits.
      this.#published++;
      this.#delivered += flight.ids.length;
      this.#failures = 0;
      // Refill in batches of a quarter window: one lease query per batch, not per PUBACK.
      if (this.#settings.maxInFlight - this.#inFlight.size >= this.#acks.batchSize) this.#wake();
    }
    // Even a late PUBACK (after timeout or stop) means the broker has it: delete it, in a batch.
    // Its window slot is free already; #fill leases nothing while the deletes awaiting their
    // commit would exceed another window, so leases never pile up.
    this.#acks.add(flight.ids);
  }

  #onFailed(flight: Flight, error: unknown): void {
    if (!this.#inFlight.settle(flight)) return;
    this.#failed++;
    const ids = flight.ids;
    this.#outbox.nack(ids).catch((nackError: unknown) => {
      this.#log.warn({ err: nackError, ids }, 'nack failed');
    });
    this.#pauseAfterFailure('publish failed', error, ids[0]);
  }

  #pauseAfterFailure(what: string, error: unknown, id?: string): void {
    // Every message in flight fails when the link drops; that is one failure, not twenty.
    if (this.#clock.now() < this.#pausedUntil) return;
    const delay = backoffDelayMs(this.#failures, this.#settings.backoff, this.#random);
    this.#failures++;
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#clock.now() + delay);
    this.#log.warn({ err: error, id, retryInMs: delay, failures: this.#failures }, what);
    this.#wakeIn(delay);
  }

  #wakeIn(ms: number): void {
    if (!this.#running) return;
    this.#clearTimer();
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#wake();
      },
      Math.max(1, ms),
    );
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
