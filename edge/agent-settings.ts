import type { TlsFileContents, TlsFileFields } from '../shared/config/tls-files.js';
import type { Logger } from '../shared/logging.js';
import type { AgentConfig } from './config/agent-config.js';
import type { LinkSettingsInput } from './link/link-settings.js';
import type { ModelUpdaterSettingsInput } from './model/model-updater-settings.js';
import type { SqliteOutboxOptions } from './outbox/sqlite-outbox.js';
import type { AgentClock } from './scaled-clock.js';
import type { SerialLineFactory } from './sensors/serial-line.js';
import type { SerialSourceOptions } from './sensors/serial-source.js';
import type { ProtocolName } from '../shared/schemas/readings.js';

/*
 * How the agent's config file maps onto each component's settings. Pure:
 * the agent (agent.ts) builds and wires the components. `scale` is emulated
 * seconds per real second (1 on a real gateway).
 */

type ModelConfig = NonNullable<AgentConfig['model']>;
type SensorConfig = AgentConfig['sensors'][number];

/** The outbox file and its quota. */
export function outboxOptions(config: AgentConfig, logger: Logger): SqliteOutboxOptions {
  return {
    path: config.outbox.path,
    ...(config.outbox.quotaBytes === undefined ? {} : { quotaBytes: config.outbox.quotaBytes }),
    ...(config.outbox.reserveBytes === undefined ? {} : { reserveBytes: config.outbox.reserveBytes }),
    logger,
  };
}

/** The model folder, the keys offers must be signed with, and the device offers must name. */
export function modelUpdaterSettings(
  config: AgentConfig,
  model: ModelConfig,
  fleetPublicKeys: readonly string[] | undefined,
): ModelUpdaterSettingsInput {
  return {
    root: model.dir,
    fleetPublicKeys: [...(fleetPublicKeys ?? [])],
    deviceId: config.deviceId,
    ...(model.maxOfferAheadS === undefined ? {} : { maxOfferAheadS: model.maxOfferAheadS }),
  };
}

/** One model step per emulated second; a telemetry record every `telemetryIntervalS` steps. */
export function pipelineTiming(
  config: AgentConfig,
  scale: number,
): { readonly stepIntervalMs: number; readonly telemetryEverySteps: number } {
  return {
    stepIntervalMs: 1000 / scale,
    telemetryEverySteps: Math.max(1, Math.round(config.telemetryIntervalS)),
  };
}

/** What the agent wires into every serial source besides the sensor's own config. */
export interface SourceWiring {
  readonly scale: number;
  readonly lines: SerialLineFactory;
  readonly logger: Logger;
  readonly clock: AgentClock;
}

/** One sensor's serial source; polled modules are polled every 2 emulated seconds (at most every 50 ms). */
export function serialSourceOptions(
  config: AgentConfig,
  sensor: SensorConfig,
  wiring: SourceWiring,
): SerialSourceOptions<ProtocolName> {
  return {
    deviceId: config.deviceId,
    sensorId: sensor.id,
    protocol: sensor.protocol,
    path: sensor.path,
    ...(sensor.baud === undefined ? {} : { baudRate: sensor.baud }),
    pollIntervalMs: Math.max(50, Math.round(2000 / wiring.scale)),
    lines: wiring.lines,
    logger: wiring.logger,
    clock: wiring.clock,
  };
}

/** Link reconnect delays (see `broker.reconnect`); `alarmRetryMs` defaults to 1000. */
export interface LinkReconnect {
  readonly minMs: number;
  readonly maxMs: number;
  readonly alarmRetryMs?: number;
}

/** The broker's TLS files, each with the config field that names it (for errors). */
export function brokerFiles(config: AgentConfig): TlsFileFields {
  const { caPath, certPath, keyPath } = config.broker;
  return {
    ...(caPath === undefined ? {} : { ca: { field: 'broker.caPath', path: caPath } }),
    cert: { field: 'broker.certPath', path: certPath },
    key: { field: 'broker.keyPath', path: keyPath },
  };
}

/**
 * The broker, the device's credentials (the PEM text read and checked at
 * create, else the paths), and the version the link's birth status announces.
 */
export function linkSettings(
  config: AgentConfig,
  softwareVersion: string,
  reconnect: LinkReconnect | undefined,
  credentials?: TlsFileContents,
): LinkSettingsInput {
  const { caPath, certPath, keyPath } = config.broker;
  const files =
    credentials === undefined
      ? { ...(caPath === undefined ? {} : { caPath }), certPath, keyPath }
      : {
          ...(credentials.caPem === undefined ? {} : { caPem: credentials.caPem }),
          certPem: credentials.certPem,
          keyPem: credentials.keyPem,
        };
  return {
    deviceId: config.deviceId,
    ...(config.broker.clientId === undefined ? {} : { clientId: config.broker.clientId }),
    host: config.broker.host,
    port: config.broker.port,
    protocol: config.broker.protocol,
    ...files,
    flowControl: config.broker.flowControl,
    softwareVersion,
    reconnect: reconnect ?? config.broker.reconnect,
  };
}

/** Real ms between health status messages: `statusIntervalS` emulated seconds. */
export function healthIntervalMs(config: AgentConfig, scale: number): number {
  return (config.statusIntervalS * 1000) / scale;
}
