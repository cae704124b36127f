import Fastify, { type FastifyInstance } from 'fastify';
import { EmberError } from '../../shared/errors.js';
import { silentLogger, type Logger } from '../../shared/logging.js';
import { loadDashboardAssets, type DashboardAsset } from '../dashboard/dashboard-assets.js';
import type { ApiAccess } from './access-port.js';
import { registerAdminRoutes } from './admin-routes.js';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { registerAccess, sessionCookieName, type RouteEntry } from './api-auth.js';
import { AssetParams } from './api-schemas.js';
import { ApiMetrics } from './api-metrics.js';
import type { ApiPorts } from './api-ports.js';
import { errorAnswer } from './error-status.js';
import { registerFleetRoutes } from './fleet-routes.js';
import { allowedHostNames, isLoopback } from './host-allowlist.js';
import { EventStreams } from './live-events.js';
import { registerModelRoutes } from './model-routes.js';
import { registerOpenApi } from './openapi.js';
import { registerApiDocs } from './openapi-page.js';
import { registerSessionRoutes } from './session-routes.js';

export interface CloudApiOptions {
  readonly ports: ApiPorts;
  /** Sign-in, sessions, API tokens, the audit log and devices' signed model URLs. */
  readonly access: ApiAccess;
  /** Secret (32+ characters) that binds CSRF tokens to a session. */
  readonly csrfKey: string;
  /** Serve HTTPS with this key and certificate (PEM); cookies are then Secure. */
  readonly tls?: { readonly keyPem: string; readonly certPem: string };
  /** Host names besides loopback and the bound address that requests may name (the public URL's host). */
  readonly allowedHosts?: readonly string[];
  /** Sign-in attempts per minute per address; 10 by default. */
  readonly loginPerMinute?: number;
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

/** The API's own version in its OpenAPI document: bumped when a route or a schema changes incompatibly. */
export const API_VERSION = '1.0.0';

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
  #routes: readonly RouteEntry[] = [];

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

  /** Every route with the access it demands, as registered; empty before start(). */
  get routes(): readonly RouteEntry[] {
    return this.#routes;
  }

  /** Reads the dashboard, builds the routes and listens; EMBER_ERR_API_LISTEN when the address is taken. */
  async start(): Promise<void> {
    if (this.#app !== undefined) return;
    const assets = await loadDashboardAssets(this.#options.dashboardDir);
    const metrics = new ApiMetrics();
    const { tls } = this.#options;
    // The https variant of the instance has the same surface the routes use.
    const app = Fastify({
      logger: false,
      bodyLimit: this.#options.bodyLimit ?? DEFAULT_BODY_LIMIT,
      trustProxy: false,
      forceCloseConnections: true,
      routerOptions: { maxParamLength: 256 },
      ...(tls === undefined ? {} : { https: { key: tls.keyPem, cert: tls.certPem } }),
    }) as unknown as FastifyInstance;
    const streams = new EventStreams(
      this.#options.ports,
      metrics,
      this.#log,
      this.#options.heartbeatMs ?? 15_000,
    );
    const host = this.#options.host ?? '127.0.0.1';
    const port = this.#options.port ?? 0;
    try {
      await this.#configure(app, metrics, streams, assets, host);
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
    const scheme = tls === undefined ? 'http' : 'https';
    this.#url = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
    this.#log.info({ url: this.#url }, 'cloud API listening');
    if (tls === undefined && !isLoopback(host)) {
      this.#log.warn(
        { host },
        'the API listens beyond loopback without TLS: passwords, session cookies and tokens cross the network in clear; set http.tls or put a TLS proxy in front',
      );
    }
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

  async #configure(
    app: FastifyInstance,
    metrics: ApiMetrics,
    streams: EventStreams,
    assets: ReadonlyMap<string, DashboardAsset>,
    host: string,
  ): Promise<void> {
    const { ports, access } = this.#options;
    const secureCookies = this.#options.tls !== undefined;
    // Only JSON bodies: anything else is a 415, not a string the handlers would have to reject.
    app.removeContentTypeParser('text/plain');
    app.setErrorHandler((error, request, reply) => {
      const answer = errorAnswer(error);
      if (answer.unexpected) {
        // The route, not the URL: a device's model URL carries its signed grant.
        const route = request.routeOptions.url ?? 'unmatched';
        this.#log.error({ err: error, method: request.method, route }, 'request failed');
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

    await registerOpenApi(app, {
      version: API_VERSION,
      sessionCookie: sessionCookieName(secureCookies),
    });
    this.#routes = await registerAccess(app, {
      access,
      csrfKey: this.#options.csrfKey,
      secureCookies,
      allowedHosts: allowedHostNames(host, this.#options.allowedHosts),
    });
    const open = { access: 'public' } as const;
    const ops = ['operations'];
    // Liveness: the process answers. Readiness is /readyz.
    const live = { summary: 'Liveness: the process answers', tags: ops };
    app.get('/healthz', { config: open, schema: live }, () => ({ ok: true, eventStreams: streams.size }));
    const ready = {
      summary: 'Readiness: 200 when broker, storage and model are up, else 503 with why',
      tags: ops,
    };
    app.get('/readyz', { config: open, schema: ready }, async (_request, reply) => {
      const readiness = await ports.readiness();
      return reply.status(readiness.ready ? 200 : 503).send(readiness);
    });
    const prom = { summary: 'Prometheus metrics', tags: ops };
    app.get('/metrics', { config: { access: 'viewer' }, schema: prom }, async (_request, reply) => {
      const own = await ports.metrics();
      const text = `${own.text.trimEnd()}\n${await metrics.text()}`;
      return reply.header('content-type', own.contentType).send(text);
    });
    registerSessionRoutes(app, access, {
      secureCookies,
      log: this.#log,
      ...(this.#options.loginPerMinute === undefined ? {} : { loginPerMinute: this.#options.loginPerMinute }),
    });
    registerAdminRoutes(app, access);
    registerFleetRoutes(app, ports, access);
    registerModelRoutes(app, ports, access);
    streams.register(app);
    registerApiDocs(app);

    const dashboard = ['dashboard'];
    const asset = { summary: "The dashboard's scripts and styles", tags: dashboard, params: AssetParams };
    app
      .withTypeProvider<ZodTypeProvider>()
      .get('/assets/:name', { config: open, schema: asset }, (request, reply) => {
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
    const page = { summary: 'The dashboard', tags: dashboard };
    app.get('/', { config: open, schema: page }, (_request, reply) => {
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
