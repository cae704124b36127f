import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { SingleBar } from 'cli-progress';
import { z } from 'zod';
import { evaluateDataset } from '../../cloud/evaluation/evaluate-dataset.js';
import { evaluationFigures } from '../../cloud/evaluation/evaluation-figures.js';
import { evaluationReportHtml } from '../../cloud/evaluation/evaluation-report.js';
import { evaluationTable } from '../../cloud/evaluation/evaluation-table.js';
import { summaryFromFigures } from '../../cloud/evaluation/summarise.js';
import { EmberError } from '../../shared/errors.js';
import { openEvaluationModel } from '../../cloud/evaluation/evaluation-model.js';
import { realFireTable } from '../../cloud/evaluation/real-fire-table.js';
import { evaluateRealFires, summariseRealFires } from '../../cloud/evaluation/real-fires.js';
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

async function writeReport(file: string, html: string): Promise<void> {
  try {
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
      options.report ?? (options.json ? undefined : join(evaluation.modelDir ?? '.', 'evaluation.html'));
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
