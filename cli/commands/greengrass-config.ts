import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { agentConfigForGreengrass } from '../../edge/config/greengrass-config.js';
import { EmberError, isEmberError } from '../../shared/errors.js';
import { readConfigFile } from '../../shared/config/config-file.js';
import { DeviceId } from '../../shared/topics.js';
import { parseOptions, writeLine, type Command } from '../options.js';

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
  summary: "write the agent's config from a Greengrass component configuration",
  usage: `emberwatch greengrass-config --component FILE --thing-name NAME --endpoint HOST
                             --credentials DIR --state DIR --out FILE

What com.emberwatch.EdgeAgent's run step does before emberwatch edge (see
deploy/greengrass/recipe.yaml): reads the component configuration's agent
section (JSON: sensors, fleetPublicKeyPem, and optionally broker port,
protocol, flowControl and reconnect, alarm, status, telemetryIntervalS,
statusIntervalS, snapshotStore) and writes the agent's config to --out:
deviceId is the core device's thing name, the link uses the core's
certificate, key and root CA from --credentials (thingCert.crt, privKey.key,
rootCA.pem) and the IoT Core --endpoint with client id NAME#emberwatch
(the nucleus holds NAME), the outbox and models live in --state, the
shipped model runs from the first start, and the fleet key is written to
--credentials/fleet-public.pem. A bad component configuration names the
field, exit 2.`,
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
