import { z } from 'zod';
import { EmberError, isEmberError } from '../../shared/errors.js';
import { createLogger, type Logger } from '../../shared/logging.js';
import { DEFAULT_KIT, loadKitFile } from '../../simulators/devices/kit.js';
import { startKit } from '../../simulators/devices/start-kit.js';
import { loadRun, type LoadedRun } from '../../simulators/playback/load-run.js';
import { startPlayback } from '../../simulators/playback/start-playback.js';
import { parseOptions, writeLine, type Command, type CommandIo } from '../options.js';
import { runValidate, VALIDATE_USAGE } from './simulate-validate.js';

const Options = z
  .object({
    kit: z.string().min(1).optional(),
    scenario: z.string().min(1).optional(),
    seed: z.coerce.number().int().min(0).max(0xffff_ffff).optional(),
    data: z.string().min(1).optional(),
    'run-dir': z.string().min(1).optional(),
    speed: z.coerce.number().positive().max(10_000).default(1),
  })
  .superRefine((options, ctx) => {
    if (options.kit !== undefined && options.scenario !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['scenario'], message: 'cannot be combined with --kit' });
    }
    for (const name of ['seed', 'data'] as const) {
      if (options[name] !== undefined && options.scenario === undefined) {
        ctx.addIssue({ code: 'custom', path: [name], message: 'only applies with --scenario' });
      }
    }
  });
type Options = z.infer<typeof Options>;

/** Plays one run through the emulators until it ends (then {"ended":true}) or the user stops it. */
async function playScenario(name: string, options: Options, io: CommandIo, logger: Logger): Promise<void> {
  let run: LoadedRun;
  try {
    run = await loadRun(name, { seed: options.seed, data: options.data });
  } catch (error) {
    if (!isEmberError(error)) throw error;
    throw new EmberError(error.code, `simulate devices: ${error.message}`, { cause: error });
  }
  const playback = await startPlayback(run.trace, {
    runDir: options['run-dir'],
    speed: options.speed,
    logger,
  });
  try {
    for (const device of playback.devices) await writeLine(io.stdout, JSON.stringify(device));
    logger.info(
      { runId: run.runId, durationS: playback.durationS, realSeconds: playback.durationS / playback.speed },
      'playing run',
    );
    const ended = await Promise.race([playback.ended.then(() => true), io.stopSignal.then(() => false)]);
    if (ended) await writeLine(io.stdout, JSON.stringify({ ended: true }));
  } finally {
    await playback.stop();
  }
}

export const simulateCommand: Command = {
  name: 'simulate',
  summary:
    'run emulated sensor modules on pseudo-terminals, play a run through them, or check the simulator against real fires',
  usage: `emberwatch simulate devices [--kit FILE] [--run-dir DIR] [--speed X]
emberwatch simulate devices --scenario NAME|RUN [--seed S] [--data DIR|s3://…] [--speed X] [--run-dir DIR]

Starts one emulator per device of the kit (default: one of each module) on
its own pseudo-terminal and prints one JSON line per device:
{"id":…,"protocol":…,"path":"/…/ID.tty","baud":…}. Point the edge or
\`emberwatch read\` at the path. Runs until Ctrl-C.

With --scenario, plays a run instead: each module sends what the run says it
reported at emulated time t = speed × real seconds since start. When the run
ends the modules fall silent, the command prints {"ended":true}, stops them
and exits 0.
  --kit FILE       a kit file: {"devices":[{"id","protocol","baud"?,"source"?}]}
  --scenario NAME  a scenario template (tf4, normal-day, …), simulated here for
                   the template's duration; with --data, a run id of that
                   dataset's validated stage
  --seed S         seed of a template run (default 1)
  --data DIR       a dataset folder or s3:// URL holding the run
  --run-dir DIR    where the tty links go (default: a temporary folder)
  --speed X        emulated seconds per real second (default 1)

${VALIDATE_USAGE}`,
  async run(argv, io) {
    const [what, ...rest] = argv;
    if (what === '--help' || what === '-h') {
      await writeLine(io.stdout, this.usage);
      return 0;
    }
    if (what === 'validate') return runValidate(rest, io, VALIDATE_USAGE);
    if (what !== 'devices') {
      throw new EmberError(
        'EMBER_ERR_BAD_OPTION',
        `simulate: expected "devices" or "validate", got ${JSON.stringify(what ?? '')}`,
      );
    }
    const options = parseOptions(
      'simulate devices',
      rest,
      {
        kit: { type: 'string' },
        scenario: { type: 'string' },
        seed: { type: 'string' },
        data: { type: 'string' },
        'run-dir': { type: 'string' },
        speed: { type: 'string' },
      },
      Options,
    );
    if (options === 'help') {
      await writeLine(io.stdout, this.usage);
      return 0;
    }
    const logger = createLogger().child({ component: 'simulate' });
    if (options.scenario !== undefined) {
      await playScenario(options.scenario, options, io, logger);
      return 0;
    }
    const kit = options.kit === undefined ? DEFAULT_KIT : await loadKitFile(options.kit);
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
