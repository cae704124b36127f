import { badConfig, parseConfigSection, readConfigFile } from '../../shared/config/config-file.js';
import { z } from 'zod';
import { AlarmPolicy } from '../../shared/alarm/alarm-policy.js';
import { ProtocolName } from '../../shared/schemas/readings.js';
import { DeviceId, isClientIdOf } from '../../shared/topics.js';

const text = z.string().min(1);

export const SensorConfig = z.strictObject({
  id: text,
  protocol: ProtocolName,
  path: text,
  baud: z.number().int().positive().optional(),
});

/** The edge agent's configuration file (YAML or JSON). */
export const AgentConfig = z
  .strictObject({
    deviceId: DeviceId,
    sensors: z.array(SensorConfig).min(1),
    broker: z.strictObject({
      host: text,
      port: z.number().int().min(1).max(65_535).default(8883),
      protocol: z.enum(['mqtt311', 'mqtt5']).default('mqtt311'),
      /** MQTT client id when not the device id: `{deviceId}#{suffix}` (beside a Greengrass nucleus). */
      clientId: text.optional(),
      caPath: text.optional(),
      certPath: text,
      keyPath: text,
      flowControl: z.enum(['aws-iot-core', 'none']).default('aws-iot-core'),
      /**
       * Reconnect delays: exponential from minMs to maxMs with jitter; while an
       * alarm or anomaly waits to be sent, every alarmRetryMs instead.
       */
      reconnect: z
        .strictObject({
          minMs: z.number().int().min(100).max(3_600_000).default(1000),
          maxMs: z.number().int().min(100).max(3_600_000).default(60_000),
          alarmRetryMs: z.number().int().min(100).max(60_000).default(1000),
        })
        .refine((r) => r.minMs <= r.maxMs, { message: 'minMs must not exceed maxMs', path: ['minMs'] })
        .prefault({}),
    }),
    /** Absent: the rules model runs. */
    model: z
      .strictObject({
        /** The models folder the updater owns (state.json, versions/). */
        dir: text,
        fleetPublicKeyPath: text,
        /** An offer dated further ahead of this device's clock is refused for now (a clock fault). */
        maxOfferAheadS: z.number().int().positive().optional(),
        /**
         * The model a device starts with while its folder runs none (first start):
         * `shipped` for the package's own model, or a model folder. Absent: the rules run until an offer.
         */
        initial: text.optional(),
      })
      .optional(),
    outbox: z.strictObject({
      path: text,
      quotaBytes: z.number().int().positive().optional(),
      /** Disk space kept in a file beside the database for alarms and anomalies when the disk fills up; 0 turns it off. */
      reserveBytes: z.number().int().min(0).optional(),
    }),
    /** Replaces the model manifest's alarm policy. */
    alarm: AlarmPolicy.optional(),
    status: z
      .strictObject({
        host: text.default('127.0.0.1'),
        port: z.number().int().min(0).max(65_535).default(9464),
      })
      .prefault({}),
    telemetryIntervalS: z.number().positive().max(3600).default(10),
    /** Seconds between health status messages on the device's `status` topic. */
    statusIntervalS: z.number().positive().max(86_400).default(30),
    /** Object store (folder, file:// or s3://) for thermal snapshots too large to send inline. */
    snapshotStore: text.optional(),
    /** Home Assistant MQTT discovery on the owner's broker; absent: off. */
    homeAssistant: z
      .strictObject({
        url: z.string().regex(/^mqtts?:\/\/[^\s/]+/, 'expected mqtt://HOST[:PORT] or mqtts://HOST[:PORT]'),
        username: text.optional(),
        /** Better given as EMBERWATCH_HOME_ASSISTANT_PASSWORD than written here. */
        password: text.optional(),
        discoveryPrefix: z
          .string()
          .regex(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, 'expected topic levels of A-Z a-z 0-9 _ -')
          .default('homeassistant'),
        topicRoot: z
          .string()
          .regex(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, 'expected topic levels of A-Z a-z 0-9 _ -')
          .default('emberwatch'),
        stateIntervalS: z.number().positive().max(3600).default(30),
      })
      .optional(),
  })
  .superRefine((config, context) => {
    const clientId = config.broker.clientId;
    if (clientId !== undefined && !isClientIdOf(config.deviceId, clientId)) {
      context.addIssue({
        code: 'custom',
        path: ['broker', 'clientId'],
        message: `must be ${config.deviceId} or ${config.deviceId}#SUFFIX (up to 32 of A-Z a-z 0-9 _ -)`,
      });
    }
  });
export type AgentConfig = z.output<typeof AgentConfig>;
export type AgentConfigInput = z.input<typeof AgentConfig>;

const PORT = /^\d{1,5}$/;

/** Applies EMBERWATCH_* environment overrides onto the parsed file (before validation). */
export function applyEnvironment(raw: unknown, env: NodeJS.ProcessEnv): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const config = { ...(raw as Record<string, unknown>) };
  const section = (name: string): Record<string, unknown> => {
    const value = config[name];
    const copy = typeof value === 'object' && value !== null ? { ...(value as Record<string, unknown>) } : {};
    config[name] = copy;
    return copy;
  };
  const deviceId = env['EMBERWATCH_DEVICE_ID'];
  if (deviceId !== undefined) config['deviceId'] = deviceId;
  const host = env['EMBERWATCH_BROKER_HOST'];
  if (host !== undefined) section('broker')['host'] = host;
  const port = env['EMBERWATCH_BROKER_PORT'];
  if (port !== undefined) {
    if (!PORT.test(port))
      throw badConfig('EMBERWATCH_BROKER_PORT', `not a port number: ${JSON.stringify(port)}`);
    section('broker')['port'] = Number(port);
  }
  const modelDir = env['EMBERWATCH_MODEL_DIR'];
  if (modelDir !== undefined) section('model')['dir'] = modelDir;
  const haPassword = env['EMBERWATCH_HOME_ASSISTANT_PASSWORD'];
  const haSection = config['homeAssistant'];
  if (haPassword !== undefined && typeof haSection === 'object' && haSection !== null) {
    section('homeAssistant')['password'] = haPassword;
  }
  const statusPort = env['EMBERWATCH_STATUS_PORT'];
  if (statusPort !== undefined) {
    if (!PORT.test(statusPort)) {
      throw badConfig('EMBERWATCH_STATUS_PORT', `not a port number: ${JSON.stringify(statusPort)}`);
    }
    section('status')['port'] = Number(statusPort);
  }
  return config;
}

/** Validates a decoded config; throws EMBER_ERR_BAD_CONFIG naming the first bad field path. Pure. */
export function parseAgentConfig(raw: unknown, env: NodeJS.ProcessEnv = {}): AgentConfig {
  return parseConfigSection(AgentConfig, applyEnvironment(raw, env));
}

/** Reads a YAML (.yaml/.yml) or JSON file, applies the environment and validates it. */
export async function loadAgentConfig(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<AgentConfig> {
  const raw = await readConfigFile(path);
  return parseAgentConfig(raw, env);
}
