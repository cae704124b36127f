import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import { AccessAdmin } from '../../cloud/access/access-admin.js';
import { AccessControl } from '../../cloud/access/access-control.js';
import { accessStoresOf } from '../../cloud/access/access-stores-set.js';
import { loadCloudConfig } from '../../cloud/config/cloud-config.js';
import { EmberError, isEmberError } from '../../shared/errors.js';

/** Where the cloud keeps its data: `--config FILE` (its dataDir or database) or `--data DIR`. */
export const WHERE_OPTIONS = {
  config: { type: 'string', short: 'c' },
  data: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export const Where = {
  config: z.string().min(1).optional(),
  data: z.string().min(1).optional(),
  json: z.boolean().default(false),
};

/** Where the cloud keeps its users, tokens, sessions and audit log. */
export interface AccessWhere {
  readonly dataDir: string;
  /** The configuration's `database:`: then they live in PostgreSQL. */
  readonly database?: string;
}

/**
 * Where the cloud keeps its access data: `--config FILE` (its `database:`
 * when set, else its dataDir) or `--data DIR`; ./data/cloud when neither is
 * given.
 */
export async function accessWhereOf(
  command: string,
  options: { config?: string; data?: string },
): Promise<AccessWhere> {
  if (options.config !== undefined && options.data !== undefined) {
    throw new EmberError('EMBER_ERR_BAD_OPTION', `${command}: give --config or --data, not both`);
  }
  if (options.config === undefined) return { dataDir: resolve(options.data ?? './data/cloud') };
  try {
    const config = await loadCloudConfig(options.config);
    return {
      dataDir: config.dataDir,
      ...(config.database === undefined ? {} : { database: config.database }),
    };
  } catch (error) {
    if (isEmberError(error, 'EMBER_ERR_BAD_CONFIG')) {
      throw new EmberError('EMBER_ERR_BAD_OPTION', `${command}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/** How the audit log names a change made from the command line. */
export function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return `cli:${process.env['USER'] ?? 'unknown'}`;
  }
}

/**
 * Opens the access stores at `where` (safe beside a running cloud: SQLite
 * WAL, or the PostgreSQL database the workers share), runs `use`, closes
 * them. A name, role or password the stores refuse is a bad invocation
 * (exit 2) naming the command.
 */
export async function withAccessAdmin<T>(
  command: string,
  where: AccessWhere,
  use: (admin: AccessAdmin) => Promise<T>,
): Promise<T> {
  const access = new AccessControl({ stores: accessStoresOf(where) });
  await access.start();
  try {
    return await use(new AccessAdmin(access));
  } catch (error) {
    if (!isEmberError(error, 'EMBER_ERR_ACCESS_BAD_INPUT')) throw error;
    throw new EmberError('EMBER_ERR_BAD_OPTION', `${command}: ${error.message}`, { cause: error });
  } finally {
    await access.stop();
  }
}

/** A password nobody chose: 24 characters of base64url (144 random bits). */
export function generatedPassword(): string {
  return randomBytes(18).toString('base64url');
}

/** The first line of standard input, for `--password-stdin`. */
export async function readPasswordLine(stdin: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stdin) {
    text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    if (text.includes('\n') || text.length > 4096) break;
  }
  const line = text.split(/\r?\n/)[0] ?? '';
  if (line === '') throw new EmberError('EMBER_ERR_BAD_OPTION', 'no password on standard input');
  return line;
}

/** The role option: one line naming the allowed roles when it is anything else. */
export const RoleOption = z.enum(['viewer', 'operator', 'admin'], {
  error: 'expected viewer, operator or admin',
});

/** A positional NAME after the action; EMBER_ERR_BAD_OPTION when missing. */
export function nameAfter(command: string, what: string, rest: readonly string[]): string {
  const [name] = rest;
  if (name === undefined || name.startsWith('-')) {
    throw new EmberError('EMBER_ERR_BAD_OPTION', `${command}: expected a ${what}`);
  }
  return name;
}
