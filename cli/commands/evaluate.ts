import { realpathSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { SingleBar } from 'cli-progress';
import { z } from 'zod';
import { evaluateDataset } from '../../factory/evaluation/evaluate-dataset.js';
import { evaluationFigures } from '../../factory/evaluation/evaluation-figures.js';
import { evaluationReportHtml } from '../../factory/evaluation/evaluation-report.js';
import { evaluationTable } from '../../factory/evaluation/evaluation-table.js';
import { summaryFromFigures } from '../../factory/evaluation/summarise.js';
import { EmberError } from '../../shared/errors.js';
import { findPackageFile } from '../../shared/package-files.js';
import { openEvaluationModel } from '../../factory/evaluation/evaluation-model.js';
import { realFireTable } from '../../factory/evaluation/real-fire-table.js';
import { evaluateRealFires, summariseRealFires } from '../../factory/evaluation/real-fires.js';
import { parseOptions, writeLine, type Command, type CommandIo } from '../options.js';
import * as helpText from '../help/evaluate.js';

const Options = z.object({
  model: z.string().min(1, 'expected a model folder or rules'),
  data: z.string().min(1).optional(),
  real: z.string().min(1).optional(),
  json: z.boolean().default(false),
  report: z
    .string()
    .regex(/\.html?$/i, 'must name an .html file')
    .optional(),
  workers: z.coerce.number().int().min(0).max(256).optional(),
});

/** `--real DIR`: every position of a real-fire folder, beside the real alarms there. */
async function evaluateReal(
  options: { model: string; real: string; json: boolean },
  io: CommandIo,
): Promise<number> {
  const { model, policy } = await openEvaluationModel(options.model);
  try {
    const outcomes = await evaluateRealFires(options.real, model, policy);
    const summary = summariseRealFires(outcomes);
    if (options.json) {
      const positions = outcomes.map(({ changes, ...rest }) => ({
        ...rest,
        changes: changes.map((c) => ({
          t_s: c.ts,
          level: c.level,
          probability: c.probability,
          floors: c.floors,
        })),
      }));
      await writeLine(io.stdout, JSON.stringify({ modelVersion: model.version, summary, positions }));
    } else {
      await writeLine(io.stdout, realFireTable(model.version, outcomes, summary));
    }
  } finally {
    await model.close();
  }
  return 0;
}

/**
 * Where the report goes without --report: beside a model the user made, but
 * never into a folder Emberwatch ships (models/ of the package: the checkout
 * or the installed package must stay as it came) and, for rules, never into
 * the current folder itself: `data/evaluation-<version>.html` there instead.
 */
export function defaultReportFile(modelDir: string | undefined, modelVersion: string): string {
  const shipped = findPackageFile('models');
  const inside =
    modelDir !== undefined &&
    shipped !== undefined &&
    isWithin(realpathSync(shipped), realpathSync(modelDir));
  if (modelDir !== undefined && !inside) return join(modelDir, 'evaluation.html');
  const safe = modelVersion.replace(/[^A-Za-z0-9._+-]/g, '_');
  return join('data', `evaluation-${safe}.html`);
}

function isWithin(parent: string, child: string): boolean {
  const path = relative(parent, child);
  return path === '' || (!path.startsWith('..') && !isAbsolute(path));
}

async function writeReport(file: string, html: string): Promise<void> {
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, html);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new EmberError('EMBER_ERR_FILE_UNWRITABLE', `evaluate: cannot write --report ${file}: ${code}`, {
      cause: error,
    });
  }
}

export const evaluateCommand: Command = {
  name: 'evaluate',
  summary: helpText.summary,
  usage: helpText.usage,
  async run(argv, io) {
    const options = parseOptions(
      'evaluate',
      argv,
      {
        model: { type: 'string' },
        data: { type: 'string' },
        real: { type: 'string' },
        json: { type: 'boolean' },
        report: { type: 'string' },
        workers: { type: 'string' },
      },
      Options,
    );
    if (options === 'help') {
      await writeLine(io.stdout, this.usage);
      return 0;
    }
    if ((options.data === undefined) === (options.real === undefined)) {
      throw new EmberError('EMBER_ERR_BAD_OPTION', 'evaluate: give exactly one of --data DIR and --real DIR');
    }
    if (options.real !== undefined) {
      if (options.report !== undefined) {
        throw new EmberError('EMBER_ERR_BAD_OPTION', 'evaluate: --report goes with --data, not --real');
      }
      return evaluateReal({ model: options.model, real: options.real, json: options.json }, io);
    }
    const data = options.data ?? '';
    const tty = 'isTTY' in io.stderr && io.stderr.isTTY === true;
    const bar = tty
      ? new SingleBar({ stream: io.stderr, format: 'evaluate [{bar}] {value} runs scored' })
      : undefined;
    bar?.start(0, 0);
    let done = 0;
    let evaluation;
    try {
      evaluation = await evaluateDataset({
        data,
        model: options.model,
        workers: options.workers ?? Math.max(1, availableParallelism()),
        onRun: () => bar?.update(++done),
      });
    } finally {
      bar?.stop();
    }
    const figures = evaluationFigures(evaluation.outcomes);
    const summary = summaryFromFigures(figures, {
      modelVersion: evaluation.modelVersion,
      heldOutSeeds: evaluation.heldOutSeeds,
    });
    const reportFile =
      options.report ??
      (options.json ? undefined : defaultReportFile(evaluation.modelDir, evaluation.modelVersion));
    if (reportFile !== undefined) {
      const html = evaluationReportHtml({
        summary,
        figures,
        outcomes: evaluation.outcomes,
        policy: evaluation.policy,
      });
      await writeReport(reportFile, html);
    }
    if (options.json) {
      const speedVsRealTime = Math.round(evaluation.speedup);
      await writeLine(io.stdout, JSON.stringify({ ...summary, details: figures, speedVsRealTime }));
      return 0;
    }
    await writeLine(io.stdout, evaluationTable(evaluation.modelVersion, figures));
    const runs = String(evaluation.outcomes.length);
    await writeLine(
      io.stdout,
      `\nScored ${runs} runs at ${evaluation.speedup.toFixed(0)}× real time. Report: ${reportFile ?? '(none)'}`,
    );
    return 0;
  },
};
