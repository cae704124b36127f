import Fastify, { type FastifyInstance } from 'fastify';
import { EmberError } from '../../shared/errors.js';
import { silentLogger, type Logger } from '../../shared/logging.js';
import { loadDashboardAssets, type DashboardAsset } from '../dashboard/dashboard-assets.js';
import { ApiMetrics } from './api-metrics.js';
import type { ApiPorts } from './api-ports.js';
import { errorAnswer } from './error-status.js';
import { registerFleetRoutes } from './fleet-routes.js';
import { EventStreams } from './live-events.js';
import { registerModelRoutes } from './model-routes.js';

export interface CloudApiOptions {
  readonly ports: ApiPorts;
  /** 127.0.0.1 by default. */
  readonly host?: string;
  /** 0 (the default) picks a free port; read `url` after start. */
  readonly port?: number;
  readonly logger?: Logger;
  /** Largest request body, bytes; 1 MiB by default. */
  readonly bodyLimit?: number;
  /** Milliseconds between heartbeat comments on event streams; 15 s by default. */
  readonly heartbeatMs?: number;
  /** The dashboard's static folder; see cloud/dashboard/dashboard-assets.ts for the default. */
  readonly dashboardDir?: string;
}

export const DEFAULT_BODY_LIMIT = 1 << 20;

/** Served with the dashboard: scripts, styles and connections only from this origin; thermal images as data URLs. */
const DASHBOARD_CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/**
 * The cloud's HTTP API: fleet, incidents, models, rollouts, learning,
 * alerts, the inference endpoint, live events and the dashboard, over the
 * {@link ApiPorts} the composition root provides.
 */
export class CloudApi {
  readonly #options: CloudApiOptions;
  readonly #log: Logger;
  #app: FastifyInstance | undefined;
  #streams: EventStreams | undefined;
  #url: string | undefined;

  constructor(options: CloudApiOptions) {
    this.#options = options;
    this.#log = (options.logger ?? silentLogger()).child({ component: 'api' });
  }

  /** The base URL, e.g. http://127.0.0.1:41234; throws EMBER_ERR_NOT_STARTED before start(). */
  get url(): string {
    if (this.#url === undefined)
      throw new EmberError('EMBER_ERR_NOT_STARTED', 'the cloud API is not listening');
    return this.#url;
  }

  /** Reads the dashboard, builds the routes and listens; EMBER_ERR_API_LISTEN when the address is taken. */
  async start(): Promise<void> {
    if (this.#app !== undefined) return;
    const assets = await loadDashboardAssets(this.#options.dashboardDir);
    const metrics = new ApiMetrics();
    const app = Fastify({
      logger: false,
      bodyLimit: this.#options.bodyLimit ?? DEFAULT_BODY_LIMIT,
      trustProxy: false,
      forceCloseConnections: true,
      routerOptions: { maxParamLength: 256 },
    });
    const streams = new EventStreams(
      this.#options.ports,
      metrics,
      this.#log,
      this.#options.heartbeatMs ?? 15_000,
    );
    this.#configure(app, metrics, streams, assets);
    const host = this.#options.host ?? '127.0.0.1';
    const port = this.#options.port ?? 0;
    try {
      await app.listen({ host, port });
    } catch (error) {
      await app.close().catch(() => undefined);
      const reason = error instanceof Error ? error.message : String(error);
      throw new EmberError('EMBER_ERR_API_LISTEN', `cloud API cannot listen on ${host}:${port}: ${reason}`, {
        cause: error,
      });
    }
    const address = app.server.address();
    const boundPort = typeof address === 'object' && address !== null ? address.port : port;
    this.#app = app;
    this.#streams = streams;
    this.#url = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
    this.#log.info({ url: this.#url }, 'cloud API listening');
  }

  /** Ends the event streams and closes every connection. */
  async stop(): Promise<void> {
    const app = this.#app;
    if (app === undefined) return;
    this.#app = undefined;
    this.#url = undefined;
    this.#streams?.closeAll();
    this.#streams = undefined;
    await app.close();
    this.#log.info('cloud API stopped');
  }

  #configure(
    app: FastifyInstance,
    metrics: ApiMetrics,
    streams: EventStreams,
    assets: ReadonlyMap<string, DashboardAsset>,
  ): void {
    const { ports } = this.#options;
    // Only JSON bodies: anything else is a 415, not a string the handlers would have to reject.
    app.removeContentTypeParser('text/plain');
    app.setErrorHandler((error, request, reply) => {
      const answer = errorAnswer(error);
      if (answer.unexpected) {
        this.#log.error({ err: error, method: request.method, url: request.url }, 'request failed');
      }
      return reply.status(answer.status).send(answer.body);
    });
    app.setNotFoundHandler((request, reply) => {
      const path = request.url.split('?')[0]?.slice(0, 200) ?? '';
      return reply.status(404).send({
        error: { code: 'EMBER_ERR_API_NOT_FOUND', message: `no route ${request.method} ${path}` },
      });
    });
    app.addHook('onSend', (_request, reply, payload, done) => {
      reply.header('x-content-type-options', 'nosniff');
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
      done(null, payload);
    });
    app.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? 'unmatched';
      metrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
      done();
    });

    app.get('/healthz', () => ({ ok: true, eventStreams: streams.size }));
    app.get('/metrics', async (_request, reply) => {
      const own = await ports.metrics();
      const text = `${own.text.trimEnd()}\n${await metrics.text()}`;
      return reply.header('content-type', own.contentType).send(text);
    });
    registerFleetRoutes(app, ports);
    registerModelRoutes(app, ports);
    streams.register(app);

    app.get<{ Params: { name: string } }>('/assets/:name', (request, reply) => {
      const asset = assets.get(`/assets/${request.params.name}`);
      if (asset === undefined) {
        throw new EmberError(
          'EMBER_ERR_API_NOT_FOUND',
          `no dashboard asset ${JSON.stringify(request.params.name)}`,
        );
      }
      return reply
        .header('content-type', asset.contentType)
        .header('cache-control', 'no-cache')
        .send(Buffer.from(asset.bytes));
    });
    app.get('/', (_request, reply) => {
      const page = assets.get('/');
      if (page === undefined) throw new EmberError('EMBER_ERR_API_NOT_FOUND', 'no dashboard page');
      return reply
        .header('content-type', page.contentType)
        .header('content-security-policy', DASHBOARD_CSP)
        .header('cache-control', 'no-cache')
        .send(Buffer.from(page.bytes));
    });
  }
}
