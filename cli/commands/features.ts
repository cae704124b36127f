import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import { z } from 'zod';
import { buildFeatureStore } from '../../factory/features-store/build-feature-store.js';
import { EmberError } from '../../shared/errors.js';
import { createLogger } from '../../shared/logging.js';
import { openObjectStore, parseStoreTarget } from '../../shared/object-store/index.js';
import { parseOptions, writeLine, type Command } from '../options.js';
import * as helpText from '../help/features.js';

const Options = z.object({
  data: z.string().min(1),
  out: z.string().min(1).optional(),
  stage: z.enum(['validated', 'raw']).default('validated'),
  workers: z.coerce.number().int().min(0).max(256).optional(),
});

export const featuresCommand: Command = {
  name: 'features',
  summary: helpText.summary,
  usage: helpText.usage,
  async run(argv, io) {
    const options = parseOptions(
      'features',
      argv,
      {
        data: { type: 'string' },
        out: { type: 'string' },
        stage: { type: 'string' },
        workers: { type: 'string' },
      },
      Options,
    );
    if (options === 'help') {
      await writeLine(io.stdout, this.usage);
      return 0;
    }
    const target = parseStoreTarget(options.data);
    if (target.kind === 'folder' && !existsSync(target.root)) {
      throw new EmberError('EMBER_ERR_BAD_OPTION', `features: --data: no dataset folder at ${target.root}`);
    }
    const scratch =
      options.out === undefined && target.kind === 's3'
        ? await mkdtemp(join(tmpdir(), 'emberwatch-features-'))
        : undefined;
    const out = resolve(options.out ?? scratch ?? (target.kind === 'folder' ? target.root : '.'));
    const store = openObjectStore(options.data);
    const tty = 'isTTY' in io.stderr && io.stderr.isTTY === true;
    const bar = tty
      ? new SingleBar({ stream: io.stderr, format: 'features [{bar}] {value}/{total} runs  {eta}s left' })
      : undefined;
    const started = performance.now();
    try {
      const summary = await buildFeatureStore({
        store,
        target: target.kind === 'folder' ? target.root : options.data,
        stage: options.stage,
        out,
        upload: target.kind === 's3',
        workers: options.workers ?? Math.max(1, availableParallelism()),
        logger: createLogger().child({ component: 'features' }),
        onProgress: (done, total) => {
          if (done === 1) bar?.start(total, 0);
          bar?.update(done);
        },
      });
      bar?.stop();
      const seconds = Math.round((performance.now() - started) / 10) / 100;
      const line = { ...summary, out: scratch === undefined ? summary.out : summary.uploaded, seconds };
      await writeLine(io.stdout, JSON.stringify(line));
      return 0;
    } finally {
      bar?.stop();
      await store.close();
      if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
    }
  },
};
