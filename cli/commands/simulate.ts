import { z } from 'zod';
import { EmberError } from '../../shared/errors.js';
import { createLogger } from '../../shared/logging.js';
import { DEFAULT_KIT, loadKitFile, startKit } from '../../simulators/devices/index.js';
import { parseOptions, writeLine, type Command } from '../options.js';

const Options = z.object({
  kit: z.string().min(1).optional(),
  'run-dir': z.string().min(1).optional(),
  speed: z.coerce.number().positive().max(10_000).default(1),
});

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'run emulated sensor modules on pseudo-terminals',
  usage: `emberwatch simulate devices [--kit FILE] [--run-dir DIR] [--speed X]

Starts one emulator per device of the kit (default: one of each module) on
its own pseudo-terminal and prints one JSON line per device:
{"id":…,"protocol":…,"path":"/…/ID.tty","baud":…}. Point the edge or
\`emberwatch read\` at the path. Runs until Ctrl-C.
  --kit FILE     a kit file: {"devices":[{"id","protocol","baud"?,"source"?}]}
  --run-dir DIR  where the tty links go (default: a temporary folder)
  --speed X      emulated seconds per real second (default 1)`,
  async run(argv, io) {
    const [what, ...rest] = argv;
    if (what === '--help' || what === '-h') {
      await writeLine(io.stdout, this.usage);
      return 0;
    }
    if (what !== 'devices') {
      throw new EmberError(
        'EMBER_ERR_BAD_OPTION',
        `simulate: expected "devices", got ${JSON.stringify(what ?? '')}`,
      );
    }
    const options = parseOptions(
      'simulate devices',
      rest,
      { kit: { type: 'string' }, 'run-dir': { type: 'string' }, speed: { type: 'string' } },
      Options,
    );
    if (options === 'help') {
      await writeLine(io.stdout, this.usage);
      return 0;
    }
    const kit = options.kit === undefined ? DEFAULT_KIT : await loadKitFile(options.kit);
    const logger = createLogger().child({ component: 'simulate' });
    const running = await startKit(kit, { runDir: options['run-dir'], speed: options.speed, logger });
    try {
      for (const device of running.devices) await writeLine(io.stdout, JSON.stringify(device));
      logger.info({ devices: running.devices.length, runDir: running.runDir }, 'emulated devices running');
      await io.stopSignal;
    } finally {
      await running.stop();
    }
    return 0;
  },
};
