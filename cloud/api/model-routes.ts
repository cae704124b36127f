import type { FastifyInstance, FastifyReply } from 'fastify';
import { EmberError } from '../../shared/errors.js';
import type { ApiAccess } from './access-port.js';
import { MODEL_FILES, type ApiPorts, type ModelFileName } from './api-ports.js';
import { DecisionBody, ModelVersion, parseInput, PredictBody, RolloutBody } from './api-schemas.js';
import { actorOf } from './fleet-routes.js';

const FILE_TYPES: Readonly<Record<ModelFileName, string>> = {
  'manifest.json': 'application/json',
  'model.onnx': 'application/octet-stream',
};

type FileParams = { Params: { version: string; file: string } };
type VersionParams = { Params: { version: string } };

function isModelFile(name: string): name is ModelFileName {
  return (MODEL_FILES as readonly string[]).includes(name);
}

function checkedFile(params: { version: string; file: string }): { version: string; file: ModelFileName } {
  const version = parseInput(ModelVersion, params.version, 'params.version');
  if (!isModelFile(params.file)) {
    throw new EmberError('EMBER_ERR_API_NOT_FOUND', `a model has no file ${JSON.stringify(params.file)}`);
  }
  return { version, file: params.file };
}

async function sendFile(ports: ApiPorts, reply: FastifyReply, version: string, file: ModelFileName) {
  const bytes = await ports.modelFile(version, file);
  return reply
    .header('content-type', FILE_TYPES[file])
    .header('content-length', bytes.byteLength)
    .header('cache-control', 'no-cache')
    .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

const viewer = { config: { access: 'viewer' } } as const;
const admin = { config: { access: 'admin' } } as const;

/** Models and their files, approvals, rollouts, learning, alerts and the inference endpoint. */
export function registerModelRoutes(app: FastifyInstance, ports: ApiPorts, access: ApiAccess): void {
  app.post('/v1/predict', viewer, async (request) => {
    const { deviceId, readings } = parseInput(PredictBody, request.body, 'body');
    return { prediction: await ports.predict(readings, deviceId) };
  });

  app.get('/v1/models', viewer, async () => ({ models: await ports.models() }));

  app.get<FileParams>('/v1/models/:version/:file', viewer, async (request, reply) => {
    const { version, file } = checkedFile(request.params);
    return sendFile(ports, reply, version, file);
  });

  // A device's short-lived signed URL (cloud/access/model-grants.ts): one version's files, nothing else.
  app.get<{ Params: { grant: string; version: string; file: string } }>(
    '/v1/device-models/:grant/:version/:file',
    { config: { access: 'device' } },
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

  app.post<VersionParams>('/v1/models/:version/approve', admin, async (request) => {
    const version = parseInput(ModelVersion, request.params.version, 'params.version');
    const { reason } = parseInput(DecisionBody, request.body, 'body');
    const by = actorOf(request);
    const result = await ports.approveModel(version, by, reason);
    await access.record(by, 'approved', version, reason);
    return { model: result };
  });

  app.post<VersionParams>('/v1/models/:version/reject', admin, async (request) => {
    const version = parseInput(ModelVersion, request.params.version, 'params.version');
    const { reason } = parseInput(DecisionBody, request.body, 'body');
    const by = actorOf(request);
    const result = await ports.rejectModel(version, by, reason);
    await access.record(by, 'rejected', version, reason);
    return { model: result };
  });

  app.get('/v1/rollouts', viewer, async () => ({ rollouts: await ports.rollouts() }));

  app.post('/v1/rollouts', admin, async (request, reply) => {
    const { version, canaryShare } = parseInput(RolloutBody, request.body, 'body');
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

  app.get('/v1/decisions', viewer, async () => ({ decisions: await ports.decisions() }));

  app.get('/v1/alerts', viewer, async () => ({ alerts: await ports.alerts() }));
}
