import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { EmberError } from '../../shared/errors.js';
import type { ApiAccess } from './access-port.js';
import { unauthenticated } from './api-auth.js';
import type { ApiPorts } from './api-ports.js';
import { AcknowledgeBody, HistoryQuery, IdParams, IncidentsQuery, ResolveBody } from './api-schemas.js';

function notFound(what: string, id: string): EmberError {
  return new EmberError('EMBER_ERR_API_NOT_FOUND', `no ${what} with id ${JSON.stringify(id)}`);
}

/** The caller as incidents and the audit log name them. */
export function actorOf(request: FastifyRequest): string {
  if (request.principal === undefined) throw unauthenticated();
  return request.principal.actor;
}

const viewer = { access: 'viewer' } as const;
const operator = { access: 'operator' } as const;
const tags = ['fleet'];

/** Devices and incidents: what the fleet looks like and what operators do about it. */
export function registerFleetRoutes(fastify: FastifyInstance, ports: ApiPorts, access: ApiAccess): void {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/v1/devices',
    { config: viewer, schema: { summary: 'Every device with its state, level and last values', tags } },
    async () => ({ devices: await ports.devices() }),
  );

  const one = { summary: 'One device', tags, params: IdParams };
  app.get('/v1/devices/:id', { config: viewer, schema: one }, async (request) => {
    const device = await ports.device(request.params.id);
    if (device === undefined) throw notFound('device', request.params.id);
    return { device };
  });

  const history = {
    summary: "A device's recent history: probability, level and channels, in its own time",
    tags,
    params: IdParams,
    querystring: HistoryQuery,
  };
  app.get('/v1/devices/:id/history', { config: viewer, schema: history }, async (request) => {
    const { since } = request.query;
    const { id } = request.params;
    if ((await ports.device(id)) === undefined) throw notFound('device', id);
    return { deviceId: id, points: await ports.history(id, since) };
  });

  const list = { summary: 'Incidents, newest first', tags, querystring: IncidentsQuery };
  app.get('/v1/incidents', { config: viewer, schema: list }, async (request) => ({
    incidents: await ports.incidents(request.query),
  }));

  const incident = { summary: 'One incident with what was done about it', tags, params: IdParams };
  app.get('/v1/incidents/:id', { config: viewer, schema: incident }, async (request) => {
    const incident = await ports.incident(request.params.id);
    if (incident === undefined) throw notFound('incident', request.params.id);
    return { incident, actions: await ports.actions(incident.id) };
  });

  const acknowledge = {
    summary: 'Acknowledge an open incident',
    tags,
    params: IdParams,
    body: AcknowledgeBody,
  };
  app.post('/v1/incidents/:id/acknowledge', { config: operator, schema: acknowledge }, async (request) => {
    const by = actorOf(request);
    const incident = await ports.acknowledge(request.params.id, by);
    await access.record(by, 'acknowledged', incident.id, `${incident.deviceId} at ${incident.level}`);
    return { incident };
  });

  // Resolving is an operator's: an outcome can make the learning agent change a device's sensitivity.
  const resolve = {
    summary: 'Resolve an incident with its outcome',
    tags,
    params: IdParams,
    body: ResolveBody,
  };
  app.post('/v1/incidents/:id/resolve', { config: operator, schema: resolve }, async (request) => {
    const { outcome, note } = request.body;
    const by = actorOf(request);
    const incident = await ports.resolve(request.params.id, outcome, by, note);
    const detail = `outcome ${outcome} on ${incident.deviceId}${note === undefined ? '' : `: ${note}`}`;
    await access.record(by, 'resolved', incident.id, detail);
    return { incident };
  });
}
