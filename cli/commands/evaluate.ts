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
import { parseOptions, writeLine, type Command } from '../options.js';

const Options = z.object({
  model: z.string().min(1, 'expected a model folder or rules'),
  data: z.string().min(1),
  json: z.boolean().default(false),
  report: z
    .string()
    .regex(/\.html?$/i, 'must name an .html file')
    .optional(),
  workers: z.coerce.number().int().min(0).max(256).optional(),
});

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
  summary: 'score a model on every validated run of a held-out dataset against conventional detectors',
  usage: `emberwatch evaluate --model DIR|rules --data DIR|s3://BUCKET/PREFIX
    [--json] [--report FILE.html] [--workers W]

Runs every validated run of the dataset through the edge's path (features
once a second, the model, the alarm state machine) and compares the model's
alarms with the conventional smoke, heat, rate-of-rise and CO detectors of
the same runs. Use a dataset generated with seeds never used in training.
Prints a table per fire class and per nuisance kind and writes an HTML
report with charts; with --json prints one JSON document instead (the
registry's EvaluationSummary, plus "details").
  --model    a model folder (manifest.json + model file, verified) or rules
  --report   the HTML report (default MODEL/evaluation.html, or
             ./evaluation.html for rules); with --json only when given
  --workers  worker threads (default: one per core; 0 = this thread)`,
  async run(argv, io) {
    const options = parseOptions(
      'evaluate',
      argv,
      {
        model: { type: 'string' },
        data: { type: 'string' },
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
    const tty = 'isTTY' in io.stderr && io.stderr.isTTY === true;
    const bar = tty
      ? new SingleBar({ stream: io.stderr, format: 'evaluate [{bar}] {value} runs scored' })
      : undefined;
    bar?.start(0, 0);
    let done = 0;
    let evaluation;
    try {
      evaluation = await evaluateDataset({
        data: options.data,
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
