import { z } from 'zod';
import { EmberError, isEmberError } from '../../shared/errors.js';
import { createLogger } from '../../shared/logging.js';
import { EdgeAgent } from '../../edge/agent.js';
import { loadAgentConfig } from '../../edge/config/agent-config.js';
import { parseOptions, writeLine, type Command } from '../options.js';

const Options = z.object({ config: z.string().min(1, 'a config file is required') });

export const edgeCommand: Command = {
  name: 'edge',
  summary: 'run the edge agent: sensors → features → model → alarms → outbox → MQTT',
  usage: `emberwatch edge --config FILE

Runs the edge agent described by FILE (see edge/config/example.yaml):
JSON if its name ends in .json, YAML if in .yaml or .yml, otherwise JSON
when it starts with "{" and YAML when not. Environment overrides:
EMBERWATCH_DEVICE_ID, EMBERWATCH_BROKER_HOST, EMBERWATCH_BROKER_PORT,
EMBERWATCH_MODEL_DIR, EMBERWATCH_STATUS_PORT, and
EMBERWATCH_HOME_ASSISTANT_PASSWORD (the password of the homeAssistant
section's broker, kept out of the file). Prints one JSON line
{deviceId, status} once started (status is the URL of /healthz and
/metrics) and runs until interrupted. A bad config file (an unknown key
included), or a certificate, key or fleet key it names that is missing
or of the wrong kind, is one line naming the field and the file, exit 2.`,
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
