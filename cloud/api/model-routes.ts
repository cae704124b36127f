import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { EmberError } from '../../shared/errors.js';
import type { ApiAccess } from './access-port.js';
import { MODEL_FILES, type ApiPorts, type ModelFileName } from './api-ports.js';
import {
  DecisionBody,
  GrantFileParams,
  ModelFileParams,
  PredictBody,
  RolloutBody,
  VersionParams,
} from './api-schemas.js';
import { actorOf } from './fleet-routes.js';

const FILE_TYPES: Readonly<Record<ModelFileName, string>> = {
  'manifest.json': 'application/json',
  'model.onnx': 'application/octet-stream',
};

function isModelFile(name: string): name is ModelFileName {
  return (MODEL_FILES as readonly string[]).includes(name);
}

function checkedFile(params: { version: string; file: string }): { version: string; file: ModelFileName } {
  if (!isModelFile(params.file)) {
    throw new EmberError('EMBER_ERR_API_NOT_FOUND', `a model has no file ${JSON.stringify(params.file)}`);
  }
  return { version: params.version, file: params.file };
}

async function sendFile(ports: ApiPorts, reply: FastifyReply, version: string, file: ModelFileName) {
  const bytes = await ports.modelFile(version, file);
  return reply
    .header('content-type', FILE_TYPES[file])
    .header('content-length', bytes.byteLength)
    .header('cache-control', 'no-cache')
    .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

const viewer = { access: 'viewer' } as const;
const admin = { access: 'admin' } as const;
const tags = ['models'];

/** Models and their files, approvals, rollouts, learning, alerts and the inference endpoint. */
export function registerModelRoutes(fastify: FastifyInstance, ports: ApiPorts, access: ApiAccess): void {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const predict = {
    summary: "Fire probability and level for readings, from the model in service (the edge's own path)",
    tags: ['inference'],
    body: PredictBody,
  };
  app.post('/v1/predict', { config: viewer, schema: predict }, async (request) => {
    const { deviceId, readings } = request.body;
    return { prediction: await ports.predict(readings, deviceId) };
  });

  const list = { summary: 'Registered models with their status, headline metrics and gate', tags };
  app.get('/v1/models', { config: viewer, schema: list }, async () => ({ models: await ports.models() }));

  const file = { summary: "A model's manifest.json or model.onnx", tags, params: ModelFileParams };
  app.get('/v1/models/:version/:file', { config: viewer, schema: file }, async (request, reply) => {
    const { version, file } = checkedFile(request.params);
    return sendFile(ports, reply, version, file);
  });

  // A device's short-lived signed URL (cloud/access/model-grants.ts): one version's files, nothing else.
  const deviceFile = {
    summary: "A model file through a device's short-lived signed URL from its offer",
    tags,
    params: GrantFileParams,
  };
  app.get(
    '/v1/device-models/:grant/:version/:file',
    { config: { access: 'device' }, schema: deviceFile },
    async (request, reply) => {
      const { version, file } = checkedFile(request.params);
      const deviceId = access.modelGrantDevice(request.params.grant, version);
      if (deviceId === undefined) {
        throw new EmberError(
          'EMBER_ERR_API_FORBIDDEN',
          'this model URL is not valid (altered, expired or for another version)',
        );
      }
      return sendFile(ports, reply, version, file);
    },
  );

  const approve = {
    summary: 'Approve a model; the gate must pass',
    tags,
    params: VersionParams,
    body: DecisionBody,
  };
  app.post('/v1/models/:version/approve', { config: admin, schema: approve }, async (request) => {
    const { version } = request.params;
    const { reason } = request.body;
    const by = actorOf(request);
    const result = await ports.approveModel(version, by, reason);
    await access.record(by, 'approved', version, reason);
    return { model: result };
  });

  const reject = { summary: 'Reject a model', tags, params: VersionParams, body: DecisionBody };
  app.post('/v1/models/:version/reject', { config: admin, schema: reject }, async (request) => {
    const { version } = request.params;
    const { reason } = request.body;
    const by = actorOf(request);
    const result = await ports.rejectModel(version, by, reason);
    await access.record(by, 'rejected', version, reason);
    return { model: result };
  });

  const rollouts = {
    summary: 'Rollouts of models to the fleet, newest first, and the canary share one gets by default',
    tags: ['rollouts'],
  };
  app.get('/v1/rollouts', { config: viewer, schema: rollouts }, async () => ({
    rollouts: await ports.rollouts(),
    canaryShare: ports.canaryShare(),
  }));

  const start = {
    summary: 'Roll an approved model out: canary first, then the fleet',
    tags: ['rollouts'],
    body: RolloutBody,
  };
  app.post('/v1/rollouts', { config: admin, schema: start }, async (request, reply) => {
    const { version, canaryShare } = request.body;
    const rollout = await ports.startRollout(version, canaryShare);
    const share = Math.round(rollout.canaryShare * 100);
    await access.record(
      actorOf(request),
      'rollout-started',
      version,
      `rollout ${rollout.id}, canary ${share} %`,
    );
    return reply.status(201).send({ rollout });
  });

  const decisions = { summary: "The learning agent's decisions and why", tags: ['learning'] };
  app.get('/v1/decisions', { config: viewer, schema: decisions }, async () => ({
    decisions: await ports.decisions(),
  }));

  const alerts = { summary: 'Operator alerts (devices offline, deliveries failing…)', tags: ['fleet'] };
  app.get('/v1/alerts', { config: viewer, schema: alerts }, async () => ({ alerts: await ports.alerts() }));
}
