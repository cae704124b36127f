import { z } from 'zod';
import type { UserView } from '../../cloud/access/access-admin.js';
import { EmberError } from '../../shared/errors.js';
import {
  cliActor,
  accessWhereOf,
  generatedPassword,
  nameAfter,
  readPasswordLine,
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
import * as helpText from '../help/users.js';

function line(user: UserView): string {
  const state = user.disabled ? 'disabled' : 'active';
  return `${user.username}  ${user.role}  ${state}  since ${new Date(user.createdAt).toISOString()}`;
}

const ListOptions = z.object(Where);
const AddOptions = z.object({ ...Where, role: RoleOption, 'password-stdin': z.boolean().default(false) });
const SetOptions = z.object({
  ...Where,
  role: RoleOption.optional(),
  'password-stdin': z.boolean().default(false),
  disable: z.boolean().default(false),
  enable: z.boolean().default(false),
});
const ROLE = { role: { type: 'string' } } as const;
const PASSWORD = { 'password-stdin': { type: 'boolean' } } as const;

const help = (io: CommandIo): Promise<number> => writeUsage(io, helpText.usage);

async function add(name: string, rest: string[], io: CommandIo): Promise<number> {
  const options = parseOptions('users add', rest, { ...WHERE_OPTIONS, ...ROLE, ...PASSWORD }, AddOptions);
  if (options === 'help') return help(io);
  const where = await accessWhereOf('users add', options);
  const password = options['password-stdin'] ? await readPasswordLine(io.stdin) : generatedPassword();
  const user = await withAccessAdmin('users add', where, (admin) =>
    admin.createUser({ username: name, role: options.role, password }, cliActor()),
  );
  if (options.json) {
    const shown = options['password-stdin'] ? {} : { password };
    await writeLine(io.stdout, JSON.stringify({ user, ...shown }));
  } else {
    await writeLine(io.stdout, `added ${user.username} (${user.role})`);
    if (!options['password-stdin']) await writeLine(io.stdout, `password: ${password}`);
  }
  return 0;
}

async function set(name: string, rest: string[], io: CommandIo): Promise<number> {
  const args = {
    ...WHERE_OPTIONS,
    ...ROLE,
    ...PASSWORD,
    disable: { type: 'boolean' },
    enable: { type: 'boolean' },
  } as const;
  const options = parseOptions('users set', rest, args, SetOptions);
  if (options === 'help') return help(io);
  if (options.disable && options.enable) {
    throw new EmberError('EMBER_ERR_BAD_OPTION', 'users set: --disable and --enable contradict each other');
  }
  const disabled = options.disable ? true : options.enable ? false : undefined;
  if (options.role === undefined && !options['password-stdin'] && disabled === undefined) {
    throw new EmberError(
      'EMBER_ERR_BAD_OPTION',
      'users set: nothing to change (--role, --password-stdin, --disable, --enable)',
    );
  }
  const where = await accessWhereOf('users set', options);
  const password = options['password-stdin'] ? await readPasswordLine(io.stdin) : undefined;
  const user = await withAccessAdmin('users set', where, (admin) =>
    admin.updateUser(
      name,
      {
        ...(options.role === undefined ? {} : { role: options.role }),
        ...(password === undefined ? {} : { password }),
        ...(disabled === undefined ? {} : { disabled }),
      },
      cliActor(),
    ),
  );
  await writeLine(io.stdout, options.json ? JSON.stringify({ user }) : line(user));
  return 0;
}

export const usersCommand: Command = {
  name: 'users',
  summary: helpText.summary,
  usage: helpText.usage,
  async run(argv, io) {
    const [action = '', ...rest] = argv;
    if (asksForHelp(argv)) return help(io);
    if (action === 'list') {
      const options = parseOptions('users list', rest, WHERE_OPTIONS, ListOptions);
      if (options === 'help') return help(io);
      const users = await withAccessAdmin('users list', await accessWhereOf('users list', options), (admin) =>
        admin.listUsers(),
      );
      if (options.json) for (const user of users) await writeLine(io.stdout, JSON.stringify(user));
      else await writeLine(io.stdout, users.length === 0 ? 'no users' : users.map(line).join('\n'));
      return 0;
    }
    if (action === 'add') return add(nameAfter('users add', 'user NAME', rest), rest.slice(1), io);
    if (action === 'set') return set(nameAfter('users set', 'user NAME', rest), rest.slice(1), io);
    if (action === 'remove') {
      const name = nameAfter('users remove', 'user NAME', rest);
      const options = parseOptions('users remove', rest.slice(1), WHERE_OPTIONS, ListOptions);
      if (options === 'help') return help(io);
      await withAccessAdmin('users remove', await accessWhereOf('users remove', options), (admin) =>
        admin.removeUser(name, cliActor()),
      );
      await writeLine(io.stdout, `removed ${name}`);
      return 0;
    }
    throw new EmberError(
      'EMBER_ERR_BAD_OPTION',
      `users: expected list, add, set or remove, got ${JSON.stringify(action)}`,
    );
  },
};
