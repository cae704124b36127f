import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiAccess } from './access-port.js';
import { unauthenticated } from './api-auth.js';
import { NewTokenBody, NewUserBody, parseInput, UserUpdateBody } from './api-schemas.js';

type NameParams = { Params: { name: string } };
type IdParams = { Params: { id: string } };

function actor(request: FastifyRequest): string {
  if (request.principal === undefined) throw unauthenticated();
  return request.principal.actor;
}

const admin = { config: { access: 'admin' } } as const;

/** People and API tokens, for admins; `emberwatch users|tokens` does the same from the command line. */
export function registerAdminRoutes(app: FastifyInstance, access: ApiAccess): void {
  app.get('/v1/users', admin, async () => ({ users: await access.admin.listUsers() }));

  app.post('/v1/users', admin, async (request, reply) => {
    const body = parseInput(NewUserBody, request.body, 'body');
    return reply.status(201).send({ user: await access.admin.createUser(body, actor(request)) });
  });

  app.patch<NameParams>('/v1/users/:name', admin, async (request) => {
    const body = parseInput(UserUpdateBody, request.body, 'body');
    return { user: await access.admin.updateUser(request.params.name, body, actor(request)) };
  });

  app.delete<NameParams>('/v1/users/:name', admin, async (request) => {
    await access.admin.removeUser(request.params.name, actor(request));
    return { removed: request.params.name };
  });

  app.get('/v1/tokens', admin, async () => ({ tokens: await access.admin.listTokens() }));

  app.post('/v1/tokens', admin, async (request, reply) => {
    const body = parseInput(NewTokenBody, request.body, 'body');
    return reply.status(201).send(await access.admin.createToken(body, actor(request)));
  });

  app.delete<IdParams>('/v1/tokens/:id', admin, async (request) => ({
    token: await access.admin.revokeToken(request.params.id, actor(request)),
  }));
}
