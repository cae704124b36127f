import { EmberError } from '../../shared/errors.js';
import type { ApiAccess } from '../api/access-port.js';
import type { ApiPorts, ModelSummary, Readiness } from '../api/api-ports.js';
import { Predictor } from '../../factory/inference/predictor.js';
import { encodeManifest } from '../../shared/model/model-dir.js';
import { MODEL_FILE } from '../rollout/model-offers.js';
import type { CloudParts } from './cloud-parts.js';
import { resolveIncident } from './cloud-wiring.js';
import { ModelFileCache } from './model-file-cache.js';

/** What /readyz checks: the broker session and a cheap read of each store the API answers from. */
async function readiness(cloud: CloudParts): Promise<Readiness> {
  const probe = async (read: () => unknown): Promise<{ ok: boolean; detail?: string }> => {
    try {
      await read();
      return { ok: true };
    } catch (error) {
      return { ok: false, detail: error instanceof Error ? error.message : String(error) };
    }
  };
  const connected = cloud.ingest.stats().connected;
  const checks = {
    broker: connected ? { ok: true } : { ok: false, detail: 'no session with the broker (reconnecting)' },
    incidents: await probe(() => cloud.incidents.list({ limit: 1 })),
    access: await probe(() => cloud.access.auditEntries({ limit: 1 })),
    started: cloud.running ? { ok: true } : { ok: false, detail: 'starting or stopping' },
  };
  return { ready: Object.values(checks).every((c) => c.ok), checks };
}

function noRegistry(): EmberError {
  return new EmberError('EMBER_ERR_REGISTRY_NOT_FOUND', 'no model registry is configured');
}

/**
 * What the HTTP API and dashboard see of the cloud: reads go straight to
 * the components' stores; actions that hand work on to another component
 * (an operator's resolve) go through the wiring.
 */
export function apiPorts(cloud: CloudParts): ApiPorts {
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
    resolve: (id, outcome, by, note) => resolveIncident(cloud, id, outcome, by, note),
    models: async (): Promise<ModelSummary[]> => {
      const registry = cloud.models?.registry;
      if (registry === undefined) return [];
      return (await registry.list()).map((record) => ({ ...record, metrics: { ...record.metrics } }));
    },
    modelFile: async (version, file) => {
      const served = await files.get(version);
      return file === MODEL_FILE ? served.model : served.manifest;
    },
    approveModel: async (version, by, reason) => {
      const registry = cloud.models?.registry;
      if (registry === undefined) throw noRegistry();
      const gate = await registry.checkGate(version);
      if (!gate.approved) {
        const failing = gate.checks.filter((c) => !c.passed).map((c) => c.reason);
        throw new EmberError(
          'EMBER_ERR_REGISTRY_GATE_REFUSED',
          `the gate refused ${version}: ${failing.join('; ')}`,
        );
      }
      await registry.approve(version, { by, reason, gate });
      return { version, status: 'approved', reasons: gate.reasons };
    },
    rejectModel: async (version, by, reason) => {
      const registry = cloud.models?.registry;
      if (registry === undefined) throw noRegistry();
      await registry.reject(version, { by, reason });
      return { version, status: 'rejected', reasons: [] };
    },
    rollouts: () => cloud.models?.rollout?.list() ?? [],
    canaryShare: () => cloud.config.rollout.canaryShare,
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
    readiness: () => readiness(cloud),
    subscribe: (listener) => cloud.live.subscribe(listener),
  };
}

/** What the API sees of authentication, the audit log and devices' signed model URLs. */
export function apiAccess(cloud: CloudParts): ApiAccess {
  const { access } = cloud;
  return {
    login: (username, password) => access.login(username, password),
    logout: (cookie) => access.logout(cookie),
    sessionPrincipal: (cookie) => access.sessionPrincipal(cookie),
    tokenPrincipal: (token) => access.tokenPrincipal(token),
    record: (actor, action, subject, detail) => access.record(actor, action, subject, detail),
    auditEntries: (query) => access.auditEntries(query),
    modelGrantDevice: (grant, version) => cloud.modelGrants.deviceOf(grant, version),
    admin: cloud.accessAdmin,
  };
}
