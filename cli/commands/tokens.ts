import { z } from 'zod';
import type { TokenView } from '../../cloud/access/access-admin.js';
import { EmberError } from '../../shared/errors.js';
import {
  cliActor,
  accessWhereOf,
  nameAfter,
  RoleOption,
  Where,
  WHERE_OPTIONS,
  withAccessAdmin,
} from '../access/access-data.js';
import {
  asksForHelp,
  type Command,
  type CommandIo,
  parseOptions,
  writeLine,
  writeUsage,
} from '../options.js';
import * as helpText from '../help/tokens.js';

function line(token: TokenView): string {
  const state =
    token.revokedAt !== null
      ? 'revoked'
      : token.expiresAt !== null && token.expiresAt <= Date.now()
        ? 'expired'
        : 'active';
  const used =
    token.lastUsedAt === null ? 'never used' : `last used ${new Date(token.lastUsedAt).toISOString()}`;
  return `${token.id}  ${token.name}  ${token.role}  ${state}  ${used}  by ${token.createdBy}`;
}

const ListOptions = z.object(Where);
const CreateOptions = z.object({
  ...Where,
  name: z.string({ error: 'is required' }).min(1),
  role: RoleOption,
  'expires-days': z.coerce.number().positive().max(3650).optional(),
});

const help = (io: CommandIo): Promise<number> => writeUsage(io, helpText.usage);

export const tokensCommand: Command = {
  name: 'tokens',
  summary: helpText.summary,
  usage: helpText.usage,
  async run(argv, io) {
    const [action = '', ...rest] = argv;
    if (asksForHelp(argv)) return help(io);
    if (action === 'list') {
      const options = parseOptions('tokens list', rest, WHERE_OPTIONS, ListOptions);
      if (options === 'help') return help(io);
      const tokens = await withAccessAdmin(
        'tokens list',
        await accessWhereOf('tokens list', options),
        (admin) => admin.listTokens(),
      );
      if (options.json) for (const token of tokens) await writeLine(io.stdout, JSON.stringify(token));
      else await writeLine(io.stdout, tokens.length === 0 ? 'no tokens' : tokens.map(line).join('\n'));
      return 0;
    }
    if (action === 'create') {
      const args = {
        ...WHERE_OPTIONS,
        name: { type: 'string' },
        role: { type: 'string' },
        'expires-days': { type: 'string' },
      } as const;
      const options = parseOptions('tokens create', rest, args, CreateOptions);
      if (options === 'help') return help(io);
      const days = options['expires-days'];
      const made = await withAccessAdmin(
        'tokens create',
        await accessWhereOf('tokens create', options),
        (admin) =>
          admin.createToken(
            {
              name: options.name,
              role: options.role,
              ...(days === undefined ? {} : { expiresInDays: days }),
            },
            cliActor(),
          ),
      );
      if (options.json) await writeLine(io.stdout, JSON.stringify(made));
      else {
        await writeLine(
          io.stdout,
          `created token ${made.record.id} (${made.record.name}, ${made.record.role}); shown once:`,
        );
        await writeLine(io.stdout, made.token);
      }
      return 0;
    }
    if (action === 'revoke') {
      const id = nameAfter('tokens revoke', 'token ID', rest);
      const options = parseOptions('tokens revoke', rest.slice(1), WHERE_OPTIONS, ListOptions);
      if (options === 'help') return help(io);
      const token = await withAccessAdmin(
        'tokens revoke',
        await accessWhereOf('tokens revoke', options),
        (admin) => admin.revokeToken(id, cliActor()),
      );
      await writeLine(
        io.stdout,
        options.json ? JSON.stringify(token) : `revoked ${token.id} (${token.name})`,
      );
      return 0;
    }
    throw new EmberError(
      'EMBER_ERR_BAD_OPTION',
      `tokens: expected list, create or revoke, got ${JSON.stringify(action)}`,
    );
  },
};
