import type { FastifyInstance } from 'fastify';
import { EmberError } from '../../shared/errors.js';
import type { ApiPorts } from './api-ports.js';
import { AcknowledgeBody, HistoryQuery, IncidentsQuery, parseInput, ResolveBody } from './api-schemas.js';

type IdParams = { Params: { id: string } };

function notFound(what: string, id: string): EmberError {
  return new EmberError('EMBER_ERR_API_NOT_FOUND', `no ${what} with id ${JSON.stringify(id)}`);
}

/** Devices and incidents: what the fleet looks like and what operators do about it. */
export function registerFleetRoutes(app: FastifyInstance, ports: ApiPorts): void {
  app.get('/v1/devices', async () => ({ devices: await ports.devices() }));

  app.get<IdParams>('/v1/devices/:id', async (request) => {
    const device = await ports.device(request.params.id);
    if (device === undefined) throw notFound('device', request.params.id);
    return { device };
  });

  app.get<IdParams>('/v1/devices/:id/history', async (request) => {
    const { since } = parseInput(HistoryQuery, request.query, 'query');
    const { id } = request.params;
    if ((await ports.device(id)) === undefined) throw notFound('device', id);
    return { deviceId: id, points: await ports.history(id, since) };
  });

  app.get('/v1/incidents', async (request) => {
    const query = parseInput(IncidentsQuery, request.query, 'query');
    return { incidents: await ports.incidents(query) };
  });

  app.get<IdParams>('/v1/incidents/:id', async (request) => {
    const incident = await ports.incident(request.params.id);
    if (incident === undefined) throw notFound('incident', request.params.id);
    return { incident, actions: await ports.actions(incident.id) };
  });

  app.post<IdParams>('/v1/incidents/:id/acknowledge', async (request) => {
    const { by } = parseInput(AcknowledgeBody, request.body, 'body');
    return { incident: await ports.acknowledge(request.params.id, by) };
  });

  app.post<IdParams>('/v1/incidents/:id/resolve', async (request) => {
    const { outcome, by, note } = parseInput(ResolveBody, request.body, 'body');
    return { incident: await ports.resolve(request.params.id, outcome, by, note) };
  });
}
