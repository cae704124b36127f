import { z } from 'zod';
import type { CloudConfig } from '../../cloud/config/cloud-config.js';
import { loadCloudConfig } from '../../cloud/config/cloud-config.js';
import { CloudService } from '../../cloud/service/cloud-service.js';
import { EmberError, isEmberError } from '../../shared/errors.js';
import { createLogger, type Logger } from '../../shared/logging.js';
import { parseOptions, writeLine, type Command } from '../options.js';
import * as helpText from '../help/cloud.js';

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
    summary: helpText.summary,
    usage: helpText.usage,
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
