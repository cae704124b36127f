import { readTlsFiles } from '../../shared/config/tls-files.js';
import { silentLogger, type Logger } from '../../shared/logging.js';
import { openObjectStore, type ObjectStore } from '../../shared/object-store/index.js';
import { AnalysisAgent } from '../analysis/analysis-agent.js';
import { CloudApi } from '../api/cloud-api.js';
import type { CloudConfig } from '../config/cloud-config.js';
import { FleetState } from '../fleet/fleet-state.js';
import { IncidentStore } from '../incidents/incident-store.js';
import type { IncidentEvent } from '../incidents/incident-types.js';
import { CloudIngest } from '../ingest/cloud-ingest.js';
import { ConfigDelivery } from '../device-config/config-delivery.js';
import { LearningAgent } from '../learning/learning-agent.js';
import { PipelineRetrainer } from '../learning/pipeline-retrainer.js';
import { CloudMetrics } from '../monitoring/cloud-metrics.js';
import { OperatorAlerts } from '../monitoring/operator-alerts.js';
import { ModelRegistry } from '../registry/model-registry.js';
import { ResponseAgent } from '../response/response-agent.js';
import { WebhookNotifier } from '../response/webhook-notifier.js';
import { FleetRollout } from '../rollout/fleet-rollout.js';
import { apiPorts } from './api-adapter.js';
import type { DeviceState } from './cloud-contracts.js';
import {
  dataPath,
  definedOnly,
  fieldDataDir,
  retrainerSettings,
  rolloutSettings,
} from './component-settings.js';
import { readFleetSigningKey } from './fleet-signing-key.js';
import { LiveHub } from './live-hub.js';
import { anomalyRate } from './rollout-behaviour.js';
import { ServingModel } from './serving-model.js';

export interface CloudServiceOptions {
  readonly config: CloudConfig;
  readonly logger?: Logger;
  /** MQTT client id of this worker; random by default. */
  readonly clientId?: string;
}

/** The parts of the cloud that need the fleet key and the registry, built only when both are configured. */
interface ModelParts {
  readonly registry: ModelRegistry;
  readonly store: ObjectStore;
  readonly rollout: FleetRollout | undefined;
}

/**
 * The cloud process's composition root: ingest → analysis (fleet state,
 * incidents) → response, with monitoring, the registry, fleet rollout, the
 * learning agent and the HTTP API + dashboard around them. Each component
 * keeps its own SQLite file under `dataDir`, so any one of them could run
 * alone behind a queue. Constructors do no I/O; `create` reads the fleet key.
 */
export class CloudService {
  readonly #config: CloudConfig;
  readonly #log: Logger;
  readonly live: LiveHub;
  readonly metrics: CloudMetrics;
  readonly fleet: FleetState;
  readonly incidents: IncidentStore;
  readonly analysis: AnalysisAgent;
  readonly notifier: WebhookNotifier;
  readonly response: ResponseAgent;
  readonly alerts: OperatorAlerts;
  readonly ingest: CloudIngest;
  readonly serving: ServingModel;
  readonly models: ModelParts | undefined;
  readonly learning: LearningAgent;
  /** Config messages to devices, kept pending until each device confirms. */
  readonly configs: ConfigDelivery;
  readonly api: CloudApi;
  #started = false;

  constructor(options: CloudServiceOptions, signingKeyPem?: string) {
    const config = options.config;
    this.#config = config;
    const logger = options.logger ?? silentLogger();
    this.#log = logger.child({ component: 'cloud' });
    const file = (name: string): string => dataPath(config, name);
    this.live = new LiveHub(logger);
    this.fleet = new FleetState({
      path: file('fleet.sqlite'),
      zones: config.zones,
      offlineAfterS: config.alerts.offlineAfterS,
      logger,
    });
    this.incidents = new IncidentStore({ path: file('incidents.sqlite'), logger });
    this.analysis = new AnalysisAgent({
      fleet: this.fleet,
      incidents: this.incidents,
      settings: definedOnly(config.analysis),
      logger,
    });
    this.notifier = new WebhookNotifier({ settings: config.response.delivery, logger });
    const recorder = {
      recordAction: (incidentId: string, kind: string, detail: string) => {
        const action = this.incidents.recordAction(incidentId, kind, detail);
        this.live.publish({ type: 'action', action });
        return action;
      },
    };
    this.response = new ResponseAgent({
      settings: config.response,
      recorder,
      notifier: this.notifier,
      logger,
    });
    this.models = this.#modelParts(config, signingKeyPem, logger);
    const rollouts = { list: () => this.models?.rollout?.list() ?? [] };
    this.alerts = new OperatorAlerts({
      settings: config.alerts,
      fleet: this.fleet,
      rollouts,
      notifier: this.notifier,
      logger,
    });
    this.metrics = new CloudMetrics({ fleet: this.fleet, rollouts, alerts: this.alerts });
    this.ingest = new CloudIngest({
      broker: config.broker,
      ...(options.clientId === undefined ? {} : { clientId: options.clientId }),
      handlers: {
        anomaly: (message, receivedAt) => {
          const assessment = this.analysis.handleAnomaly(message, receivedAt);
          if (assessment === undefined) this.metrics.duplicatesDropped.inc({ kind: 'anomaly' });
          else if (assessment.incidentId !== null) {
            this.metrics.anomalyToIncidentSeconds.observe(Math.max(0, Date.now() - receivedAt) / 1000);
          }
        },
        telemetry: (message, receivedAt) => void this.fleet.applyTelemetry(message, receivedAt),
        health: async (message, receivedAt) => {
          this.fleet.applyHealth(message, receivedAt);
          await this.configs.deviceReported(message.deviceId, message.configRevision);
        },
        link: async (status, deviceId, receivedAt) => {
          this.fleet.applyLink(status, receivedAt, deviceId);
          if (status.state !== 'online') return;
          // Back online: what it has not confirmed goes out again, in case the broker lost the retained copy.
          await this.configs.deviceOnline(deviceId);
          await this.models?.rollout?.deviceOnline(deviceId);
        },
        report: async (deviceId, report) => {
          await this.models?.rollout?.handleReport(deviceId, report);
        },
      },
      onReceive: (event) => {
        if (event.outcome === 'accepted') this.metrics.messagesReceived.inc({ kind: event.kind });
        else this.metrics.invalidMessages.inc({ kind: event.reason });
      },
      logger,
    });
    this.serving = new ServingModel(this.models?.registry, logger);
    this.configs = new ConfigDelivery({
      databaseFile: dataPath(config, 'device-configs.sqlite'),
      publisher: { publish: (topic, payload, options) => this.ingest.publish(topic, payload, options) },
      logger,
    });
    this.learning = this.#learningAgent(config, logger);
    this.api = new CloudApi({
      ports: apiPorts(this),
      host: config.http.host,
      port: config.http.port,
      logger,
    });
    this.#wire();
  }

  /**
   * Checks the broker's TLS files and reads the fleet signing key named in
   * the configuration (EMBER_ERR_BAD_CONFIG naming the field and the file),
   * then builds the service.
   */
  static async create(options: CloudServiceOptions): Promise<CloudService> {
    const { broker } = options.config;
    await readTlsFiles({
      ca: { field: 'broker.caPath', path: broker.caPath },
      cert: { field: 'broker.certPath', path: broker.certPath },
      key: { field: 'broker.keyPath', path: broker.keyPath },
    });
    return new CloudService(options, await readFleetSigningKey(options.config));
  }

  /** A device's state with the config last sent to it, as the API and dashboard show it. */
  withConfig(device: DeviceState): DeviceState {
    const config = this.configs.state(device.deviceId);
    return config === undefined ? device : { ...device, config };
  }

  get logger(): Logger {
    return this.#log;
  }

  get url(): string {
    return this.api.url;
  }

  get config(): CloudConfig {
    return this.#config;
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    this.fleet.start();
    this.incidents.start();
    this.analysis.start();
    await this.response.start();
    // Alerts that were running when the cloud stopped carry on; their webhooks do not hold up the start.
    void this.response.resume(
      this.incidents
        .list({ state: 'open', limit: 1000 })
        .map((incident) => ({ incident, actions: this.incidents.actions(incident.id) })),
    );
    if (this.models !== undefined) {
      await this.models.registry.start();
      await this.models.rollout?.start();
    }
    await this.serving.refresh();
    await this.configs.start();
    await this.learning.start();
    await this.alerts.start();
    await this.api.start();
    await this.ingest.start();
    this.#log.info({ url: this.api.url }, 'cloud started');
  }

  /** Stops taking messages first, then lets every component finish and close its files. */
  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    await this.ingest.stop();
    await this.api.stop();
    await this.alerts.stop();
    await this.learning.stop();
    await this.configs.stop();
    await this.serving.close();
    if (this.models !== undefined) {
      await this.models.rollout?.stop();
      await this.models.registry.stop();
      await this.models.store.close();
    }
    await this.response.stop();
    this.analysis.stop();
    this.incidents.stop();
    this.fleet.stop();
    this.#log.info('cloud stopped');
  }

  #modelParts(
    config: CloudConfig,
    signingKeyPem: string | undefined,
    logger: Logger,
  ): ModelParts | undefined {
    if (config.registry === undefined) return undefined;
    const store = openObjectStore(config.registry.store);
    const registry = new ModelRegistry({ store, catalogFile: config.registry.catalogFile, logger });
    const rollout =
      signingKeyPem === undefined
        ? undefined
        : new FleetRollout({
            registry,
            publisher: { publish: (topic, payload, options) => this.ingest.publish(topic, payload, options) },
            fleet: { deviceIds: () => this.fleet.deviceIds() },
            signingKeyPem,
            databaseFile: dataPath(config, 'rollouts.sqlite'),
            settings: rolloutSettings(config),
            alarmBehaviour: {
              anomalyRate: (ids, since, until) => anomalyRate(this.incidents, ids, since, until),
            },
            logger,
          });
    return { registry, store, rollout };
  }

  #learningAgent(config: CloudConfig, logger: Logger): LearningAgent {
    const registry = this.models?.registry;
    const settings = retrainerSettings(config);
    const retrainer =
      registry === undefined || settings === undefined
        ? undefined
        : new PipelineRetrainer({ registry, ...settings, logger });
    const rollout = this.models?.rollout;
    return new LearningAgent({
      databaseFile: dataPath(config, 'learning.sqlite'),
      fieldDataDir: fieldDataDir(config),
      // Thresholds go through the delivery: numbered, retained, pending until the device confirms.
      publisher: this.configs,
      ...(retrainer === undefined ? {} : { retrainer }),
      ...(rollout === undefined ? {} : { rollout: { start: (input) => rollout.start(input) } }),
      basePolicy: () => this.serving.policy(),
      logger,
    });
  }

  /** Live updates, metrics and the hand-offs between components. */
  #wire(): void {
    this.fleet.on('device', (device) =>
      this.live.publish({ type: 'device', device: this.withConfig(device) }),
    );
    this.configs.on('config', (deviceId) => {
      const device = this.fleet.device(deviceId);
      if (device !== undefined) this.live.publish({ type: 'device', device: this.withConfig(device) });
    });
    this.analysis.on('assessment', (assessment, event) => {
      this.live.publish({ type: 'assessment', assessment });
      if (event?.change === 'opened') this.metrics.incidentsOpened.inc({ level: event.incident.level });
    });
    this.incidents.on('incident', (event: IncidentEvent) => {
      this.live.publish({ type: 'incident', incident: event.incident });
      void this.response.handle(event);
    });
    this.alerts.on('alert', (alert) => this.live.publish({ type: 'alert', alert }));
    this.learning.on('decision', (decision) => this.live.publish({ type: 'decision', decision }));
    this.notifier.on('delivery', (outcome) => this.metrics.countDelivery(outcome));
    this.models?.rollout?.on('progress', (rollout) => {
      this.live.publish({ type: 'rollout', rollout });
      if (rollout.state === 'completed') void this.serving.refresh();
    });
  }
}
