import { z } from 'zod';
import type { CloudConfig } from '../../cloud/config/cloud-config.js';
import { loadCloudConfig } from '../../cloud/config/cloud-config.js';
import { CloudService } from '../../cloud/service/cloud-service.js';
import { EmberError, isEmberError } from '../../shared/errors.js';
import { createLogger, type Logger } from '../../shared/logging.js';
import { parseOptions, writeLine, type Command } from '../options.js';

/** What a started cloud gives back: a way to stop it and, when it serves HTTP, its address. */
export interface RunningCloud {
  stop(): Promise<void>;
  readonly url?: string;
}

/** Starts the cloud's components from a validated config; the composition root plugs in here. */
export type CloudStarter = (config: CloudConfig, logger: Logger) => Promise<RunningCloud>;

const Options = z.object({ config: z.string().min(1, 'a config file is required') });

/** `emberwatch cloud`, running whatever `starter` starts. */
export function createCloudCommand(starter: CloudStarter): Command {
  return {
    name: 'cloud',
    summary: 'run the cloud: ingest, analysis, response, learning, rollout, API and dashboard',
    usage: `emberwatch cloud --config FILE

Runs the cloud process described by FILE (see cloud/config/example.yaml;
JSON if its name ends in .json, YAML if in .yaml or .yml, otherwise JSON
when it starts with "{"; relative paths resolve against FILE's folder).
Connects to the broker with the service certificate of broker.certPath
(MQTT 5, or 3.1.1 when the broker speaks nothing newer) and reads every
device's anomaly, telemetry, status and model/report messages.
Environment overrides: EMBERWATCH_BROKER_HOST, EMBERWATCH_BROKER_PORT,
EMBERWATCH_BROKER_PROTOCOL, EMBERWATCH_BROKER_SHARED_GROUP,
EMBERWATCH_CLOUD_DATA_DIR, EMBERWATCH_CLOUD_HTTP_HOST,
EMBERWATCH_CLOUD_HTTP_PORT, EMBERWATCH_CLOUD_PUBLIC_URL.
Prints one JSON line {cloud, broker, url} once started and runs until
interrupted (SIGINT, SIGTERM); a process that has not stopped within
EMBERWATCH_STOP_TIMEOUT_S (10 s) of the signal, or gets a second one, exits
anyway. A bad config file (an unknown key included), or a CA, certificate,
key or fleet key it names that is missing, unreadable or of the wrong kind,
is one line naming the field and the file, exit 2. A fatal start-up problem
(a device's certificate as the service certificate, the HTTP port taken, no
broker within broker.startTimeoutS, 5 s by default) is one line and exit 1
within seconds. Files are created owner-only. Users and API tokens:
emberwatch users, emberwatch tokens. GET /healthz answers while the process
lives; GET /readyz only while the broker session is up and the stores are
open.`,
    async run(argv, io) {
      const options = parseOptions('cloud', argv, { config: { type: 'string', short: 'c' } }, Options);
      if (options === 'help') {
        await writeLine(io.stdout, this.usage);
        return 0;
      }
      const asBadOption = (error: unknown): unknown =>
        isEmberError(error, 'EMBER_ERR_BAD_CONFIG')
          ? new EmberError('EMBER_ERR_BAD_OPTION', `cloud: ${error.message}`, { cause: error })
          : error;
      let config: CloudConfig;
      try {
        config = await loadCloudConfig(options.config);
      } catch (error) {
        throw asBadOption(error);
      }
      // Everything this process writes (SQLite files, secrets, field data) is for its owner only.
      process.umask(0o077);
      const logger = createLogger();
      // A file the config names (certificate, key, fleet key) is checked as the cloud starts: exit 2 too.
      const cloud = await starter(config, logger).catch((error: unknown) => {
        throw asBadOption(error);
      });
      try {
        const broker = `${config.broker.host}:${config.broker.port}`;
        await writeLine(io.stdout, JSON.stringify({ cloud: 'started', broker, url: cloud.url ?? null }));
        await io.stopSignal;
      } finally {
        await cloud.stop();
      }
      return 0;
    },
  };
}

/** Every cloud component: ingest, analysis, response, monitoring, registry, rollout, learning, API. */
export const startCloudService: CloudStarter = async (config, logger) => {
  const cloud = await CloudService.create({
    config,
    logger,
    ...(config.broker.clientId === undefined ? {} : { clientId: config.broker.clientId }),
  });
  await cloud.start();
  return { stop: () => cloud.stop(), url: cloud.url };
};

export const cloudCommand: Command = createCloudCommand(startCloudService);
