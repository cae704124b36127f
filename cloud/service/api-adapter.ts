import { EmberError } from '../../shared/errors.js';
import type { ApiPorts, ModelSummary } from '../api/api-ports.js';
import { Predictor } from '../inference/predictor.js';
import { encodeManifest } from '../../shared/model/model-dir.js';
import { MODEL_FILE } from '../rollout/model-offers.js';
import type { CloudService } from './cloud-service.js';
import { ModelFileCache } from './model-file-cache.js';

function noRegistry(): EmberError {
  return new EmberError('EMBER_ERR_REGISTRY_NOT_FOUND', 'no model registry is configured');
}

/**
 * What the HTTP API and dashboard see of the cloud: reads go straight to
 * the components' stores; an operator's resolve also hands the outcome and
 * the incident's data to the learning agent.
 */
export function apiPorts(cloud: CloudService): ApiPorts {
  const predictor = new Predictor({ model: () => cloud.serving.current() });
  const files = new ModelFileCache(async (version) => {
    const registry = cloud.models?.registry;
    if (registry === undefined) throw noRegistry();
    const { bytes, manifest } = await registry.fetchModel(version);
    return { model: bytes, manifest: encodeManifest(manifest) };
  });
  return {
    devices: () => cloud.fleet.devices().map((device) => cloud.withConfig(device)),
    device: (id) => {
      const device = cloud.fleet.device(id);
      return device === undefined ? undefined : cloud.withConfig(device);
    },
    history: (id, sinceTs) => cloud.fleet.history(id, sinceTs),
    incidents: (query) => cloud.incidents.list(query),
    incident: (id) => cloud.incidents.get(id),
    actions: (incidentId) => cloud.incidents.actions(incidentId),
    acknowledge: (id, by) => cloud.incidents.acknowledge(id, by),
    resolve: (id, outcome, by, note) => {
      const incident = cloud.incidents.resolve(id, outcome, by, note);
      const window = cloud.incidents.dataWindow(id);
      cloud.learning
        .handleOutcome({ incident, outcome, by, ...(note === undefined ? {} : { note }), window })
        .catch((error: unknown) => cloud.logger.error({ err: error, incident: id }, 'outcome not learned'));
      return incident;
    },
    models: async (): Promise<ModelSummary[]> => {
      const registry = cloud.models?.registry;
      if (registry === undefined) return [];
      return (await registry.list()).map((record) => ({ ...record, metrics: { ...record.metrics } }));
    },
    modelFile: async (version, file) => {
      const served = await files.get(version);
      return file === MODEL_FILE ? served.model : served.manifest;
    },
    rollouts: () => cloud.models?.rollout?.list() ?? [],
    startRollout: async (version, canaryShare) => {
      const rollout = cloud.models?.rollout;
      if (rollout === undefined) {
        throw new EmberError('EMBER_ERR_ROLLOUT', 'rollouts need a model registry and a fleet signing key');
      }
      return rollout.start({
        version,
        canaryShare: canaryShare ?? cloud.config.rollout.canaryShare,
      });
    },
    decisions: () => cloud.learning.decisions(),
    alerts: () => cloud.alerts.alerts(),
    metrics: async () => ({ contentType: cloud.metrics.contentType, text: await cloud.metrics.text() }),
    predict: (readings) => predictor.predict(readings),
    subscribe: (listener) => cloud.live.subscribe(listener),
  };
}
