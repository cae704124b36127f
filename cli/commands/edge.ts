import { z } from 'zod';
import { EmberError, isEmberError } from '../../shared/errors.js';
import { createLogger } from '../../shared/logging.js';
import { EdgeAgent } from '../../edge/agent.js';
import { loadAgentConfig } from '../../edge/config/agent-config.js';
import { parseOptions, writeLine, type Command } from '../options.js';
import * as helpText from '../help/edge.js';

const Options = z.object({ config: z.string().min(1, 'a config file is required') });

export const edgeCommand: Command = {
  name: 'edge',
  summary: helpText.summary,
  usage: helpText.usage,
  async run(argv, io) {
    const options = parseOptions('edge', argv, { config: { type: 'string', short: 'c' } }, Options);
    if (options === 'help') {
      await writeLine(io.stdout, this.usage);
      return 0;
    }
    let agent: EdgeAgent;
    try {
      const config = await loadAgentConfig(options.config);
      agent = await EdgeAgent.create({ config, logger: createLogger() });
    } catch (error) {
      if (isEmberError(error, 'EMBER_ERR_BAD_CONFIG') || isEmberError(error, 'EMBER_ERR_SIGNING_KEY')) {
        throw new EmberError('EMBER_ERR_BAD_OPTION', `edge: ${error.message}`, { cause: error });
      }
      throw error;
    }
    try {
      await agent.start();
      await writeLine(io.stdout, JSON.stringify({ deviceId: agent.deviceId, status: agent.statusUrl }));
      await io.stopSignal;
    } finally {
      await agent.stop();
    }
    return 0;
  },
};
