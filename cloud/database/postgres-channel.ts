import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import pg from 'pg';
import { backoffDelayMs, DEFAULT_BACKOFF } from '../../shared/backoff.js';
import { EmberError } from '../../shared/errors.js';
import { silentLogger, type Logger } from '../../shared/logging.js';

/** A small JSON message between workers; PostgreSQL caps a notification at 8000 bytes, so send ids, not values. */
export type ChannelMessage = Readonly<Record<string, string | number | boolean | null>>;

export interface PostgresChannelEvents {
  /** A message another worker published (never this one's own). */
  message: [message: ChannelMessage];
}

export interface PostgresChannelOptions {
  readonly url: string;
  /** The LISTEN/NOTIFY channel: letters, digits and underscores. */
  readonly channel: string;
  readonly logger?: Logger;
}

interface Envelope {
  readonly origin: string;
  readonly message: ChannelMessage;
}

/**
 * Messages between the workers sharing one PostgreSQL database, over
 * LISTEN/NOTIFY on one connection of its own. Best effort, as a live view
 * needs: what is published while the connection is down is dropped, and
 * the connection is opened again with backoff.
 */
export class PostgresChannel extends EventEmitter<PostgresChannelEvents> {
  readonly #url: string;
  readonly #channel: string;
  readonly #log: Logger;
  readonly #origin = randomUUID();
  #client: pg.Client | undefined;
  #running = false;
  #attempt = 0;
  #retry: NodeJS.Timeout | undefined;

  constructor(options: PostgresChannelOptions) {
    super();
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(options.channel)) {
      throw new EmberError(
        'EMBER_ERR_DATABASE',
        `channel ${options.channel}: lower-case letters, digits and underscores only`,
      );
    }
    this.#url = options.url;
    this.#channel = options.channel;
    this.#log = (options.logger ?? silentLogger()).child({ component: 'channel', channel: options.channel });
  }

  /** Listens; resolves once the first connection listens (rejects if it cannot be made). */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      await this.#connect();
    } catch (error) {
      this.#running = false;
      throw error;
    }
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#retry !== undefined) clearTimeout(this.#retry);
    this.#retry = undefined;
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  /** Sends `message` to the other workers; never throws (dropped while disconnected). */
  publish(message: ChannelMessage): void {
    const client = this.#client;
    if (client === undefined) return;
    const envelope: Envelope = { origin: this.#origin, message };
    client
      .query('SELECT pg_notify($1, $2)', [this.#channel, JSON.stringify(envelope)])
      .catch((error: unknown) => {
        this.#log.warn({ err: error }, 'could not notify the other workers');
      });
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.#url });
    client.on('notification', (notification) => this.#receive(notification.payload));
    client.on('error', (error) => {
      this.#log.warn({ err: error }, 'channel connection failed; reconnecting');
      this.#lost(client);
    });
    client.on('end', () => this.#lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${this.#channel}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (!this.#running) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
    this.#attempt = 0;
  }

  #lost(broken: pg.Client): void {
    if (!this.#running || this.#client !== broken) return;
    this.#client = undefined;
    broken.end().catch(() => undefined);
    this.#later();
  }

  #later(): void {
    const delay = backoffDelayMs(this.#attempt++, DEFAULT_BACKOFF);
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      if (!this.#running) return;
      this.#connect().catch((error: unknown) => {
        this.#log.warn({ err: error }, 'channel reconnect failed');
        if (this.#running) this.#later();
      });
    }, delay);
  }

  #receive(payload: string | undefined): void {
    try {
      const envelope = JSON.parse(payload ?? '') as Envelope;
      if (envelope.origin === this.#origin || typeof envelope.message !== 'object') return;
      this.emit('message', envelope.message);
    } catch (error) {
      this.#log.warn({ err: error }, 'unreadable channel message dropped');
    }
  }
}
