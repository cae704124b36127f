import { createHmac, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { setTimeout as sleepFor } from 'node:timers/promises';
import { EmberError } from '../../shared/errors.js';
import { backoffDelayMs } from '../../shared/backoff.js';
import { silentLogger, type Logger } from '../../shared/logging.js';
import {
  WebhookDeliverySettings,
  describeTarget,
  retryAfterMs,
  verdictForStatus,
  type WebhookDeliverySettingsInput,
  type WebhookTarget,
} from './webhook-target.js';

export const SIGNATURE_HEADER = 'x-emberwatch-signature';
export const DELIVERY_HEADER = 'x-emberwatch-delivery';
export const EVENT_HEADER = 'x-emberwatch-event';

/** `sha256=<hex>` of HMAC-SHA256(secret, body), the value of X-Emberwatch-Signature. */
export function webhookSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface DeliverOptions {
  /** Names the kind of message for receivers (X-Emberwatch-Event), e.g. `incident.alert`. */
  readonly event: string;
  /** Who the target is (notify, emergency, escalation, operator), for logs and metrics. */
  readonly purpose: string;
  /** Aborts the delivery, waits between attempts included. */
  readonly signal?: AbortSignal;
}

/** The outcome of one delivery, after its last attempt. */
export interface DeliveryOutcome {
  readonly deliveryId: string;
  readonly event: string;
  readonly purpose: string;
  /** Scheme, host and path only. */
  readonly target: string;
  readonly delivered: boolean;
  readonly attempts: number;
  /** The last HTTP status, or null when no response arrived. */
  readonly status: number | null;
}

/** Sends one payload to one webhook; {@link WebhookNotifier} is the real one. */
export interface WebhookSender {
  deliver(target: WebhookTarget, payload: unknown, options: DeliverOptions): Promise<unknown>;
}

export interface WebhookNotifierEvents {
  delivery: [outcome: DeliveryOutcome];
}

export interface WebhookNotifierOptions {
  readonly settings?: WebhookDeliverySettingsInput;
  /** Signs bodies for targets that name no secret of their own, so every webhook is signed. */
  readonly defaultSecret?: string;
  readonly logger?: Logger;
  /** Uniform in [0, 1); tests may fix the jitter. */
  readonly random?: () => number;
  /** Waits between attempts; rejects when the signal aborts. Tests may record the waits instead. */
  readonly sleep?: (delayMs: number, signal: AbortSignal | undefined) => Promise<void>;
}

function abortableSleep(delayMs: number, signal: AbortSignal | undefined): Promise<void> {
  return sleepFor(delayMs, undefined, signal === undefined ? {} : { signal });
}

interface AttemptResult {
  readonly status: number | null;
  readonly retryAfter: string | null;
  readonly error: string | null;
}

/**
 * POSTs JSON to webhooks, signed and retried. Every attempt of a delivery
 * carries the same X-Emberwatch-Delivery id so a receiver can drop the
 * copies a lost response made us send again.
 */
export class WebhookNotifier extends EventEmitter<WebhookNotifierEvents> implements WebhookSender {
  readonly #settings: WebhookDeliverySettings;
  readonly #log: Logger;
  readonly #random: () => number;
  readonly #defaultSecret: string | undefined;
  readonly #sleep: (delayMs: number, signal: AbortSignal | undefined) => Promise<void>;

  constructor(options: WebhookNotifierOptions = {}) {
    super();
    this.#settings = WebhookDeliverySettings.parse(options.settings ?? {});
    this.#log = (options.logger ?? silentLogger()).child({ component: 'webhook' });
    this.#random = options.random ?? Math.random;
    this.#defaultSecret = options.defaultSecret;
    this.#sleep = options.sleep ?? abortableSleep;
  }

  /**
   * Resolves once a 2xx arrives. Throws EMBER_ERR_WEBHOOK (not retryable)
   * after a status that will never pass (4xx other than 408 and 429), after
   * the last attempt, or when `signal` aborts.
   */
  async deliver(target: WebhookTarget, payload: unknown, options: DeliverOptions): Promise<DeliveryOutcome> {
    const deliveryId = randomUUID();
    const where = describeTarget(target.url);
    const body = JSON.stringify(payload);
    const headers: Record<string, string> = {
      ...ownHeadersRemoved(target.headers),
      'content-type': 'application/json',
      'user-agent': 'emberwatch',
      [DELIVERY_HEADER]: deliveryId,
      [EVENT_HEADER]: options.event,
    };
    const secret = target.secret ?? this.#defaultSecret;
    if (secret !== undefined) headers[SIGNATURE_HEADER] = webhookSignature(secret, body);
    const log = this.#log.child({
      deliveryId,
      target: where,
      purpose: options.purpose,
      event: options.event,
    });

    let last: AttemptResult = { status: null, retryAfter: null, error: null };
    let attempt = 0;
    while (attempt < this.#settings.attempts) {
      attempt++;
      if (options.signal?.aborted === true) break;
      last = await this.#attempt(target.url, headers, body, options.signal);
      const verdict = last.status === null ? 'retry' : verdictForStatus(last.status);
      if (verdict === 'delivered') {
        log.debug({ attempt, status: last.status }, 'webhook delivered');
        return this.#finish({ deliveryId, ...options, target: where }, true, attempt, last.status);
      }
      log.warn({ attempt, status: last.status, error: last.error }, 'webhook attempt failed');
      if (verdict === 'give-up' || attempt >= this.#settings.attempts) break;
      const wait = this.#waitBeforeRetry(attempt, last);
      try {
        await this.#sleep(wait, options.signal);
      } catch {
        break;
      }
    }
    this.#finish({ deliveryId, ...options, target: where }, false, attempt, last.status);
    const why =
      options.signal?.aborted === true
        ? 'cancelled'
        : last.status === null
          ? (last.error ?? 'no response')
          : `HTTP ${last.status}`;
    log.error({ attempts: attempt, status: last.status }, 'webhook gave up');
    throw new EmberError(
      'EMBER_ERR_WEBHOOK',
      `webhook ${where} did not accept ${options.event} (delivery ${deliveryId}) after ${attempt} attempt(s): ${why}`,
      { retryable: false },
    );
  }

  #finish(
    base: Pick<DeliveryOutcome, 'deliveryId' | 'event' | 'purpose' | 'target'>,
    delivered: boolean,
    attempts: number,
    status: number | null,
  ): DeliveryOutcome {
    const outcome: DeliveryOutcome = {
      deliveryId: base.deliveryId,
      event: base.event,
      purpose: base.purpose,
      target: base.target,
      delivered,
      attempts,
      status,
    };
    this.emit('delivery', outcome);
    return outcome;
  }

  #waitBeforeRetry(attempt: number, last: AttemptResult): number {
    if (last.status === 429 || last.status === 503) {
      const asked = retryAfterMs(last.retryAfter, Date.now());
      if (asked !== null) return Math.min(asked, this.#settings.maxDelayMs);
    }
    // Full jitter: many senders retrying one receiver spread out instead of arriving in waves.
    const policy = {
      initialMs: this.#settings.initialDelayMs,
      maxMs: this.#settings.maxDelayMs,
      jitter: 'full' as const,
    };
    return backoffDelayMs(attempt - 1, policy, this.#random);
  }

  async #attempt(
    url: string,
    headers: Record<string, string>,
    body: string,
    signal: AbortSignal | undefined,
  ): Promise<AttemptResult> {
    const timeout = AbortSignal.timeout(this.#settings.timeoutMs);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: signal === undefined ? timeout : AbortSignal.any([timeout, signal]),
      });
      // Read the body so the connection can be reused, but never keep it: it is the receiver's text.
      await response.arrayBuffer().catch(() => undefined);
      return { status: response.status, retryAfter: response.headers.get('retry-after'), error: null };
    } catch (error) {
      return { status: null, retryAfter: null, error: attemptError(error, timeout) };
    }
  }
}

/** The target's extra headers, minus any that would clash with the ones the notifier sets. */
function ownHeadersRemoved(headers: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const lower = name.toLowerCase();
    if (lower === 'content-type' || lower === 'user-agent' || lower.startsWith('x-emberwatch-')) continue;
    kept[name] = value;
  }
  return kept;
}

/** A short reason for a failed request that never includes the URL. */
function attemptError(error: unknown, timeout: AbortSignal): string {
  if (timeout.aborted) return 'timed out';
  if (error instanceof Error && error.name === 'AbortError') return 'cancelled';
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error && 'code' in cause && typeof cause.code === 'string') return cause.code;
  return 'network error';
}
