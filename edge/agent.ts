import { EmberError } from '../shared/errors.js';
import { DEFAULT_ALARM_POLICY, type AlarmPolicy } from '../shared/alarm/alarm-policy.js';
import { silentLogger, type Logger } from '../shared/logging.js';
import { RuleModel } from '../shared/model/rule-model.js';
import type { ModelReport } from '../shared/model/model-report.js';
import type { ObjectStore } from '../shared/object-store/object-store.js';
import type { EdgeAgentOptions } from './agent-options.js';
import type { DeviceConfigMessage, StatusMessage } from '../shared/schemas/messages.js';
import { deviceTopics } from '../shared/topics.js';
import { readTlsFiles } from '../shared/config/tls-files.js';
import {
  brokerFiles,
  healthIntervalMs,
  linkSettings,
  modelUpdaterSettings,
  outboxOptions,
  pipelineTiming,
} from './agent-settings.js';
import { chooseAlarmPolicy } from './alarm-policy-choice.js';
import { CloudConfigFile } from './cloud-config-file.js';
import type { AgentConfig } from './config/agent-config.js';
import { wireEdge } from './edge-wiring.js';
import { readFleetPublicKey } from './fleet-public-key.js';
import { IotLink } from './link/iot-link.js';
import { seedInitialModel } from './model/initial-model.js';
import { ModelUpdater } from './model/model-updater.js';
import { TelemetryPacker } from './outbox/backlog-packer.js';
import { Drainer } from './outbox/drainer.js';
import { SqliteOutbox } from './outbox/sqlite-outbox.js';
import { UnstoredMessages } from './outbox/unstored-messages.js';
import { homeAssistantBridgeFor, type HomeAssistantBridge } from './home-assistant/home-assistant-bridge.js';
import { DevicePipeline } from './pipeline/device-pipeline.js';
import { IncidentRecorder } from './pipeline/incident-recorder.js';
import { ModelRunner, type ModelProvider } from './pipeline/model-runner.js';
import { scaledClock, type StampingClock } from './scaled-clock.js';
import { systemSerialLines } from './sensors/serial-line.js';
import { SensorSources } from './sensor-sources.js';
import { createMessageIdGenerator } from './outbox/message-id.js';
import { thermalPreview } from './pipeline/thermal-snapshot.js';
import { healthOf, metricsOf, type AgentSnapshot } from './status/agent-report.js';
import { HealthPublisher } from './status/health-publisher.js';
import { healthStatusMessage } from './status/health-status.js';
import { StatusServer } from './status/status-server.js';
import { SensorTroubleWatch } from './status/sensor-trouble.js';
import { storageTrouble } from './status/storage-trouble.js';
import { TroubleBoard } from './status/trouble-board.js';

export type { EdgeAgentOptions } from './agent-options.js';

/**
 * The edge agent's composition root: builds every component from the
 * configuration (constructors do no I/O), has edge-wiring.ts connect them
 * (who hears what is said there, not here), starts them in dependency order
 * (outbox → model → status → sources → pipeline → link → unstored messages →
 * drainer → health status) and stops them in reverse.
 */
export class EdgeAgent {
  readonly #config: AgentConfig;
  readonly #log: Logger;
  readonly #topics;
  readonly #outbox: SqliteOutbox;
  readonly #updater: ModelUpdater | undefined;
  readonly #models: ModelProvider;
  readonly #runner: ModelRunner;
  readonly #pipeline: DevicePipeline;
  readonly #sources: SensorSources;
  readonly #status: StatusServer;
  readonly #link: IotLink;
  readonly #drainer: Drainer;
  readonly #store: ObjectStore | undefined;
  readonly #health: HealthPublisher;
  /** Messages the outbox could not store, kept in memory and sent directly. */
  readonly #unstored: UnstoredMessages;
  /** The cloud's config the device runs, kept beside the outbox. */
  readonly #cloudConfig: CloudConfigFile;
  /** The device's trouble conditions; a change sends a status at once. */
  readonly #trouble = new TroubleBoard();
  readonly #troubleWatch = new SensorTroubleWatch(this.#trouble);
  readonly #homeAssistant: HomeAssistantBridge | undefined;
  #troubleTimer: NodeJS.Timeout | undefined;
  readonly #scale: number;
  readonly #clock: StampingClock;
  readonly #software: string;
  readonly #nextStatusId: () => string;
  #startedAt = 0;
  #cloudPolicy: AlarmPolicy | undefined;
  #started = false;

  constructor(options: EdgeAgentOptions) {
    const config = options.config;
    this.#config = config;
    this.#log = (options.logger ?? silentLogger()).child({ component: 'agent', deviceId: config.deviceId });
    const logger = options.logger ?? silentLogger();
    const scale = options.timeScale ?? 1;
    const clock = scaledClock(scale);
    this.#clock = clock;
    this.#scale = scale;
    this.#software = options.softwareVersion ?? 'unknown';
    this.#nextStatusId = createMessageIdGenerator(clock);
    this.#topics = deviceTopics(config.deviceId);
    this.#cloudConfig = new CloudConfigFile(`${config.outbox.path}-cloud-config.json`, logger);
    this.#outbox = new SqliteOutbox({
      ...outboxOptions(config, logger),
      ...(options.outboxFaults === undefined ? {} : { faults: options.outboxFaults }),
    });
    if (config.snapshotStore !== undefined && options.snapshotStore === undefined) {
      throw new EmberError('EMBER_ERR_BAD_CONFIG', 'config: snapshotStore is opened by EdgeAgent.create()');
    }
    this.#store = options.snapshotStore;
    const model = config.model;
    this.#updater =
      model === undefined
        ? undefined
        : new ModelUpdater({
            settings: modelUpdaterSettings(config, model, options.fleetPublicKeys),
            ...(this.#store === undefined ? {} : { objectStore: this.#store }),
            logger,
            onSwap: () => this.#applyPolicy(),
            onReport: (report) => this.#report(report),
          });
    const rules = new RuleModel();
    this.#models = this.#updater ?? { currentModel: () => rules };
    this.#runner = new ModelRunner(this.#models, logger);
    this.#pipeline = new DevicePipeline({
      deviceId: config.deviceId,
      outbox: this.#outbox,
      runner: this.#runner,
      policy: config.alarm ?? DEFAULT_ALARM_POLICY,
      logger,
      clock,
      ...pipelineTiming(config, scale),
      ...(this.#store === undefined
        ? {}
        : {
            snapshotStore: this.#store,
            recorder: new IncidentRecorder({ deviceId: config.deviceId, store: this.#store, logger }),
          }),
    });
    this.#homeAssistant = homeAssistantBridgeFor(config, {
      software: this.#software,
      logger,
      condition: () => ({ ...this.#pipeline.stats, troubles: this.#trouble.list().length }),
    });
    const lines = options.lines ?? systemSerialLines();
    this.#sources = new SensorSources(config, { scale, lines, logger, clock });
    this.#status = new StatusServer({
      host: config.status.host,
      port: config.status.port,
      logger,
      source: {
        health: async () => healthOf(await this.snapshot()),
        metrics: async () => metricsOf(await this.snapshot()),
      },
    });
    this.#link = new IotLink({
      settings: linkSettings(config, this.#software, options.reconnect, options.brokerCredentials),
      logger,
      urgent: () => this.#alarmWaiting(),
    });
    // A backlog of telemetry drains packed, up to the device payload limit per publish.
    this.#drainer = new Drainer({
      ...options.drainer,
      outbox: this.#outbox,
      publisher: this.#link,
      packer: new TelemetryPacker({ clock }),
      logger,
    });
    this.#unstored = new UnstoredMessages({
      outbox: this.#outbox,
      publisher: this.#link,
      logger,
      nextId: createMessageIdGenerator(clock),
    });
    this.#health = new HealthPublisher({
      outbox: this.#outbox,
      topic: this.#topics.status,
      intervalMs: healthIntervalMs(config, scale),
      build: () => this.healthStatus(),
      logger,
    });
    wireEdge(
      {
        sources: this.#sources,
        pipeline: this.#pipeline,
        troubleWatch: this.#troubleWatch,
        trouble: this.#trouble,
        health: this.#health,
        outbox: this.#outbox,
        unstored: this.#unstored,
        link: this.#link,
        updater: this.#updater,
        homeAssistant: this.#homeAssistant,
        clock,
        log: this.#log,
      },
      {
        noteStorage: () => this.#noteStorage(),
        applyConfig: (message) => void this.#applyCloudConfig(message),
      },
    );
  }

  /**
   * Reads the files the constructor may not (the broker's CA, the device
   * certificate and key, the fleet key: each checked, EMBER_ERR_BAD_CONFIG
   * naming the config field and the file) and opens the snapshot store, then
   * builds the agent. The object store code (with the
   * S3 client, some 20 MB resident) is loaded only when a store is configured.
   */
  static async create(options: EdgeAgentOptions): Promise<EdgeAgent> {
    const model = options.config.model;
    if (model?.initial !== undefined) await seedInitialModel(model.dir, model.initial);
    return EdgeAgent.#createWithFiles(options);
  }

  /** Opens the snapshot store and reads the TLS and fleet key files, one step per call. */
  static async #createWithFiles(options: EdgeAgentOptions): Promise<EdgeAgent> {
    const target = options.config.snapshotStore;
    if (target !== undefined && options.snapshotStore === undefined) {
      const { openObjectStore } = await import('../shared/object-store/open-object-store.js');
      const snapshotStore = openObjectStore(target);
      try {
        return await EdgeAgent.#createWithFiles({ ...options, snapshotStore });
      } catch (error) {
        await snapshotStore.close();
        throw error;
      }
    }
    if (options.brokerCredentials === undefined) {
      const brokerCredentials = await readTlsFiles(brokerFiles(options.config));
      return EdgeAgent.#createWithFiles({ ...options, brokerCredentials });
    }
    const path = options.config.model?.fleetPublicKeyPath;
    if (path === undefined || options.fleetPublicKeys !== undefined) return new EdgeAgent(options);
    return new EdgeAgent({ ...options, fleetPublicKeys: [await readFleetPublicKey(path)] });
  }

  get deviceId(): string {
    return this.#config.deviceId;
  }

  /** `http://host:port` of the status server; only after start(). */
  get statusUrl(): string {
    return this.#status.url;
  }

  get linkOnline(): boolean {
    return this.#link.isOnline();
  }

  get pipeline(): DevicePipeline {
    return this.#pipeline;
  }

  /** The device's trouble conditions: components raise and clear them, statuses report them. */
  get trouble(): TroubleBoard {
    return this.#trouble;
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    await this.#outbox.start();
    // A disk already too full for the reserve is trouble from the first status on.
    this.#noteStorage();
    await this.#updater?.start();
    const kept = await this.#cloudConfig.load();
    if (kept?.alarm !== undefined) this.#cloudPolicy = kept.alarm ?? undefined;
    this.#applyPolicy();
    await this.#status.start();
    await this.#sources.start();
    this.#troubleTimer = setInterval(
      () => this.#troubleWatch.check(this.#sources.snapshot(), this.#clock.now()),
      1000 / this.#scale,
    );
    await this.#pipeline.start();
    await this.#link.start();
    await this.#unstored.start();
    await this.#drainer.start();
    this.#startedAt = this.#clock.now();
    await this.#health.start();
    this.#homeAssistant?.start();
    this.#log.info({ status: this.#status.url, model: this.#modelStatus() }, 'edge agent started');
  }

  /** Stops in reverse order; the pipeline's last messages are stored before the outbox closes. */
  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    await this.#homeAssistant?.stop();
    await this.#health.stop();
    await this.#drainer.stop();
    await this.#link.stop();
    await this.#pipeline.stop();
    clearInterval(this.#troubleTimer);
    this.#troubleTimer = undefined;
    await this.#sources.stop();
    await this.#status.stop();
    await this.#unstored.stop();
    await this.#updater?.stop();
    await this.#outbox.stop();
    await this.#store?.close();
    this.#log.info('edge agent stopped');
  }

  async snapshot(): Promise<AgentSnapshot> {
    const stats = this.#pipeline.stats;
    return {
      deviceId: this.#config.deviceId,
      linkOnline: this.#link.isOnline(),
      model: this.#modelStatus(),
      modelVersion: this.#models.currentModel().version,
      level: stats.level,
      probability: stats.probability,
      steps: stats.steps,
      sensors: this.#sources.snapshot().map((sensor) => ({
        ...sensor,
        implausible: stats.implausible[sensor.id] ?? { count: 0, now: false },
      })),
      outbox: await this.#outbox.stats(),
      trouble: this.#trouble.list(),
      configRevision: this.#cloudConfig.revision,
      now: Date.now(),
      latency: this.#runner.latency(),
      published: this.#drainer.stats.published,
    };
  }

  /** The health status message of this moment, as published on the `status` topic. */
  async healthStatus(): Promise<StatusMessage> {
    const now = this.#clock.now();
    const snapshot = await this.snapshot();
    const wallOf = this.#clock.wallOf;
    const message = healthStatusMessage(snapshot, {
      id: this.#nextStatusId(),
      ts: wallOf(now),
      software: this.#software,
      uptimeS: Math.max(0, wallOf(now) - wallOf(this.#startedAt)) / 1000,
      thermalPngBase64: thermalPreview(this.#pipeline.latestFrame, this.#log),
    });
    // Everything that leaves the device is on the wall clock (see scaledClock).
    return { ...message, trouble: message.trouble?.map((t) => ({ ...t, since: wallOf(t.since) })) };
  }

  /** An alarm or anomaly waits to be sent: the link then retries the broker at a short fixed interval. */
  async #alarmWaiting(): Promise<boolean> {
    if (this.#unstored.urgent > 0) return true;
    const { byPriority } = await this.#outbox.stats();
    return byPriority.alarm.messages + byPriority.anomaly.messages > 0;
  }

  #noteStorage(): void {
    const trouble = storageTrouble(this.#outbox.storage, this.#unstored.size, this.#config.outbox.path);
    this.#trouble.set('storage-failing', 'outbox', trouble.standing, trouble.detail, this.#clock.now());
  }

  /**
   * A config message from the cloud: a new revision replaces the alarm
   * policy override (and is kept on disk); either way a status goes out at
   * once, so the cloud learns which revision runs here.
   */
  async #applyCloudConfig(message: DeviceConfigMessage): Promise<void> {
    if (await this.#cloudConfig.accept(message)) {
      if (message.alarm !== undefined) {
        this.#cloudPolicy = message.alarm ?? undefined;
        this.#applyPolicy();
      }
      this.#log.info({ revision: this.#cloudConfig.revision }, 'cloud config applied');
    }
    this.#health.publishNow();
  }

  #modelStatus(): string {
    return this.#updater?.status() ?? 'rules (no model configured)';
  }

  /** Cloud override, else the configured policy, else the active model's manifest, else the default. */
  #applyPolicy(): void {
    this.#pipeline.setPolicy(
      chooseAlarmPolicy(this.#cloudPolicy, this.#config.alarm, this.#models.currentModel()),
    );
  }

  #report(report: ModelReport): void {
    const message = {
      topic: this.#topics['model/report'],
      payload: Buffer.from(JSON.stringify(report)),
      priority: 'status' as const,
    };
    this.#outbox.enqueue(message).catch((error: unknown) => {
      this.#log.warn({ err: error }, 'model report not stored');
      this.#unstored.hold([message]);
    });
  }
}
