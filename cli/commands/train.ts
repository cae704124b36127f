import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { SingleBar } from 'cli-progress';
import { z } from 'zod';
import { createLogger } from '../../shared/logging.js';
import { writeModelDir } from '../../shared/model/model-dir.js';
import { EmberError, isEmberError } from '../../shared/errors.js';
import { openObjectStore, type ObjectStore } from '../../shared/object-store/index.js';
import { computeFeatureRuns, readFeatureStore } from '../../factory/pipeline/feature-runs.js';
import { trainPipeline } from '../../factory/pipeline/train-pipeline.js';
import { parseOptions, writeLine, type Command } from '../options.js';
import * as helpText from '../help/train.js';

const Options = z.object({
  data: z.string().min(1),
  out: z.string().min(1),
  trials: z.coerce.number().int().min(1).max(200).default(8),
  folds: z.coerce.number().int().min(2).max(10).default(3),
  seed: z.coerce.number().int().min(0).default(1),
  trees: z.coerce.number().int().min(1).max(2000).default(120),
  workers: z.coerce.number().int().min(0).max(256).optional(),
});

/** The dataset's fingerprint from its manifest, or undefined for a store without one. */
async function datasetFingerprint(store: ObjectStore): Promise<string | undefined> {
  try {
    const manifest = JSON.parse(await store.getText('manifest.json')) as { fingerprint?: unknown };
    return typeof manifest.fingerprint === 'string' ? manifest.fingerprint : undefined;
  } catch (error) {
    if (isEmberError(error, 'EMBER_ERR_STORE_NOT_FOUND')) return undefined;
    throw error;
  }
}

/** A reproducible creation time when SOURCE_DATE_EPOCH is set (reproducible builds convention). */
function createdAt(): Date | undefined {
  const epoch = process.env['SOURCE_DATE_EPOCH'];
  return epoch === undefined ? undefined : new Date(Number(epoch) * 1000);
}

export const trainCommand: Command = {
  name: 'train',
  summary: helpText.summary,
  usage: helpText.usage,
  async run(argv, io) {
    const options = parseOptions(
      'train',
      argv,
      {
        data: { type: 'string' },
        out: { type: 'string' },
        trials: { type: 'string' },
        folds: { type: 'string' },
        seed: { type: 'string' },
        trees: { type: 'string' },
        workers: { type: 'string' },
      },
      Options,
    );
    if (options === 'help') {
      await writeLine(io.stdout, this.usage);
      return 0;
    }
    const tty = 'isTTY' in io.stderr && io.stderr.isTTY === true;
    // With a bar, a log line per trial would break it: the trials are in experiments.json anyway.
    const logger = createLogger(
      tty && process.env['EMBERWATCH_LOG_LEVEL'] === undefined ? { level: 'warn' } : {},
    );
    const bar = tty
      ? new SingleBar({
          stream: io.stderr,
          format: 'train [{bar}] {percentage}% {stage}, {eta_formatted} left',
          etaBuffer: 50,
        })
      : undefined;
    const store = openObjectStore(options.data);
    try {
      const featureStore = join(options.data, 'features');
      const fromStore = !options.data.startsWith('s3://') && existsSync(join(featureStore, '_schema.json'));
      const runs = fromStore ? await readFeatureStore(featureStore) : await computeFeatureRuns(store);
      if (runs.length < options.folds * 2) {
        throw new EmberError(
          'EMBER_ERR_BAD_OPTION',
          `train: --data ${options.data} has ${runs.length} validated runs; ${options.folds} folds need at least ${options.folds * 2}`,
        );
      }
      logger.info(
        { runs: runs.length, source: fromStore ? featureStore : store.describe() },
        'feature runs loaded',
      );
      const fingerprint = (await datasetFingerprint(store)) ?? 'unknown';
      const trained = await trainPipeline({
        runs,
        trials: options.trials,
        folds: options.folds,
        seed: options.seed,
        nTrees: options.trees,
        workers: options.workers ?? Math.max(1, availableParallelism()),
        dataSha256: fingerprint,
        dataDescription: `${store.describe()} (${runs.length} runs)`,
        createdAt: createdAt(),
        logger,
        onProgress: (done, total, stage) => {
          if (bar?.isActive === false) bar.start(total, 0, { stage });
          bar?.update(done, { stage });
        },
      });
      bar?.stop();
      await mkdir(options.out, { recursive: true });
      await writeModelDir(options.out, trained.manifest, trained.onnx);
      await writeFile(
        join(options.out, 'experiments.json'),
        `${JSON.stringify(trained.experiments, null, 2)}\n`,
      );
      await writeLine(
        io.stdout,
        JSON.stringify({
          version: trained.manifest.version,
          out: options.out,
          metrics: trained.manifest.metrics,
          alarm: trained.manifest.alarm,
        }),
      );
      return 0;
    } finally {
      bar?.stop();
      await store.close();
    }
  },
};
