import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { EmberError } from '../../shared/errors.js';
import { roleAtLeast, ROLES } from '../access/roles.js';
import type { ApiAccess, Principal, RouteAccess } from './access-port.js';
import { hostName } from './host-allowlist.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; every route must say (see registerAccess). */
    access?: RouteAccess;
  }
  interface FastifyRequest {
    /** The authenticated caller of a route that needs a role; undefined elsewhere. */
    principal: Principal | undefined;
  }
}

const ACCESS_VALUES: readonly string[] = ['public', 'device', ...ROLES];
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Health answers whatever the Host: probes use the pod's address, and they reveal nothing. */
const ANY_HOST_PATHS = new Set(['/healthz', '/readyz']);

/** One route as the API registered it: what the route-table test walks. */
export interface RouteEntry {
  readonly method: string;
  readonly url: string;
  readonly access: RouteAccess;
}

export interface AccessSettings {
  readonly access: ApiAccess;
  /** Binds CSRF tokens to the session (HMAC key, at least 32 bytes of secret). */
  readonly csrfKey: string;
  /** Secure cookies: true when the API itself speaks TLS. */
  readonly secureCookies: boolean;
  readonly allowedHosts: ReadonlySet<string>;
  /** Sign-in attempts per minute from one address; 10 by default. */
  readonly loginPerMinute?: number;
}

/** The session cookie's name: `__Host-` pins it to this origin, which browsers allow only on Secure cookies. */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-ew_session' : 'ew_session';
}

export function unauthenticated(
  message = 'sign in, or send an API token (Authorization: Bearer ewt_…)',
): EmberError {
  return new EmberError('EMBER_ERR_API_UNAUTHENTICATED', message);
}

function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

/** The caller: an API token when one is sent (it must be valid), else a session cookie. */
export async function principalOf(
  request: FastifyRequest,
  settings: AccessSettings,
): Promise<Principal | undefined> {
  const token = bearerOf(request);
  if (token !== undefined) return settings.access.tokenPrincipal(token);
  if (request.headers.authorization !== undefined) return undefined;
  const cookie = request.cookies[sessionCookieName(settings.secureCookies)];
  return cookie === undefined || cookie === '' ? undefined : settings.access.sessionPrincipal(cookie);
}

function checkCsrf(app: FastifyInstance, request: FastifyRequest): Promise<void> {
  return new Promise((resolve, reject) => {
    // The plugin's check answers a failure with reply.send(error); catch that as a refusal of our own.
    const refusal = {
      send: (error: unknown) =>
        reject(
          new EmberError('EMBER_ERR_API_FORBIDDEN', 'missing or invalid CSRF token (x-csrf-token)', {
            cause: error,
          }),
        ),
    } as unknown as FastifyReply;
    app.csrfProtection(request, refusal, () => resolve());
  });
}

/**
 * Cookies, CSRF protection, sign-in rate limits, the Host allow-list and
 * the one gate every request passes: each route declares its `access`
 * (public, device, viewer, operator, admin), a route without one cannot be
 * registered, and a caller without the role gets 401 (nobody) or 403 (too
 * weak). Browser sessions must also send their CSRF token with every
 * request that changes something; API tokens need none (no ambient cookie).
 * Runs before the body is read, so nobody anonymous makes the API parse one.
 */
export async function registerAccess(app: FastifyInstance, settings: AccessSettings): Promise<RouteEntry[]> {
  const routes: RouteEntry[] = [];
  app.addHook('onRoute', (route) => {
    const access = route.config?.access;
    if (access === undefined || !ACCESS_VALUES.includes(access)) {
      throw new Error(
        `route ${String(route.method)} ${route.url} declares no access (public, device or a role)`,
      );
    }
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, access });
  });
  app.decorateRequest('principal', undefined);
  await app.register(fastifyCookie);
  await app.register(fastifyCsrf, {
    cookieOpts: { path: '/', sameSite: 'strict', httpOnly: true, secure: settings.secureCookies },
    getUserInfo: (request: FastifyRequest) => request.principal?.sessionId ?? '',
    csrfOpts: { hmacKey: settings.csrfKey },
    getToken: (request: FastifyRequest) => {
      const header = request.headers['x-csrf-token'];
      return typeof header === 'string' ? header : '';
    },
  });
  await app.register(fastifyRateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new EmberError('EMBER_ERR_API_RATE_LIMITED', `too many attempts; try again in ${context.after}`),
  });

  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0] ?? '';
    const host = hostName(request.headers.host);
    if (!ANY_HOST_PATHS.has(path) && (host === undefined || !settings.allowedHosts.has(host))) {
      throw new EmberError(
        'EMBER_ERR_API_HOST_REFUSED',
        `Host ${JSON.stringify((request.headers.host ?? '').slice(0, 100))} is not one this API answers to`,
      );
    }
    const access = request.routeOptions.config.access;
    // Unmatched paths fall through to the 404 handler; public and device routes check their own callers.
    if (access === undefined || access === 'public' || access === 'device') return;
    const principal = await principalOf(request, settings);
    if (principal === undefined) throw unauthenticated();
    request.principal = principal;
    if (!roleAtLeast(principal.role, access)) {
      throw new EmberError(
        'EMBER_ERR_API_FORBIDDEN',
        `${request.method} ${request.routeOptions.url ?? path} needs the ${access} role; ${principal.actor} is ${principal.role}`,
      );
    }
    if (principal.kind === 'user' && !SAFE_METHODS.has(request.method)) await checkCsrf(app, request);
  });
  return routes;
}
