import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { FeatureQuery, resolveFeaturesFolder } from '../../factory/features-store/feature-query.js';
import { QUERY_FORMATS, rowPrinter } from '../../factory/features-store/query-output.js';
import { EmberError } from '../../shared/errors.js';
import { parseOptions, writeLine, type Command } from '../options.js';
import * as helpText from '../help/query.js';

const Options = z.object({
  features: z.string().min(1).optional(),
  format: z.enum(QUERY_FORMATS).default('json'),
});

const OPTION_SPEC = { features: { type: 'string' }, format: { type: 'string' } } as const;

/** Separates the SQL (wherever it stands, or after `--`) from the options, which parseOptions then checks. */
function splitArguments(argv: string[]): { positionals: string[]; flags: string[] } {
  let tokens;
  try {
    tokens = parseArgs({
      args: argv,
      options: { ...OPTION_SPEC, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: false,
      tokens: true,
    }).tokens;
  } catch {
    return { positionals: [], flags: argv };
  }
  const positional = new Set(tokens.flatMap((t) => (t.kind === 'positional' ? [t.index] : [])));
  const terminator = new Set(tokens.flatMap((t) => (t.kind === 'option-terminator' ? [t.index] : [])));
  return {
    positionals: argv.filter((_, i) => positional.has(i)),
    flags: argv.filter((_, i) => !positional.has(i) && !terminator.has(i)),
  };
}

/** The current folder when it holds a feature store, else ./data/dataset. */
function defaultFolder(): string {
  return existsSync('features') ? '.' : 'data/dataset';
}

async function writeLines(stream: NodeJS.WritableStream, lines: readonly string[]): Promise<void> {
  if (lines.length > 0) await writeLine(stream, lines.join('\n'));
}

export const queryCommand: Command = {
  name: 'query',
  summary: helpText.summary,
  usage: helpText.usage,
  async run(argv, io) {
    const { positionals, flags } = splitArguments(argv);
    const options = parseOptions('query', flags, OPTION_SPEC, Options);
    if (options === 'help') {
      await writeLine(io.stdout, this.usage);
      return 0;
    }
    const [sql, ...extra] = positionals;
    if (sql === undefined || sql.trim() === '' || extra.length > 0) {
      throw new EmberError('EMBER_ERR_BAD_OPTION', 'query: give exactly one SQL statement, quoted');
    }
    const folder = resolveFeaturesFolder(options.features ?? defaultFolder());
    const query = await FeatureQuery.open(folder);
    try {
      const rows = await query.run(sql);
      const printer = rowPrinter(options.format, rows.columns);
      for await (const batch of rows.batches) await writeLines(io.stdout, printer.batch(batch));
      await writeLines(io.stdout, printer.end());
      return 0;
    } finally {
      query.close();
    }
  },
};
