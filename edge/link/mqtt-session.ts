import type { EventEmitter } from 'node:events';
import type { Logger } from '../../shared/logging.js';
import type { ResolvedLinkSettings } from './link-settings.js';

export interface SessionEvents {
  /** A CONNACK arrived (first connect or reconnect). */
  up: [sessionPresent: boolean];
  /** An established connection was lost; the session keeps reconnecting on its own. */
  down: [reason: string];
  /** A PUBLISH arrived on a subscribed filter. */
  message: [topic: string, payload: Buffer];
}

/** One outgoing QoS 1 publish. */
export interface OutgoingMessage {
  readonly topic: string;
  readonly payload: Buffer;
  readonly retain: boolean;
  /** MQTT 5 sends it as the `ember-id` user property; MQTT 3.1.1 cannot carry it outside the payload. */
  readonly messageId?: string;
}

/** A QoS 1, retained, JSON message the broker sends when the connection dies without DISCONNECT. */
export interface LastWill {
  readonly topic: string;
  readonly payload: Buffer;
}

export interface SessionOptions {
  readonly settings: ResolvedLinkSettings;
  readonly will: LastWill;
  readonly log: Logger;
}

/** The user property that carries the outbox message id over MQTT 5. */
export const MESSAGE_ID_PROPERTY = 'ember-id';
/** Every payload the link sends is JSON. */
export const CONTENT_TYPE = 'application/json';

/**
 * One protocol's MQTT client behind what IotLink needs: connect and keep
 * reconnecting with backoff, publish and subscribe at QoS 1, disconnect
 * cleanly. Always a clean session: IotLink subscribes again on every `up`.
 * Constructors do no I/O; TLS contexts are built in start().
 */
export interface MqttSession extends EventEmitter<SessionEvents> {
  start(): void;
  /** Resolves on a successful PUBACK; rejects with EMBER_ERR_LINK_PUBLISH otherwise. */
  publish(message: OutgoingMessage): Promise<void>;
  /** Subscribes at QoS 1; rejects with EMBER_ERR_LINK_SUBSCRIBE naming the filters refused. */
  subscribe(filters: readonly string[]): Promise<void>;
  /** Sends DISCONNECT (no will), stops reconnecting and releases the native client. */
  stop(): Promise<void>;
  /**
   * While disconnected and waiting out a reconnect delay: try now, and start
   * the backoff again from its minimum. Does nothing while connected or while
   * a connect attempt is under way (a slow handshake is never cut short).
   */
  redial(): void;
}

/**
 * A received payload as a Buffer of its own (the SDK hands out ArrayBuffers
 * it may reuse). An empty payload (a retained message cleared) may come as a
 * detached ArrayBuffer, which no view can be built on: it is checked first.
 */
export function copyPayload(payload: ArrayBuffer | ArrayBufferView | string | object | undefined): Buffer {
  if (payload === undefined) return Buffer.alloc(0);
  if (typeof payload === 'string') return Buffer.from(payload, 'utf8');
  if (payload instanceof ArrayBuffer) {
    return payload.byteLength === 0 ? Buffer.alloc(0) : Buffer.from(new Uint8Array(payload));
  }
  if (ArrayBuffer.isView(payload)) {
    if (payload.byteLength === 0) return Buffer.alloc(0);
    return Buffer.from(new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength));
  }
  return Buffer.from(JSON.stringify(payload), 'utf8');
}

/**
 * Wraps a callback the native client calls: an exception thrown back into
 * aws-crt aborts the whole process, so none may escape; it is logged.
 */
export function guarded<A extends unknown[]>(
  log: Logger,
  what: string,
  callback: (...args: A) => void,
): (...args: A) => void {
  return (...args) => {
    try {
      callback(...args);
    } catch (error) {
      log.error({ err: error }, `${what} failed`);
    }
  };
}

/** The message of whatever the SDK reported (CrtError, ICrtError, Error or a string). */
export function reasonOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'error_name' in error) {
    return String((error as { error_name?: unknown }).error_name);
  }
  return String(error);
}

/**
 * Logs a failed connect attempt (`attempt` counts from 1 within one outage):
 * the first failure is news, the rest of a long outage is noise.
 */
export function logConnectFailure(
  log: Logger,
  fields: { readonly attempt: number; readonly retryInMs?: number; readonly reason: string },
): void {
  if (fields.attempt === 1) log.warn(fields, 'connect attempt failed, retrying with backoff');
  else log.debug(fields, 'connect attempt failed');
}
