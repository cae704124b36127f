import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { readingsFromCsv } from '../../shared/dataset/replay-csv.js';
import { openEvaluationModel } from '../../factory/evaluation/evaluation-model.js';
import { replayReadings } from '../../factory/evaluation/replay.js';
import { AlarmPolicy } from '../../shared/alarm/alarm-policy.js';
import { EmberError } from '../../shared/errors.js';
import { parseOptions, writeLine, type Command } from '../options.js';
import * as helpText from '../help/replay.js';

const Options = z.object({
  input: z.string().min(1),
  model: z.string().min(1, 'expected a model folder or rules'),
  policy: z.string().min(1).optional(),
});

async function readText(file: string, option: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new EmberError('EMBER_ERR_FILE_UNREADABLE', `replay: cannot read ${option} ${file}: ${code}`, {
      cause: error,
    });
  }
}

async function loadPolicy(file: string): Promise<AlarmPolicy> {
  let value: unknown;
  try {
    value = JSON.parse(await readText(file, '--policy'));
  } catch (error) {
    if (error instanceof EmberError) throw error;
    throw new EmberError('EMBER_ERR_BAD_CONFIG', `replay: --policy ${file} is not JSON`, { cause: error });
  }
  const parsed = AlarmPolicy.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.join('.') ?? '';
  throw new EmberError(
    'EMBER_ERR_BAD_CONFIG',
    `replay: --policy ${file}: ${path === '' ? '' : `${path}: `}${issue?.message ?? 'invalid'}`,
  );
}

export const replayCommand: Command = {
  name: 'replay',
  summary: helpText.summary,
  usage: helpText.usage,
  async run(argv, io) {
    const options = parseOptions(
      'replay',
      argv,
      { input: { type: 'string' }, model: { type: 'string' }, policy: { type: 'string' } },
      Options,
    );
    if (options === 'help') {
      await writeLine(io.stdout, this.usage);
      return 0;
    }
    const csv = readingsFromCsv(await readText(options.input, '--input'), options.input);
    const policy = options.policy === undefined ? undefined : await loadPolicy(options.policy);
    const loaded = await openEvaluationModel(options.model);
    try {
      const changes = await replayReadings(csv, loaded.model, policy ?? loaded.policy);
      for (const change of changes) {
        const probability = Math.round(change.probability * 10_000) / 10_000;
        await writeLine(io.stdout, JSON.stringify({ t_s: change.ts, level: change.level, probability }));
      }
    } finally {
      await loaded.model.close();
    }
    return 0;
  },
};
