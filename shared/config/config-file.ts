import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { z } from 'zod';
import { EmberError } from '../errors.js';

/** EMBER_ERR_BAD_CONFIG with the one-line message every config error uses: `config: WHERE: WHAT`. */
export function badConfig(where: string, message: string, cause?: unknown): EmberError {
  return new EmberError('EMBER_ERR_BAD_CONFIG', `config: ${where}: ${message}`, { cause });
}

/**
 * Validates `raw` against `schema`, or throws {@link badConfig} naming the
 * first bad field's dotted path (an unknown key included), `(root)` for the
 * document itself.
 */
export function parseConfigSection<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const keys = issue !== undefined && issue.code === 'unrecognized_keys' ? issue.keys : [];
  const path = [...(issue?.path.map(String) ?? []), ...keys.slice(0, 1)].join('.');
  const message = issue?.code === 'unrecognized_keys' ? 'unknown setting (misspelt?)' : issue?.message;
  throw badConfig(path === '' ? '(root)' : path, message ?? 'invalid');
}

/** How a configuration file is read, and the rule that decided it (quoted in errors). */
export interface ConfigFormat {
  readonly format: 'JSON' | 'YAML';
  readonly rule: string;
}

/**
 * The format of a configuration file: `.json` is JSON, `.yaml` and `.yml`
 * are YAML; a file with any other name is JSON when its first character
 * (after blanks) is `{`, YAML otherwise. Pure.
 */
export function configFormatOf(path: string, source: string): ConfigFormat {
  const extension = extname(path).toLowerCase();
  if (extension === '.json') return { format: 'JSON', rule: 'its name ends in .json' };
  if (extension === '.yaml' || extension === '.yml') {
    return { format: 'YAML', rule: `its name ends in ${extension}` };
  }
  const named = extension === '' ? 'its name has no extension' : `its name ends in ${extension}`;
  return source.trimStart().startsWith('{')
    ? { format: 'JSON', rule: `${named} and it starts with "{"` }
    : { format: 'YAML', rule: `${named} and it does not start with "{"` };
}

/**
 * Reads a YAML or JSON configuration file (the format by {@link configFormatOf})
 * into plain data, or throws {@link badConfig} naming the file: unreadable,
 * not valid in its format (the rule that chose the format is part of the
 * message), or not a mapping of settings.
 */
export async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  let source: string;
  try {
    source = await readFile(path, 'utf8');
  } catch (error) {
    throw badConfig(path, `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, error);
  }
  const { format, rule } = configFormatOf(path, source);
  let raw: unknown;
  try {
    // The YAML parser is loaded only for a YAML file: a JSON config (Greengrass writes one) never
    // carries its modules in a long-running process.
    raw = format === 'YAML' ? (await import('yaml')).parse(source) : JSON.parse(source);
  } catch (error) {
    const first = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
    throw badConfig(path, `not valid ${format} (read as ${format} because ${rule}): ${first}`, error);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    const what = raw === null || raw === undefined ? 'nothing' : Array.isArray(raw) ? 'a list' : typeof raw;
    throw badConfig(path, `holds ${what}, not a mapping of settings (read as ${format} because ${rule})`);
  }
  return raw as Record<string, unknown>;
}
