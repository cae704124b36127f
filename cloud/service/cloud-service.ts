import { silentLogger, type Logger } from '../../shared/logging.js';
import { AccessAdmin } from '../access/access-admin.js';
import { AccessControl } from '../access/access-control.js';
import { accessStoresOf } from '../access/access-stores-set.js';
import { grantedManifestUrl, ModelGrants } from '../access/model-grants.js';
import { openObjectStore, type ObjectStore } from '../../shared/object-store/index.js';
import { AnalysisAgent } from '../analysis/analysis-agent.js';
import { CloudApi } from '../api/cloud-api.js';
import type { CloudConfig } from '../config/cloud-config.js';
import { FleetState } from '../fleet/fleet-state.js';
import { IncidentStore } from '../incidents/incident-store.js';
import { CloudIngest } from '../ingest/cloud-ingest.js';
import { ConfigDelivery } from '../device-config/config-delivery.js';
import { LearningAgent } from '../learning/learning-agent.js';
import { PipelineRetrainer } from '../learning/pipeline-retrainer.js';
import { CloudMetrics } from '../monitoring/cloud-metrics.js';
import { OperatorAlerts } from '../monitoring/operator-alerts.js';
import { ModelRegistry } from '../../factory/registry/model-registry.js';
import { postgresRegistryCatalog } from '../registry/postgres-registry-catalog.js';
import { ResponseAgent, type ActionRecorder } from '../response/response-agent.js';
import { WebhookNotifier } from '../response/webhook-notifier.js';
import { FleetRollout } from '../rollout/fleet-rollout.js';
import { apiAccess, apiPorts } from './api-adapter.js';
import type { DeviceState } from '../contracts/cloud-values.js';
import type { CloudParts, ModelParts } from './cloud-parts.js';
import { countReceived, deviceRoutes, wireEvents, wireSharedLive } from './cloud-wiring.js';
import { PostgresChannel } from '../database/postgres-channel.js';
import { PostgresLeaseStore } from '../database/lease-store.js';
import { responseRepeatsRole, modelWorkRole, Singletons } from './singletons.js';
import {
  dataPath,
  definedOnly,
  fieldDataDir,
  retrainerSettings,
  rolloutSettings,
} from './component-settings.js';
import { readCloudFiles, type CloudFiles } from './cloud-files.js';
import { LiveHub } from './live-hub.js';
import { anomalyRate } from './rollout-behaviour.js';
import { ServingModel } from './serving-model.js';

export interface CloudServiceOptions {
  readonly config: CloudConfig;
  readonly logger?: Logger;
  /** MQTT client id of this worker, which makes its session persistent; random (and clean) by default. */
  readonly clientId?: string;
}

/** How long start-up waits for the broker by default: a supervisor restarts a process that gives up. */
const DEFAULT_BROKER_START_TIMEOUT_S = 5;
/** How long the broker keeps a worker's session by default: far longer than any restart or upgrade. */
const DEFAULT_SESSION_EXPIRY_S = 86_400;

/**
 * The cloud process's composition root: ingest → analysis (fleet state,
 * incidents) → response, with monitoring, the registry, fleet rollout, the
 * learning agent and the HTTP API + dashboard around them. Each component
 * keeps its own SQLite file under `dataDir`, so any one of them could run
 * alone behind a queue. Constructors do no I/O; `create` reads the fleet key.
 */
export class CloudService implements CloudParts {
  /** The store devices write incident recordings to, when it is not the registry's. */
  #recordingStore: ObjectStore | undefined;
  readonly #config: CloudConfig;
  readonly #log: Logger;
  readonly live: LiveHub;
  readonly metrics: CloudMetrics;
  readonly fleet: FleetState;
  readonly incidents: IncidentStore;
  /** With `database:` set: live updates (incidents, decisions, device configs) between the workers sharing it. */
  readonly channel: PostgresChannel | undefined;
  /** With `database:` set: the work one worker at a time runs (alert repeats, rollouts, learning), each behind a lease. */
  readonly singletons: Singletons | undefined;
  readonly analysis: AnalysisAgent;
  readonly notifier: WebhookNotifier;
  readonly response: ResponseAgent;
  readonly alerts: OperatorAlerts;
  readonly ingest: CloudIngest;
  readonly serving: ServingModel;
  readonly models: ModelParts | undefined;
  readonly learning: LearningAgent;
  readonly access: AccessControl;
  readonly accessAdmin: AccessAdmin;
  readonly modelGrants: ModelGrants;
  /** Config messages to devices, kept pending until each device confirms. */
  readonly configs: ConfigDelivery;
  readonly api: CloudApi;
  #started = false;
  #running = false;

  constructor(options: CloudServiceOptions, files: CloudFiles) {
    const config = options.config;
    const signingKeyPem = files.signingKeyPem;
    this.#config = config;
    const logger = options.logger ?? silentLogger();
    this.#log = logger.child({ component: 'cloud' });
    const file = (name: string): string => dataPath(config, name);
    this.live = new LiveHub(logger);
    this.access = new AccessControl({
      stores: accessStoresOf(config),
      ...(config.http.sessionTtlH === undefined ? {} : { sessionTtlMs: config.http.sessionTtlH * 3_600_000 }),
    });
    this.accessAdmin = new AccessAdmin(this.access);
    this.modelGrants = new ModelGrants(files.secrets.modelGrantKey);
    this.fleet = new FleetState({
      ...(config.database === undefined ? { path: file('fleet.sqlite') } : { postgresUrl: config.database }),
      zones: config.zones,
      offlineAfterS: config.alerts.offlineAfterS,
      logger,
    });
    this.incidents = new IncidentStore(
      config.database === undefined
        ? { path: file('incidents.sqlite'), logger }
        : { postgresUrl: config.database, logger },
    );
    this.channel =
      config.database === undefined
        ? undefined
        : new PostgresChannel({ url: config.database, channel: 'emberwatch_live', logger });
    this.analysis = new AnalysisAgent({
      fleet: this.fleet,
      incidents: this.incidents,
      settings: definedOnly(config.analysis),
      logger,
    });
    this.notifier = new WebhookNotifier({
      settings: config.response.delivery,
      defaultSecret: files.secrets.webhookSecret,
      logger,
    });
    const recorder: ActionRecorder = {
      recordAction: (incidentId: string, kind: string, detail: string) => {
        const action = this.incidents.recordAction(incidentId, kind, detail);
        this.live.publish({ type: 'action', action });
        return action;
      },
      // Workers sharing the database hear of the same incidents: the database says who pages.
      ...(config.database === undefined
        ? {}
        : {
            claimPage: (incidentId: string, page: string) => this.incidents.claimPage(incidentId, page),
            current: (incidentId: string) => this.incidents.get(incidentId),
          }),
    };
    this.response = new ResponseAgent({
      settings: config.response,
      recorder,
      notifier: this.notifier,
      // Sharing a database, a worker repeats alerts only while it holds their lease.
      repeatsHeld: config.database === undefined,
      logger,
    });
    this.singletons =
      config.database === undefined
        ? undefined
        : new Singletons({ store: new PostgresLeaseStore(config.database), logger });
    this.singletons?.add('response-repeats', responseRepeatsRole(this));
    // Rollouts and learning share one lease: a retrained model is rolled out by the worker that made it.
    this.singletons?.add('rollout', modelWorkRole(this));
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
      startTimeoutMs: (config.broker.startTimeoutS ?? DEFAULT_BROKER_START_TIMEOUT_S) * 1000,
      ...(config.broker.maxPacketBytes === undefined
        ? {}
        : { maxPayloadBytes: config.broker.maxPacketBytes }),
      ...(options.clientId === undefined
        ? {}
        : {
            clientId: options.clientId,
            sessionExpiryS: config.broker.sessionExpiryS ?? DEFAULT_SESSION_EXPIRY_S,
          }),
      handlers: deviceRoutes(this),
      onReceive: countReceived(this),
      logger,
    });
    this.serving = new ServingModel(this.models?.registry, logger);
    this.configs = new ConfigDelivery({
      ...(config.database === undefined
        ? { databaseFile: dataPath(config, 'device-configs.sqlite') }
        : { postgresUrl: config.database }),
      publisher: { publish: (topic, payload, options) => this.ingest.publish(topic, payload, options) },
      logger,
    });
    this.learning = this.#learningAgent(config, logger);
    const publicHost =
      config.http.publicBaseUrl === undefined ? [] : [new URL(config.http.publicBaseUrl).host];
    this.api = new CloudApi({
      ports: apiPorts(this),
      access: apiAccess(this),
      csrfKey: files.secrets.csrfKey,
      ...(files.httpTls === undefined ? {} : { tls: files.httpTls }),
      allowedHosts: [...publicHost, ...(config.http.allowedHosts ?? [])],
      ...(config.http.loginPerMinute === undefined ? {} : { loginPerMinute: config.http.loginPerMinute }),
      host: config.http.host,
      port: config.http.port,
      logger,
    });
    wireEvents(this);
    if (this.channel !== undefined) wireSharedLive(this, this.channel);
  }

  /**
   * Checks and reads what the service cannot run without, then builds it:
   * the data folder (made owner-only), the broker's CA, the service
   * certificate (not a device's) and its key, the API's TLS files, the
   * secrets file (made on the first run) and the fleet signing key. Any
   * problem is one line (EMBER_ERR_CLOUD_START, EMBER_ERR_BAD_CONFIG) before
   * anything listens or connects.
   */
  static async create(options: CloudServiceOptions): Promise<CloudService> {
    return new CloudService(options, await readCloudFiles(options.config, options.logger ?? silentLogger()));
  }

  /** True between a completed start() and stop(). */
  get running(): boolean {
    return this.#running;
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

  /** Starts every component in order; when one fails, stops those that started and rethrows. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    try {
      await this.#startComponents();
    } catch (error) {
      await this.stop().catch((stopError: unknown) =>
        this.#log.error({ err: stopError }, 'stopping after a failed start failed'),
      );
      throw error;
    }
    this.#running = true;
    this.#log.info({ url: this.api.url }, 'cloud started');
  }

  async #startComponents(): Promise<void> {
    await this.access.start();
    this.fleet.start();
    this.incidents.start();
    await this.channel?.start();
    this.analysis.start();
    await this.response.start();
    // Alerts that were running when the cloud stopped carry on; their webhooks do not hold up the start.
    void this.response.resume(
      this.incidents
        .list({ state: 'open', limit: 1000 })
        .map((incident) => ({ incident, actions: this.incidents.actions(incident.id) })),
    );
    this.singletons?.start();
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
  }

  /** Stops taking messages first, then lets every component finish and close its files. */
  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    this.#running = false;
    await this.ingest.stop();
    await this.api.stop();
    await this.alerts.stop();
    await this.learning.stop();
    await this.#recordingStore?.close();
    await this.configs.stop();
    await this.serving.close();
    if (this.models !== undefined) {
      await this.models.rollout?.stop();
      await this.models.registry.stop();
      await this.models.store.close();
    }
    this.singletons?.stop();
    await this.response.stop();
    this.analysis.stop();
    await this.channel?.stop();
    this.incidents.stop();
    this.fleet.stop();
    await this.access.stop();
    this.#log.info('cloud stopped');
  }

  #modelParts(
    config: CloudConfig,
    signingKeyPem: string | undefined,
    logger: Logger,
  ): ModelParts | undefined {
    if (config.registry === undefined) return undefined;
    const store = openObjectStore(config.registry.store);
    const { catalogFile } = config.registry;
    if (config.database !== undefined && catalogFile !== undefined) {
      logger.warn({ catalogFile }, 'registry.catalogFile is not used: the catalogue is in the database');
    }
    const registry = new ModelRegistry({
      store,
      // Sharing a database, the workers share one catalogue: each sees another's models and decisions at once.
      ...(config.database === undefined
        ? { catalogFile: catalogFile ?? dataPath(config, 'registry-catalog.sqlite') }
        : { catalog: postgresRegistryCatalog(config.database) }),
      logger,
    });
    const rollout =
      signingKeyPem === undefined
        ? undefined
        : new FleetRollout({
            registry,
            publisher: { publish: (topic, payload, options) => this.ingest.publish(topic, payload, options) },
            fleet: { deviceIds: () => this.fleet.deviceIds() },
            signingKeyPem,
            signModelUrl: (version, deviceId, expiresAt) =>
              grantedManifestUrl(
                config.http.publicBaseUrl ?? '',
                this.modelGrants.grant(version, deviceId, expiresAt),
                version,
              ),
            ...(config.database === undefined
              ? { databaseFile: dataPath(config, 'rollouts.sqlite') }
              : { postgresUrl: config.database, shared: true }),
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
    if (config.learning.recordingStore !== undefined) {
      this.#recordingStore = openObjectStore(config.learning.recordingStore);
    }
    const recordings = this.#recordingStore ?? this.models?.store;
    return new LearningAgent({
      // Sharing a database, any worker queues outcomes; the learning lease's holder learns them.
      ...(config.database === undefined
        ? { databaseFile: dataPath(config, 'learning.sqlite') }
        : { postgresUrl: config.database, shared: true }),
      fieldDataDir: fieldDataDir(config),
      ...(recordings === undefined ? {} : { recordingStore: recordings }),
      // Thresholds go through the delivery: numbered, retained, pending until the device confirms.
      publisher: this.configs,
      ...(retrainer === undefined ? {} : { retrainer }),
      ...(rollout === undefined ? {} : { rollout: { start: (input) => rollout.start(input) } }),
      basePolicy: () => this.serving.policy(),
      logger,
    });
  }
}
