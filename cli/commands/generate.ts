import { SingleBar } from 'cli-progress';
import { z } from 'zod';
import { createLogger } from '../../shared/logging.js';
import { openObjectStore } from '../../shared/object-store/index.js';
import { generateDataset } from '../../simulators/generate/generate-dataset.js';
import { DEFAULT_MIX, parseMix } from '../../simulators/generate/run-plan.js';
import { MCU90640_FRAME_RATES_HZ } from '../../simulators/sensors/mcu90640-model.js';
import { parseOptions, writeLine, type Command } from '../options.js';
import { availableParallelism } from 'node:os';
import * as helpText from '../help/generate.js';

const Options = z.object({
  out: z.string().min(1),
  runs: z.coerce.number().int().positive().max(1_000_000),
  seed: z.coerce.number().int().min(0).max(0xffffffff),
  mix: z.string().optional(),
  duration: z.coerce
    .number()
    .positive()
    .max(7 * 86_400)
    .optional(),
  workers: z.coerce.number().int().min(0).max(256).optional(),
  'thermal-hz': z.coerce.number().pipe(z.literal(MCU90640_FRAME_RATES_HZ)).default(2),
});

export const generateCommand: Command = {
  name: 'generate',
  summary: helpText.summary,
  usage: helpText.usage,
  async run(argv, io) {
    const options = parseOptions(
      'generate',
      argv,
      {
        out: { type: 'string' },
        runs: { type: 'string' },
        seed: { type: 'string' },
        mix: { type: 'string' },
        duration: { type: 'string' },
        workers: { type: 'string' },
        'thermal-hz': { type: 'string' },
      },
      Options,
    );
    if (options === 'help') {
      await writeLine(io.stdout, this.usage);
      return 0;
    }
    const mix = options.mix === undefined ? DEFAULT_MIX : parseMix(options.mix);
    const logger = createLogger();
    const store = openObjectStore(options.out);
    const tty = 'isTTY' in io.stderr && io.stderr.isTTY === true;
    const bar = tty
      ? new SingleBar({
          stream: io.stderr,
          format: 'generate [{bar}] {value}/{total} runs  {eta}s left',
        })
      : undefined;
    bar?.start(options.runs, 0);
    try {
      const summary = await generateDataset({
        store,
        runs: options.runs,
        seed: options.seed,
        mix,
        durationS: options.duration,
        thermalHz: options['thermal-hz'],
        workers: options.workers ?? Math.max(1, availableParallelism()),
        logger,
        onProgress: (done) => bar?.update(done),
      });
      bar?.stop();
      await writeLine(io.stdout, JSON.stringify({ out: store.describe(), ...summary }));
      return summary.rejected.length === 0 ? 0 : 3;
    } finally {
      bar?.stop();
      await store.close();
    }
  },
};
