import { z } from 'zod';
import { EmberError, isEmberError } from '../../shared/errors.js';
import { createLogger, type Logger } from '../../shared/logging.js';
import { DEFAULT_KIT, loadKitFile } from '../../simulators/devices/kit.js';
import { startKit } from '../../simulators/devices/start-kit.js';
import { loadRun, type LoadedRun } from '../../simulators/playback/load-run.js';
import { startPlayback } from '../../simulators/playback/start-playback.js';
import { parseOptions, writeLine, type Command, type CommandIo } from '../options.js';
import { runValidate } from './simulate-validate.js';
import * as helpText from '../help/simulate.js';

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
  summary: helpText.summary,
  usage: helpText.usage,
  async run(argv, io) {
    const [what, ...rest] = argv;
    if (what === '--help' || what === '-h') {
      await writeLine(io.stdout, this.usage);
      return 0;
    }
    if (what === 'validate') return runValidate(rest, io, helpText.validateUsage);
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
