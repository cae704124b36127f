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
      args: argv,
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
    const path = issue?.path.join('.') ?? '';
    const where = path === '' ? '' : ` --${path}:`;
    throw new EmberError(
      'EMBER_ERR_BAD_OPTION',
      `${command}:${where} ${issue?.message ?? 'invalid options'}`,
    );
  }
  return parsed.data;
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
