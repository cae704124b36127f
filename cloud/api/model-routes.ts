import type { FastifyInstance } from 'fastify';
import { EmberError } from '../../shared/errors.js';
import { MODEL_FILES, type ApiPorts, type ModelFileName } from './api-ports.js';
import { parseInput, PredictBody, RolloutBody } from './api-schemas.js';

const FILE_TYPES: Readonly<Record<ModelFileName, string>> = {
  'manifest.json': 'application/json',
  'model.onnx': 'application/octet-stream',
};

function isModelFile(name: string): name is ModelFileName {
  return (MODEL_FILES as readonly string[]).includes(name);
}

/** Models and their files, rollouts, learning, alerts and the inference endpoint. */
export function registerModelRoutes(app: FastifyInstance, ports: ApiPorts): void {
  app.post('/v1/predict', async (request) => {
    const { deviceId, readings } = parseInput(PredictBody, request.body, 'body');
    return { prediction: await ports.predict(readings, deviceId) };
  });

  app.get('/v1/models', async () => ({ models: await ports.models() }));

  app.get<{ Params: { version: string; file: string } }>(
    '/v1/models/:version/:file',
    async (request, reply) => {
      const { version, file } = request.params;
      if (!isModelFile(file)) {
        throw new EmberError('EMBER_ERR_API_NOT_FOUND', `a model has no file ${JSON.stringify(file)}`);
      }
      const bytes = await ports.modelFile(version, file);
      return reply
        .header('content-type', FILE_TYPES[file])
        .header('content-length', bytes.byteLength)
        .header('cache-control', 'no-cache')
        .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    },
  );

  app.get('/v1/rollouts', async () => ({ rollouts: await ports.rollouts() }));

  app.post('/v1/rollouts', async (request, reply) => {
    const { version, canaryShare } = parseInput(RolloutBody, request.body, 'body');
    const rollout = await ports.startRollout(version, canaryShare);
    return reply.status(201).send({ rollout });
  });

  app.get('/v1/decisions', async () => ({ decisions: await ports.decisions() }));

  app.get('/v1/alerts', async () => ({ alerts: await ports.alerts() }));
}
