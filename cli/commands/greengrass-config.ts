import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { agentConfigForGreengrass } from '../../edge/config/greengrass-config.js';
import { EmberError, isEmberError } from '../../shared/errors.js';
import { readConfigFile } from '../../shared/config/config-file.js';
import { DeviceId } from '../../shared/topics.js';
import { parseOptions, writeLine, type Command } from '../options.js';
import * as helpText from '../help/greengrass-config.js';

const Options = z.object({
  component: z.string().min(1),
  'thing-name': DeviceId,
  endpoint: z.string().regex(/^[A-Za-z0-9.-]+$/, 'a host name'),
  credentials: z.string().min(1),
  state: z.string().min(1),
  out: z.string().min(1),
});

export const greengrassConfigCommand: Command = {
  name: 'greengrass-config',
  summary: helpText.summary,
  usage: helpText.usage,
  async run(argv, io) {
    const options = parseOptions(
      'greengrass-config',
      argv,
      {
        component: { type: 'string' },
        'thing-name': { type: 'string' },
        endpoint: { type: 'string' },
        credentials: { type: 'string' },
        state: { type: 'string' },
        out: { type: 'string' },
      },
      Options,
    );
    if (options === 'help') {
      await writeLine(io.stdout, this.usage);
      return 0;
    }
    const credentialsDir = resolve(options.credentials);
    const fleetKeyPath = join(credentialsDir, 'fleet-public.pem');
    let mapped: ReturnType<typeof agentConfigForGreengrass>;
    try {
      mapped = agentConfigForGreengrass(await readConfigFile(options.component), {
        thingName: options['thing-name'],
        endpoint: options.endpoint,
        credentialsDir,
        stateDir: resolve(options.state),
        fleetKeyPath,
      });
    } catch (error) {
      if (isEmberError(error, 'EMBER_ERR_BAD_CONFIG') || isEmberError(error, 'EMBER_ERR_FILE_UNREADABLE')) {
        throw new EmberError('EMBER_ERR_BAD_OPTION', `greengrass-config: ${error.message}`, { cause: error });
      }
      throw error;
    }
    await writeFile(
      fleetKeyPath,
      mapped.fleetPublicKeyPem.endsWith('\n') ? mapped.fleetPublicKeyPem : `${mapped.fleetPublicKeyPem}\n`,
    );
    await writeFile(resolve(options.out), `${JSON.stringify(mapped.config, null, 2)}\n`, { mode: 0o600 });
    await writeLine(
      io.stdout,
      JSON.stringify({ deviceId: mapped.config.deviceId, config: resolve(options.out) }),
    );
    return 0;
  },
};
