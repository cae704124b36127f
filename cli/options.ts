import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { z } from 'zod';
import { EmberError, isEmberError } from '../shared/errors.js';

type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** A subcommand: its name, one-line summary, usage text and body. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  run(argv: string[], io: CommandIo): Promise<number>;
}

/** Where a command reads and writes, injected so tests can run commands in-process. */
export interface CommandIo {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Resolves when the user asks the process to stop (Ctrl-C, SIGTERM). */
  readonly stopSignal: Promise<void>;
}

/**
 * Parses `argv` against `options` and validates the result with `schema`.
 * Every failure becomes one EMBER_ERR_BAD_OPTION line naming the option.
 */
export function parseOptions<S extends z.ZodType>(
  command: string,
  argv: string[],
  options: OptionSpec,
  schema: S,
): z.infer<S> | 'help' {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({
      args: joinNegativeValues(argv, options),
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }).values;
  } catch (error) {
    throw new EmberError('EMBER_ERR_BAD_OPTION', `${command}: ${(error as Error).message}`, { cause: error });
  }
  if (values['help'] === true) return 'help';
  delete values['help'];
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.path[0];
    // zod's own wording of a missing value starts so; a schema's own message (`is required: say why`) stays.
    const generic = issue?.message.startsWith('Invalid input') === true;
    if (typeof key === 'string' && issue?.path.length === 1 && values[key] === undefined && generic) {
      // Not the schema's `expected number, received NaN`: the option was simply not given.
      throw new EmberError('EMBER_ERR_BAD_OPTION', `${command}: --${key}: is required`);
    }
    const path = issue?.path.join('.') ?? '';
    const where = path === '' ? '' : ` --${path}:`;
    const given = typeof key === 'string' ? values[key] : undefined;
    let message = issue?.message ?? 'invalid options';
    if (typeof given === 'string') {
      if (issue?.code === 'invalid_type' && issue.expected === 'number') {
        message = `${JSON.stringify(given)} is not a number`;
      } else if (issue?.code === 'too_small' || issue?.code === 'too_big') {
        message = `${message} (got ${given})`;
      }
    }
    throw new EmberError('EMBER_ERR_BAD_OPTION', `${command}:${where} ${message}`);
  }
  return parsed.data;
}

/**
 * `--runs -3` as `--runs=-3`: parseArgs refuses a value that starts with a
 * dash as ambiguous, but a negative number after a string option can only be
 * its value, and the schema then says what is wrong with it.
 */
function joinNegativeValues(argv: string[], options: OptionSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const next = argv[i + 1];
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** Exit codes: 2 for a bad invocation, 1 for a failure while running. */
export function exitCodeFor(error: unknown): number {
  return isEmberError(error, 'EMBER_ERR_BAD_OPTION') ? 2 : 1;
}

/** Writes one line, waiting when the stream asks the writer to slow down. */
export async function writeLine(stream: NodeJS.WritableStream, line: string): Promise<void> {
  if (!stream.write(`${line}\n`)) {
    await new Promise<void>((resolve) => stream.once('drain', resolve));
  }
}

/** True when the arguments ask for help (before any `--`). */
export function asksForHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/** Prints a command's usage; exit code 0. */
export async function writeUsage(io: CommandIo, usage: string): Promise<number> {
  await writeLine(io.stdout, usage);
  return 0;
}
