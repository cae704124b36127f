import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
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
  throw badConfig(path === '' ? '(root)' : path, issue?.message ?? 'invalid');
}

/** Reads a YAML (.yaml/.yml) or JSON configuration file into plain data, or throws {@link badConfig} naming it. */
export async function readConfigFile(path: string): Promise<unknown> {
  let source: string;
  try {
    source = await readFile(path, 'utf8');
  } catch (error) {
    throw badConfig(path, `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, error);
  }
  try {
    const yaml = ['.yaml', '.yml'].includes(extname(path).toLowerCase());
    return yaml ? (parseYaml(source) as unknown) : (JSON.parse(source) as unknown);
  } catch (error) {
    const first = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
    throw badConfig(path, `not valid ${extname(path) === '.json' ? 'JSON' : 'YAML'}: ${first}`, error);
  }
}
