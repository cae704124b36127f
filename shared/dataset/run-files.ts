import { z } from 'zod';
import { EmberError } from '../../shared/errors.js';
import type { ChannelsByProtocol } from '../../shared/schemas/readings.js';
import { allocateEnvSeries, ENV_FIELDS, type EnvSeries } from '../../shared/dataset/env-series.js';
import { RunLabels } from '../../shared/dataset/run-labels.js';
import { parseScenario, type Scenario } from '../../shared/dataset/scenario-schema.js';
import type { RunTrace } from '../../shared/dataset/run-trace.js';
import type { Sample, ScalarProtocol, ScalarSeries } from '../../shared/dataset/sensor-series.js';
import { decodeThermalFile, encodeThermalFile } from '../../shared/dataset/thermal-file.js';

/** The data kinds of a run and where each lives under a stage prefix (`raw/` or `validated/`). */
export const RUN_FILE_KINDS = ['thermal', 'preview', 'gas', 'environmental', 'labels'] as const;
export type RunFileKind = (typeof RUN_FILE_KINDS)[number];

export function runFileKey(stage: 'raw' | 'validated', kind: RunFileKind, runId: string): string {
  const file = kind === 'thermal' ? `${runId}.ewt` : kind === 'preview' ? `${runId}.png` : `${runId}.json`;
  return `${stage}/${kind === 'preview' ? 'thermal' : kind}/${file}`;
}

/** One module's series, column by column: compact and easy to read from any language. */
const Columns = z.object({
  protocol: z.string(),
  period_s: z.number().positive(),
  t_s: z.array(z.number()),
  values: z.record(z.string(), z.array(z.number())),
});
type Columns = z.infer<typeof Columns>;

export const RunMeta = z.object({
  runId: z.string(),
  index: z.number().int().nonnegative(),
  seed: z.number().int(),
  template: z.string(),
  durationS: z.number().positive(),
  thermalHz: z.number().positive(),
  scenario: z.unknown(),
  labels: RunLabels,
});
export type RunMeta = Omit<z.infer<typeof RunMeta>, 'scenario'> & { scenario: Scenario };

const GasFile = z.object({ pms5003: Columns, ze07: Columns, mhz19b: Columns });
const EnvironmentalFile = z.object({
  mcu680: Columns,
  truth: z.object({ step_s: z.number().positive(), fields: z.record(z.string(), z.array(z.number())) }),
});

function toColumns<P extends ScalarProtocol>(series: ScalarSeries<P>): Columns {
  const values: Record<string, number[]> = {};
  for (const sample of series.samples) {
    for (const [name, value] of Object.entries(sample.values)) (values[name] ??= []).push(value);
  }
  return {
    protocol: series.protocol,
    period_s: series.period_s,
    t_s: series.samples.map((s) => s.t_s),
    values,
  };
}

/**
 * One sample's values, built key by key (Object.fromEntries of a fresh
 * array per sample was most of a run's decoding). Assignment is safe: the
 * schema's record never yields a "__proto__" key.
 */
function sampleValues(names: readonly string[], series: readonly (number[] | undefined)[], i: number) {
  const values: Record<string, number> = {};
  names.forEach((name, c) => {
    values[name] = series[c]?.[i] ?? Number.NaN;
  });
  return values;
}

function fromColumns<P extends ScalarProtocol>(protocol: P, columns: Columns): ScalarSeries<P> {
  const names = Object.keys(columns.values);
  const series = names.map((n) => columns.values[n]);
  const samples: Sample<ChannelsByProtocol[P]>[] = columns.t_s.map((t, i) => ({
    t_s: t,
    values: sampleValues(names, series, i) as ChannelsByProtocol[P],
  }));
  return { protocol, period_s: columns.period_s, samples };
}

const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;

/** The files of one run, as bytes, keyed by kind (the PNG preview is made separately). */
export function encodeRunFiles(
  trace: RunTrace,
  meta: Omit<RunMeta, 'scenario' | 'labels'>,
): Map<RunFileKind, Uint8Array> {
  const text = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value));
  const truth = Object.fromEntries(ENV_FIELDS.map((f) => [f, Array.from(trace.env[f], round4)]));
  return new Map<RunFileKind, Uint8Array>([
    ['thermal', encodeThermalFile(trace.sensors.mcu90640)],
    [
      'gas',
      text({
        pms5003: toColumns(trace.sensors.pms5003),
        ze07: toColumns(trace.sensors.ze07),
        mhz19b: toColumns(trace.sensors.mhz19b),
      }),
    ],
    [
      'environmental',
      text({ mcu680: toColumns(trace.sensors.mcu680), truth: { step_s: trace.env.step_s, fields: truth } }),
    ],
    ['labels', text({ ...meta, scenario: trace.scenario, labels: trace.labels })],
  ]);
}

function parseJson<T>(schema: z.ZodType<T>, bytes: Uint8Array, what: string): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw new EmberError('EMBER_ERR_BAD_RUN', `${what}: not JSON`, { cause: error });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new EmberError(
      'EMBER_ERR_BAD_RUN',
      `${what}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`,
    );
  }
  return parsed.data;
}

/** Reads a run back from its files; throws EMBER_ERR_BAD_RUN naming the file and field that is wrong. */
export function decodeRunFiles(files: ReadonlyMap<RunFileKind, Uint8Array>): {
  meta: RunMeta;
  trace: RunTrace;
} {
  const need = (kind: RunFileKind): Uint8Array => {
    const bytes = files.get(kind);
    if (bytes === undefined) throw new EmberError('EMBER_ERR_BAD_RUN', `${kind} file is missing`);
    return bytes;
  };
  const raw = parseJson(RunMeta, need('labels'), 'labels');
  const meta: RunMeta = { ...raw, scenario: parseScenario(raw.scenario) };
  const gas = parseJson(GasFile, need('gas'), 'gas');
  const environmental = parseJson(EnvironmentalFile, need('environmental'), 'environmental');
  const length = environmental.truth.fields['temp_c']?.length ?? 0;
  const env: EnvSeries = allocateEnvSeries(length, environmental.truth.step_s, new Array(length).fill([]));
  for (const field of ENV_FIELDS) env[field].set(environmental.truth.fields[field]?.slice(0, length) ?? []);
  const trace: RunTrace = {
    scenario: meta.scenario,
    duration_s: meta.durationS,
    env,
    labels: meta.labels,
    sensors: {
      pms5003: fromColumns('pms5003', gas.pms5003),
      ze07: fromColumns('ze07', gas.ze07),
      mhz19b: fromColumns('mhz19b', gas.mhz19b),
      mcu680: fromColumns('mcu680', environmental.mcu680),
      mcu90640: decodeThermalFile(need('thermal')),
    },
  };
  return { meta, trace };
}
