import type { FastifyInstance, FastifyRequest } from 'fastify';
import { EmberError } from '../../shared/errors.js';
import type { ApiAccess } from './access-port.js';
import { unauthenticated } from './api-auth.js';
import type { ApiPorts } from './api-ports.js';
import { AcknowledgeBody, HistoryQuery, IncidentsQuery, parseInput, ResolveBody } from './api-schemas.js';

type IdParams = { Params: { id: string } };

function notFound(what: string, id: string): EmberError {
  return new EmberError('EMBER_ERR_API_NOT_FOUND', `no ${what} with id ${JSON.stringify(id)}`);
}

/** The caller as incidents and the audit log name them. */
export function actorOf(request: FastifyRequest): string {
  if (request.principal === undefined) throw unauthenticated();
  return request.principal.actor;
}

const viewer = { config: { access: 'viewer' } } as const;
const operator = { config: { access: 'operator' } } as const;

/** Devices and incidents: what the fleet looks like and what operators do about it. */
export function registerFleetRoutes(app: FastifyInstance, ports: ApiPorts, access: ApiAccess): void {
  app.get('/v1/devices', viewer, async () => ({ devices: await ports.devices() }));

  app.get<IdParams>('/v1/devices/:id', viewer, async (request) => {
    const device = await ports.device(request.params.id);
    if (device === undefined) throw notFound('device', request.params.id);
    return { device };
  });

  app.get<IdParams>('/v1/devices/:id/history', viewer, async (request) => {
    const { since } = parseInput(HistoryQuery, request.query, 'query');
    const { id } = request.params;
    if ((await ports.device(id)) === undefined) throw notFound('device', id);
    return { deviceId: id, points: await ports.history(id, since) };
  });

  app.get('/v1/incidents', viewer, async (request) => {
    const query = parseInput(IncidentsQuery, request.query, 'query');
    return { incidents: await ports.incidents(query) };
  });

  app.get<IdParams>('/v1/incidents/:id', viewer, async (request) => {
    const incident = await ports.incident(request.params.id);
    if (incident === undefined) throw notFound('incident', request.params.id);
    return { incident, actions: await ports.actions(incident.id) };
  });

  app.post<IdParams>('/v1/incidents/:id/acknowledge', operator, async (request) => {
    parseInput(AcknowledgeBody, request.body, 'body');
    const by = actorOf(request);
    const incident = await ports.acknowledge(request.params.id, by);
    await access.record(by, 'acknowledged', incident.id, `${incident.deviceId} at ${incident.level}`);
    return { incident };
  });

  // Resolving is an operator's: an outcome can make the learning agent change a device's sensitivity.
  app.post<IdParams>('/v1/incidents/:id/resolve', operator, async (request) => {
    const { outcome, note } = parseInput(ResolveBody, request.body, 'body');
    const by = actorOf(request);
    const incident = await ports.resolve(request.params.id, outcome, by, note);
    const detail = `outcome ${outcome} on ${incident.deviceId}${note === undefined ? '' : `: ${note}`}`;
    await access.record(by, 'resolved', incident.id, detail);
    return { incident };
  });
}
