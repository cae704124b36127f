import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ModelStatus } from '../../factory/registry/decision.js';
import { GateCriteria } from '../../factory/registry/gate.js';
import { ModelRegistry } from '../../factory/registry/model-registry.js';
import { formatPercent, formatSeconds, modelDetailsText } from '../../factory/registry/model-details-text.js';
import type { ModelRecord, RegistryCatalogHome } from '../../factory/registry/registry-catalog.js';
import { RegistryName } from '../../factory/registry/registry-layout.js';
import { postgresRegistryCatalog } from '../../cloud/registry/postgres-registry-catalog.js';
import { EmberError } from '../../shared/errors.js';
import { openObjectStore, parseStoreTarget } from '../../shared/object-store/index.js';
import {
  asksForHelp,
  type Command,
  type CommandIo,
  parseOptions,
  writeLine,
  writeUsage,
} from '../options.js';
import * as helpText from '../help/registry.js';

const Where = {
  registry: z.string().min(1).default('./data/registry'),
  catalog: z.string().min(1).optional(),
  json: z.boolean().default(false),
};
const WHERE_ARGS = {
  registry: { type: 'string' },
  catalog: { type: 'string' },
  json: { type: 'boolean' },
} as const;
const DECIDE_ARGS = { reason: { type: 'string' }, by: { type: 'string' } } as const;
const APPROVE_ARGS = { force: { type: 'boolean' }, criteria: { type: 'string' } } as const;
const Reason = z.string({ error: 'is required: say why' }).trim().min(1, 'is required: say why');
const ListOptions = z.object({ ...Where, status: ModelStatus.optional() });
const RejectOptions = z.object({ ...Where, reason: Reason, by: z.string().trim().min(1).optional() });
const ApproveOptions = RejectOptions.extend({
  force: z.boolean().default(false),
  criteria: z.string().optional(),
});
type WhereOptions = z.infer<z.ZodObject<typeof Where>>;

/** `--catalog`: a SQLite file, or the cloud's PostgreSQL database (a postgres:// URL) its workers share. */
function catalogFor(options: WhereOptions): { catalogFile: string } | { catalog: RegistryCatalogHome } {
  if (options.catalog !== undefined && /^postgres(ql)?:\/\//.test(options.catalog)) {
    return { catalog: postgresRegistryCatalog(options.catalog) };
  }
  if (options.catalog !== undefined) return { catalogFile: resolve(options.catalog) };
  const target = parseStoreTarget(options.registry);
  return {
    catalogFile:
      target.kind === 'folder'
        ? join(target.root, 'catalog.sqlite')
        : resolve('./data/registry-catalog.sqlite'),
  };
}

async function withRegistry<T>(
  options: WhereOptions,
  use: (registry: ModelRegistry) => Promise<T>,
): Promise<T> {
  const store = openObjectStore(options.registry);
  const registry = new ModelRegistry({ store, ...catalogFor(options) });
  try {
    await registry.start();
    return await use(registry);
  } finally {
    await registry.stop();
    await store.close();
  }
}

function defaultDecider(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env['USER'] ?? 'unknown';
  }
}

async function loadCriteria(file: string | undefined): Promise<z.infer<typeof GateCriteria>> {
  if (file === undefined) return GateCriteria.parse({});
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new EmberError(
      'EMBER_ERR_FILE_UNREADABLE',
      `registry approve: cannot read --criteria ${file}: ${reason}`,
      {
        cause: error,
      },
    );
  }
  const parsed = GateCriteria.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new EmberError(
    'EMBER_ERR_BAD_OPTION',
    `registry approve: --criteria ${file}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}`,
  );
}

function table(rows: string[][]): string[] {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

function listLines(models: readonly ModelRecord[]): string[] {
  const header = [
    'VERSION',
    'STATUS',
    'CREATED',
    'FAMILY',
    'DETECTION',
    'MEDIAN TTA',
    'FALSE ALARMS',
    'DECIDED BY',
  ];
  return table([
    header,
    ...models.map((m) => [
      m.version,
      m.status,
      m.createdAt,
      m.family,
      formatPercent(m.metrics['detectionRate']),
      formatSeconds(m.metrics['medianTimeToAlarmS']),
      String(m.metrics['falseAlarmRuns'] ?? '-'),
      m.decidedBy ?? '-',
    ]),
  ]);
}

async function writeLines(io: CommandIo, lines: readonly string[]): Promise<void> {
  for (const line of lines) await writeLine(io.stdout, line);
}

function versionOf(action: string, rest: readonly string[]): string {
  const [version] = rest;
  if (version === undefined || version.startsWith('-')) {
    throw new EmberError('EMBER_ERR_BAD_OPTION', `registry ${action}: expected a VERSION after ${action}`);
  }
  const parsed = RegistryName.safeParse(version);
  if (!parsed.success) {
    throw new EmberError(
      'EMBER_ERR_BAD_OPTION',
      `registry ${action}: VERSION ${JSON.stringify(version)} is not valid`,
    );
  }
  return version;
}

async function approve(version: string, rest: string[], io: CommandIo): Promise<number> {
  const options = parseOptions(
    'registry approve',
    rest,
    { ...WHERE_ARGS, ...DECIDE_ARGS, ...APPROVE_ARGS },
    ApproveOptions,
  );
  if (options === 'help') return help(io);
  const criteria = await loadCriteria(options.criteria);
  const by = options.by ?? defaultDecider();
  return withRegistry(options, async (registry) => {
    const gate = options.force ? undefined : await registry.checkGate(version, criteria);
    if (gate !== undefined && !gate.approved) {
      const failing = gate.checks.filter((c) => !c.passed).length;
      if (options.json) await writeLine(io.stdout, JSON.stringify({ version, approved: false, gate }));
      for (const reason of gate.reasons) await writeLine(io.stderr, `  ${reason}`);
      await writeLine(
        io.stderr,
        `emberwatch registry approve: the gate refused ${version} (${failing} of ${gate.checks.length} criteria failed); nothing recorded`,
      );
      return 1;
    }
    const decision = await registry.approve(
      version,
      gate === undefined ? { by, reason: options.reason } : { by, reason: options.reason, gate },
    );
    if (options.json)
      return writeLine(io.stdout, JSON.stringify({ version, approved: true, decision })).then(() => 0);
    await writeLines(io, gate?.reasons.map((r) => `  ${r}`) ?? ['  gate skipped (--force)']);
    await writeLine(io.stdout, `approved ${version} (decision ${decision.seq} by ${by})`);
    return 0;
  });
}

const help = (io: CommandIo): Promise<number> => writeUsage(io, helpText.usage);

export const registryCommand: Command = {
  name: 'registry',
  summary: helpText.summary,
  usage: helpText.usage,
  async run(argv, io) {
    const [action = '', ...rest] = argv;
    if (asksForHelp(argv)) return help(io);
    if (action === 'list' || action === 'rebuild') {
      const options = parseOptions(
        `registry ${action}`,
        rest,
        { ...WHERE_ARGS, status: { type: 'string' } },
        ListOptions,
      );
      if (options === 'help') return help(io);
      return withRegistry(options, async (registry) => {
        if (action === 'rebuild') {
          const result = await registry.rebuildCatalog();
          await writeLine(io.stdout, JSON.stringify(result));
          return result.skipped.length === 0 ? 0 : 1;
        }
        const status = 'status' in options ? options.status : undefined;
        const models = await registry.list(status === undefined ? {} : { status });
        if (options.json)
          await writeLines(
            io,
            models.map((m) => JSON.stringify(m)),
          );
        else
          await writeLines(
            io,
            models.length === 0 ? [`no models in ${options.registry}`] : listLines(models),
          );
        return 0;
      });
    }
    if (action === 'show') {
      const version = versionOf(action, rest);
      const options = parseOptions('registry show', rest.slice(1), WHERE_ARGS, z.object(Where));
      if (options === 'help') return help(io);
      const details = await withRegistry(options, (registry) => registry.show(version));
      await writeLines(io, options.json ? [JSON.stringify(details)] : modelDetailsText(details));
      return 0;
    }
    if (action === 'approve') return approve(versionOf(action, rest), rest.slice(1), io);
    if (action === 'reject') {
      const version = versionOf(action, rest);
      const options = parseOptions(
        'registry reject',
        rest.slice(1),
        { ...WHERE_ARGS, ...DECIDE_ARGS },
        RejectOptions,
      );
      if (options === 'help') return help(io);
      const by = options.by ?? defaultDecider();
      const decision = await withRegistry(options, (registry) =>
        registry.reject(version, { by, reason: options.reason }),
      );
      await writeLine(
        io.stdout,
        options.json ? JSON.stringify(decision) : `rejected ${version} (decision ${decision.seq} by ${by})`,
      );
      return 0;
    }
    throw new EmberError(
      'EMBER_ERR_BAD_OPTION',
      `registry: expected list, show, approve, reject or rebuild, got ${JSON.stringify(action)}`,
    );
  },
};
