import type { Logger } from '../../shared/logging.js';
import { reasonOf } from './ingest-connection.js';
import {
  DEFAULT_MAX_PAYLOAD_BYTES,
  INGEST_KINDS,
  INVALID_REASONS,
  readDeviceMessage,
  type DeviceMessage,
} from './ingest-message.js';
import type { IngestEvent, IngestHandlers, IngestOptions } from './ingest-types.js';
import { LogThrottle } from './log-throttle.js';
import { DEFAULT_MAX_ATTEMPTS, FailedAttempts, passes, type Settlement } from './redelivery.js';
import { TelemetryDedupe } from './telemetry-dedupe.js';

function zeroes<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}

type IntakeOptions = Pick<
  IngestOptions,
  | 'handlers'
  | 'maxPayloadBytes'
  | 'invalidLogIntervalMs'
  | 'onReceive'
  | 'now'
  | 'rememberedTelemetry'
  | 'maxAttempts'
>;

/** Settles nothing: a QoS 0 message, or one already acknowledged. */
const UNSETTLED: Settlement = { ack: () => undefined, retry: () => undefined };

/**
 * What happens to a message once MQTT.js has it: validation, counting,
 * throttled logging of refusals, and delivery to its handler on a queue
 * that runs handlers one at a time in arrival order. A message is settled
 * once its handler is through: acknowledged when it succeeded, held back
 * for redelivery when it failed (up to `maxAttempts` deliveries unless the
 * failure may pass by itself, as a database away does). No I/O of its own.
 */
export class MessageIntake {
  readonly received = zeroes(INGEST_KINDS);
  readonly invalid = zeroes(INVALID_REASONS);
  readonly handlerErrors = zeroes(INGEST_KINDS);
  /** Messages acknowledged without their effects after `maxAttempts` failed deliveries. */
  readonly givenUp = zeroes(INGEST_KINDS);
  readonly #failures = new FailedAttempts();
  /** Telemetry records handed on, and stored telemetry messages dropped as already handed on. */
  readonly telemetry = { records: 0, duplicates: 0 };
  readonly #dedupe: TelemetryDedupe;
  readonly #throttle: LogThrottle;
  #queue: Promise<void> = Promise.resolve();
  #waiting = 0;

  readonly #options: IntakeOptions;
  readonly #log: Logger;
  constructor(options: IntakeOptions, log: Logger) {
    this.#options = options;
    this.#log = log;
    this.#throttle = new LogThrottle(options.invalidLogIntervalMs ?? 10_000);
    this.#dedupe = new TelemetryDedupe(options.rememberedTelemetry);
  }

  /** Accepted messages whose handler has not finished. */
  get pending(): number {
    return this.#waiting;
  }

  /** Resolves once every message accepted so far has been through its handler. */
  drain(): Promise<void> {
    return this.#queue;
  }

  /**
   * Counts a packet refused on the wire, before it was read whole: the
   * connection it came on was closed (topic unknown, only its size was read).
   */
  refuseOversized(bytes: number, detail: string): void {
    const receivedAt = (this.#options.now ?? Date.now)();
    this.invalid['too-large']++;
    this.#observe({ outcome: 'invalid', reason: 'too-large', topic: '(not read)', bytes, receivedAt });
    this.#warnThrottled(
      'invalid:too-large',
      receivedAt,
      { reason: 'too-large', detail },
      'packet refused, reconnecting',
    );
  }

  /**
   * Reads one message; never throws. Its handler runs later, on the queue;
   * `settlement` is told what to do with its acknowledgement: ack at once
   * for a refused message, after the handler for an accepted one.
   */
  accept(topic: string, payload: Buffer | string, settlement: Settlement = UNSETTLED): void {
    const receivedAt = (this.#options.now ?? Date.now)();
    const bytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
    const result = readDeviceMessage(
      topic,
      bytes,
      this.#options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES,
    );
    if (!result.ok) {
      const { reason, detail } = result.refusal;
      this.invalid[reason]++;
      this.#observe({ outcome: 'invalid', reason, topic, bytes: bytes.byteLength, receivedAt });
      this.#warnThrottled(`invalid:${reason}`, receivedAt, { topic, reason, detail }, 'message refused');
      settlement.ack();
      return;
    }
    const value = result.value;
    this.received[value.kind]++;
    this.#observe({
      outcome: 'accepted',
      kind: value.kind,
      deviceId: value.deviceId,
      bytes: bytes.byteLength,
      receivedAt,
    });
    this.#waiting++;
    this.#queue = this.#queue.then(async () => {
      // Handlers are mostly synchronous (a database round trip): without a turn of the event loop between them a
      // backlog (a resumed session's queue) would hold back every socket, the broker's SUBACK and PINGRESP included.
      await new Promise<void>((resolve) => setImmediate(resolve));
      try {
        await (value.kind === 'telemetry'
          ? this.#deliverTelemetry(value, receivedAt)
          : deliver(value, receivedAt, this.#options.handlers));
        if (this.#failures.size > 0) this.#failures.forget(FailedAttempts.keyOf(topic, bytes));
        settlement.ack();
      } catch (error) {
        this.handlerErrors[value.kind]++;
        const fields = { kind: value.kind, deviceId: value.deviceId, topic, reason: reasonOf(error) };
        this.#warnThrottled(`handler:${value.kind}`, receivedAt, fields, 'message handler failed');
        this.#afterFailure(value.kind, topic, bytes, error, fields, settlement);
      } finally {
        this.#waiting--;
      }
    });
  }

  /**
   * A failed message comes again, unless it failed `maxAttempts` times for
   * a reason that does not pass by itself: a message that always fails its
   * handler would otherwise come back for ever.
   */
  #afterFailure(
    kind: DeviceMessage['kind'],
    topic: string,
    bytes: Buffer,
    error: unknown,
    fields: Record<string, unknown>,
    settlement: Settlement,
  ): void {
    const key = FailedAttempts.keyOf(topic, bytes);
    const attempts = this.#failures.failed(key);
    const maxAttempts = this.#options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (passes(error) || attempts < maxAttempts) {
      settlement.retry();
      return;
    }
    this.#failures.forget(key);
    this.givenUp[kind]++;
    this.#log.error({ ...fields, attempts }, 'message given up: its handler failed on every delivery');
    settlement.ack();
  }

  /** Each stored message of a single or packed publish once, in stored order. */
  async #deliverTelemetry(
    value: Extract<DeviceMessage, { kind: 'telemetry' }>,
    receivedAt: number,
  ): Promise<void> {
    for (const message of value.messages) {
      if (!this.#dedupe.firstTime(value.deviceId, message.id)) {
        this.telemetry.duplicates++;
        continue;
      }
      try {
        await this.#options.handlers.telemetry(message, receivedAt);
      } catch (error) {
        this.#dedupe.forget(value.deviceId, message.id);
        throw error;
      }
      this.telemetry.records += message.records.length;
    }
  }

  #observe(event: IngestEvent): void {
    try {
      this.#options.onReceive?.(event);
    } catch (error) {
      this.#log.debug({ reason: reasonOf(error) }, 'onReceive hook failed');
    }
  }

  #warnThrottled(key: string, now: number, fields: Record<string, unknown>, message: string): void {
    const { log, suppressed } = this.#throttle.take(key, now);
    if (log) this.#log.warn(suppressed > 0 ? { ...fields, suppressed } : fields, message);
  }
}

async function deliver(
  value: Exclude<DeviceMessage, { kind: 'telemetry' }>,
  receivedAt: number,
  handlers: IngestHandlers,
): Promise<void> {
  switch (value.kind) {
    case 'anomaly':
      return handlers.anomaly(value.message, receivedAt);
    case 'health':
      return handlers.health(value.message, receivedAt);
    case 'link':
      return handlers.link(value.message, value.deviceId, receivedAt);
    case 'report':
      return handlers.report(value.deviceId, value.message, receivedAt);
  }
}
