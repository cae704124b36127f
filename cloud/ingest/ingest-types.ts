import type { Logger } from '../../shared/logging.js';
import type { ModelReport } from '../../shared/model/model-report.js';
import type { LinkStatus } from '../../shared/schemas/link-status.js';
import type { AnomalyMessage, StatusMessage, TelemetryMessage } from '../../shared/schemas/messages.js';
import type { IngestBrokerSettings, SpokenProtocol } from './ingest-connection.js';
import type { IngestKind, InvalidReason } from './ingest-message.js';

/**
 * Where valid messages go. `receivedAt` is the cloud's clock (ms since the
 * epoch) when the message arrived. A handler may be async; handlers run one
 * at a time in arrival order.
 */
export interface IngestHandlers {
  anomaly(message: AnomalyMessage, receivedAt: number): void | Promise<void>;
  telemetry(message: TelemetryMessage, receivedAt: number): void | Promise<void>;
  /** The agent's periodic health summary (status topic, `kind: 'health'`). */
  health(message: StatusMessage, receivedAt: number): void | Promise<void>;
  /** The link's retained birth, clean stop or last will (status topic, `state: online|offline`). */
  link(status: LinkStatus, deviceId: string, receivedAt: number): void | Promise<void>;
  report(deviceId: string, report: ModelReport, receivedAt: number): void | Promise<void>;
}

/** What the onReceive hook sees of every message, before its handler runs. */
export type IngestEvent =
  | {
      readonly outcome: 'accepted';
      readonly kind: IngestKind;
      readonly deviceId: string;
      readonly bytes: number;
      readonly receivedAt: number;
    }
  | {
      readonly outcome: 'invalid';
      readonly reason: InvalidReason;
      readonly topic: string;
      readonly bytes: number;
      readonly receivedAt: number;
    };

/** Bounds of the delay between connection attempts (doubling, spread by ±20 %). */
export interface ReconnectBackoff {
  /** Delay before the first retry, ms. */
  readonly minMs: number;
  /** Upper bound of any delay, ms. */
  readonly maxMs: number;
}

export const DEFAULT_RECONNECT: ReconnectBackoff = { minMs: 500, maxMs: 30_000 };

export interface IngestOptions {
  readonly broker: IngestBrokerSettings;
  readonly handlers: IngestHandlers;
  readonly logger?: Logger;
  /** MQTT client id; a random `emberwatch-cloud-xxxxxxxx` by default (each worker needs its own). */
  readonly clientId?: string;
  readonly reconnect?: ReconnectBackoff;
  /** Per connection attempt (TLS + CONNACK). Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** How long start() waits for the first subscription before failing. Default 30 s. */
  readonly startTimeoutMs?: number;
  /** Larger payloads are refused as `too-large`. Default 256 KiB. */
  readonly maxPayloadBytes?: number;
  /** At most one log line per refusal reason (and per failing handler kind) per interval. Default 10 s. */
  readonly invalidLogIntervalMs?: number;
  /** Stored telemetry messages remembered to drop repeats (200,000 by default, fleet-wide). */
  readonly rememberedTelemetry?: number;
  /**
   * Deliveries of one message whose handler keeps failing, before it is
   * acknowledged without its effects (logged, `stats().givenUp`). Failures
   * that pass by themselves (retryable errors: the database away) do not
   * count. Default 5.
   */
  readonly maxAttempts?: number;
  /**
   * A persistent session (needs a stable `clientId`): the broker keeps the
   * subscriptions and queues what devices publish for this many seconds
   * after the ingest disconnects, and sends again what was not
   * acknowledged. A clean session when absent.
   */
  readonly sessionExpiryS?: number;
  /**
   * MQTT 5 Receive Maximum: messages the broker sends before it waits for
   * their PUBACKs (100 by default); the rest waits in its queue.
   */
  readonly receiveMaximum?: number;
  /** Called for every message, e.g. to count it in metrics; must not throw (errors are swallowed). */
  readonly onReceive?: (event: IngestEvent) => void;
  readonly now?: () => number;
}

export interface PublishOptions {
  readonly retain?: boolean;
  /** Default 10 s. */
  readonly timeoutMs?: number;
}

export interface IngestStats {
  readonly connected: boolean;
  readonly protocol: SpokenProtocol | null;
  /** Successful connect + subscribe cycles. */
  readonly connects: number;
  readonly received: Readonly<Record<IngestKind, number>>;
  readonly invalid: Readonly<Record<InvalidReason, number>>;
  readonly handlerErrors: Readonly<Record<IngestKind, number>>;
  /** Messages acknowledged without their effects, their handler having failed on every delivery. */
  readonly givenUp: Readonly<Record<IngestKind, number>>;
  /** Connections closed so that the broker sends again the messages whose handler failed. */
  readonly redeliveries: number;
  /**
   * Telemetry records handed to the handler (each once, packed or not), and
   * stored telemetry messages dropped because they had been handed on before.
   */
  readonly telemetry: { readonly records: number; readonly duplicates: number };
  /** Accepted messages whose handler has not finished yet. */
  readonly pending: number;
}
