import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ApiAccess } from './access-port.js';
import { unauthenticated } from './api-auth.js';
import { IdParams, NameParams, NewTokenBody, NewUserBody, UserUpdateBody } from './api-schemas.js';

function actor(request: FastifyRequest): string {
  if (request.principal === undefined) throw unauthenticated();
  return request.principal.actor;
}

const admin = { access: 'admin' } as const;
const tags = ['people and tokens'];

/** People and API tokens, for admins; `emberwatch users|tokens` does the same from the command line. */
export function registerAdminRoutes(fastify: FastifyInstance, access: ApiAccess): void {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/v1/users',
    { config: admin, schema: { summary: 'The people who sign in, with their roles', tags } },
    async () => ({ users: await access.admin.listUsers() }),
  );

  const create = { summary: 'Add a person', tags, body: NewUserBody };
  app.post('/v1/users', { config: admin, schema: create }, async (request, reply) =>
    reply.status(201).send({ user: await access.admin.createUser(request.body, actor(request)) }),
  );

  const update = { summary: "Change a person's role or password, or disable them", tags };
  app.patch(
    '/v1/users/:name',
    { config: admin, schema: { ...update, params: NameParams, body: UserUpdateBody } },
    async (request) => ({
      user: await access.admin.updateUser(request.params.name, request.body, actor(request)),
    }),
  );

  const remove = { summary: 'Remove a person', tags, params: NameParams };
  app.delete('/v1/users/:name', { config: admin, schema: remove }, async (request) => {
    await access.admin.removeUser(request.params.name, actor(request));
    return { removed: request.params.name };
  });

  app.get(
    '/v1/tokens',
    { config: admin, schema: { summary: 'API tokens (never their secrets)', tags } },
    async () => ({ tokens: await access.admin.listTokens() }),
  );

  const token = { summary: 'Make an API token; its secret is shown this once', tags, body: NewTokenBody };
  app.post('/v1/tokens', { config: admin, schema: token }, async (request, reply) =>
    reply.status(201).send(await access.admin.createToken(request.body, actor(request))),
  );

  const revoke = { summary: 'Revoke an API token', tags, params: IdParams };
  app.delete('/v1/tokens/:id', { config: admin, schema: revoke }, async (request) => ({
    token: await access.admin.revokeToken(request.params.id, actor(request)),
  }));
}
