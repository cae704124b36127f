import { createServer, type Server } from 'node:http';
import { EmberError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logging.js';

/** What the server asks the agent for on each request. */
export interface StatusSource {
  health(): Promise<Record<string, unknown> & { ok: boolean }>;
  metrics(): Promise<string>;
}

export interface StatusServerOptions {
  readonly host: string;
  /** 0 picks a free port (read `port` after start). */
  readonly port: number;
  readonly source: StatusSource;
  readonly logger: Logger;
}

/** The agent's local HTTP endpoint: `GET /healthz` (JSON) and `GET /metrics` (Prometheus text). */
export class StatusServer {
  readonly #options: StatusServerOptions;
  readonly #log: Logger;
  #server: Server | undefined;

  constructor(options: StatusServerOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'status' });
  }

  get port(): number {
    const address = this.#server?.address();
    if (address === null || address === undefined || typeof address === 'string') {
      throw new EmberError('EMBER_ERR_NOT_STARTED', 'the status server is not listening');
    }
    return address.port;
  }

  get url(): string {
    const host = this.#options.host.includes(':') ? `[${this.#options.host}]` : this.#options.host;
    return `http://${host}:${String(this.port)}`;
  }

  async start(): Promise<void> {
    if (this.#server !== undefined) return;
    const server = createServer((request, response) => {
      const path = (request.url ?? '/').split('?')[0];
      const reply = (status: number, type: string, body: string): void => {
        response.writeHead(status, { 'content-type': type }).end(body);
      };
      if (request.method !== 'GET') return reply(405, 'text/plain', 'method not allowed\n');
      const answer =
        path === '/healthz'
          ? this.#options.source
              .health()
              .then((h) => reply(h.ok ? 200 : 503, 'application/json', JSON.stringify(h)))
          : path === '/metrics'
            ? this.#options.source
                .metrics()
                .then((text) => reply(200, 'text/plain; version=0.0.4; charset=utf-8', text))
            : Promise.resolve(reply(404, 'text/plain', 'not found\n'));
      answer.catch((error: unknown) => {
        this.#log.warn({ err: error, path }, 'status request failed');
        if (!response.headersSent) reply(500, 'text/plain', 'internal error\n');
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) =>
        reject(
          new EmberError(
            'EMBER_ERR_STATUS_LISTEN',
            `status server cannot listen on ${this.#options.host}:${String(this.#options.port)}: ${error.message}`,
            { cause: error },
          ),
        ),
      );
      server.listen(this.#options.port, this.#options.host, () => resolve());
    });
    this.#server = server;
    this.#log.info({ url: this.url }, 'status server listening');
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    this.#server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
