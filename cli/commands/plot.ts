import { writeFile } from 'node:fs/promises';
import { z } from 'zod';
import {
  arrangePngs,
  imageSize,
  renderTimeSeriesSvg,
  svgToPng,
  thermalPng,
} from '../../shared/charts/index.js';
import { EmberError, isEmberError } from '../../shared/errors.js';
import { openObjectStore } from '../../shared/object-store/index.js';
import { listRuns } from '../../shared/dataset/dataset-reader.js';
import { loadRun, type LoadedRun } from '../../simulators/playback/load-run.js';
import { TEMPLATE_NAMES } from '../../simulators/scenarios/scenario-catalogue.js';
import { runChart } from '../../simulators/playback/run-chart.js';
import { thermalFrame } from '../../shared/dataset/run-trace.js';
import { parseOptions, writeLine, type Command, type CommandIo } from '../options.js';
import * as helpText from '../help/plot.js';

const ListOptions = z.object({ list: z.literal(true), data: z.string().min(1).optional() });

/** `plot --list`: the run ids of a dataset (with --data) or the templates to simulate. */
async function listRunsOrTemplates(argv: string[], io: CommandIo): Promise<void> {
  const options = parseOptions(
    'plot',
    argv,
    { list: { type: 'boolean' }, data: { type: 'string' } },
    ListOptions,
  );
  if (options === 'help') return;
  if (options.data === undefined) {
    for (const name of TEMPLATE_NAMES) await writeLine(io.stdout, name);
    return;
  }
  const store = openObjectStore(options.data);
  try {
    const runs = await listRuns(store);
    if (runs.length === 0) {
      throw new EmberError('EMBER_ERR_BAD_RUN', `plot: no validated runs in ${store.describe()}`);
    }
    const width = Math.max(...runs.map((r) => r.runId.length));
    for (const run of runs)
      await writeLine(io.stdout, `${run.runId.padEnd(width)}  ${run.kind}, ${run.template}`);
  } finally {
    await store.close();
  }
}

const Options = z.object({
  out: z.string().regex(/\.png$/i, 'must name a .png file'),
  data: z.string().min(1).optional(),
  seed: z.coerce.number().int().min(0).max(0xffff_ffff).default(1),
});

function mmss(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${String(Math.floor(s / 60))}:${String(s % 60).padStart(2, '0')}`;
}

/** The chart of every channel with the hottest thermal frame beside it, as one PNG. */
export async function plotRunPng(run: LoadedRun): Promise<Buffer> {
  const { spec, thermal } = runChart(run);
  const chart = await svgToPng(renderTimeSeriesSvg(spec));
  if (thermal.peakFrame < 0) return chart;
  const frame = thermalFrame(run.trace.sensors.mcu90640, thermal.peakFrame);
  const peakC = thermal.maxC[thermal.peakFrame] ?? Number.NaN;
  const image = await thermalPng(frame, {
    scale: 12,
    caption: `Hottest frame: ${peakC.toFixed(1)} °C at ${mmss(thermal.t_s[thermal.peakFrame] ?? 0)}`,
  });
  return arrangePngs([chart, image], { direction: 'beside', gap: 8, margin: 12 });
}

/** Gives an error from below the command's name, keeping its code. */
function fromPlot(error: unknown): unknown {
  return isEmberError(error) ? new EmberError(error.code, `plot: ${error.message}`, { cause: error }) : error;
}

export const plotCommand: Command = {
  name: 'plot',
  summary: helpText.summary,
  usage: helpText.usage,
  async run(argv, io) {
    if (argv.includes('--list')) {
      if (argv.includes('--help') || argv.includes('-h')) await writeLine(io.stdout, this.usage);
      else await listRunsOrTemplates(argv, io);
      return 0;
    }
    const [name, ...rest] = argv;
    if (name === undefined || name === '--help' || name === '-h') {
      if (name !== undefined) {
        await writeLine(io.stdout, this.usage);
        return 0;
      }
      throw new EmberError(
        'EMBER_ERR_BAD_OPTION',
        'plot: expected a run id or template name (emberwatch plot --list [--data DIR] lists them)',
      );
    }
    if (name.startsWith('-')) {
      throw new EmberError('EMBER_ERR_BAD_OPTION', `plot: expected RUN before the options, got ${name}`);
    }
    const options = parseOptions(
      'plot',
      rest,
      { out: { type: 'string' }, data: { type: 'string' }, seed: { type: 'string' } },
      Options,
    );
    if (options === 'help') {
      await writeLine(io.stdout, this.usage);
      return 0;
    }
    let png: Buffer;
    try {
      png = await plotRunPng(await loadRun(name, { seed: options.seed, data: options.data }));
    } catch (error) {
      throw fromPlot(error);
    }
    try {
      await writeFile(options.out, png);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new EmberError('EMBER_ERR_FILE_UNWRITABLE', `plot: cannot write --out ${options.out}: ${code}`, {
        cause: error,
      });
    }
    const { width, height } = await imageSize(png);
    await writeLine(io.stdout, JSON.stringify({ out: options.out, width, height }));
    return 0;
  },
};
