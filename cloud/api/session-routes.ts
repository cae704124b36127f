import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from '../../shared/logging.js';
import type { ApiAccess, Principal } from './access-port.js';
import { sessionCookieName, unauthenticated } from './api-auth.js';
import { AuditQuery, LoginBody } from './api-schemas.js';

/** What the dashboard learns of its caller. */
function whoAmI(principal: Principal): { name: string; role: string; kind: string } {
  return { name: principal.name, role: principal.role, kind: principal.kind };
}

/** A CSRF token bound to the session, for the dashboard to send back in `x-csrf-token`. */
function csrfTokenFor(reply: FastifyReply, principal: Principal): string | null {
  return principal.sessionId === undefined ? null : reply.generateCsrf({ userInfo: principal.sessionId });
}

function principal(request: FastifyRequest): Principal {
  if (request.principal === undefined) throw unauthenticated();
  return request.principal;
}

/** Sign-in, who am I, sign-out, and the audit log. */
export function registerSessionRoutes(
  fastify: FastifyInstance,
  access: ApiAccess,
  options: { readonly secureCookies: boolean; readonly loginPerMinute?: number; readonly log: Logger },
): void {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['session and audit'];
  const cookieName = sessionCookieName(options.secureCookies);
  const cookieOptions = {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure: options.secureCookies,
  } as const;

  app.post(
    '/v1/session',
    {
      config: {
        access: 'public',
        rateLimit: { max: options.loginPerMinute ?? 10, timeWindow: 60_000 },
      },
      schema: {
        summary: 'Sign in: sets the session cookie and gives the CSRF token for changes',
        tags,
        body: LoginBody,
      },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      const remote = request.socket.remoteAddress ?? 'unknown';
      let session: Awaited<ReturnType<ApiAccess['login']>>;
      try {
        session = await access.login(username, password);
      } catch (error) {
        // Not the name typed: people paste passwords and tokens into the wrong field.
        options.log.warn({ remote }, 'sign-in refused');
        throw error;
      }
      options.log.info({ username, remote }, 'signed in');
      reply.setCookie(cookieName, session.cookie, { ...cookieOptions, expires: new Date(session.expiresAt) });
      return {
        user: whoAmI(session.principal),
        csrfToken: csrfTokenFor(reply, session.principal),
        expiresAt: session.expiresAt,
      };
    },
  );

  const who = { summary: 'Who is calling, and a CSRF token for a session', tags };
  app.get('/v1/session', { config: { access: 'viewer' }, schema: who }, (request, reply) => {
    const caller = principal(request);
    return { user: whoAmI(caller), csrfToken: csrfTokenFor(reply, caller) };
  });

  const signOut = { summary: 'Sign out', tags };
  app.delete('/v1/session', { config: { access: 'viewer' }, schema: signOut }, async (request, reply) => {
    const cookie = request.cookies[cookieName];
    if (principal(request).kind === 'user' && cookie !== undefined) await access.logout(cookie);
    reply.clearCookie(cookieName, cookieOptions);
    return { signedOut: true };
  });

  const audit = { summary: 'The audit log, newest first', tags, querystring: AuditQuery };
  app.get('/v1/audit', { config: { access: 'viewer' }, schema: audit }, async (request) => ({
    entries: await access.auditEntries(request.query),
  }));
}
