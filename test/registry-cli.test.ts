import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelRegistry } from '../factory/registry/model-registry.js';
import { evaluationWith, fakeRegistration } from '../factory/registry/registry-fixtures.test-helper.js';
import { registryCommand } from '../cli/commands/registry.js';
import { exitCodeFor, type CommandIo } from '../cli/options.js';
import { isEmberError } from '../shared/errors.js';
import { FolderStore } from '../shared/object-store/index.js';
import { postgresRegistryCatalog } from '../cloud/registry/postgres-registry-catalog.js';
import { postgresForFile } from './helpers/postgres.js';

const createDatabase = postgresForFile();

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  /** The EmberError code when the command failed by throwing, as cli/main.ts would report it. */
  error?: string;
}

/** Runs the command in-process as cli/main.ts would, capturing both streams. */
async function run(args: string[]): Promise<Outcome> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const io: CommandIo = {
    stdin: new PassThrough(),
    stdout,
    stderr,
    stopSignal: new Promise(() => undefined),
  };
  try {
    const code = await registryCommand.run(args, io);
    return { code, stdout: out, stderr: err };
  } catch (error) {
    err += `emberwatch ${error instanceof Error ? error.message : String(error)}\n`;
    const code = isEmberError(error) ? error.code : 'not an EmberError';
    return { code: exitCodeFor(error), stdout: out, stderr: err, error: code };
  }
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('emberwatch registry', () => {
  let dir: string;
  let where: string[];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ember-registry-cli-'));
    where = ['--registry', join(dir, 'registry')];
    const registry = new ModelRegistry({
      store: new FolderStore(join(dir, 'registry')),
      catalogFile: join(dir, 'registry', 'catalog.sqlite'),
    });
    await registry.start();
    await registry.register(fakeRegistration('v1', { day: 1 }));
    const small = evaluationWith('v2', (e) => (e.nuisance.runs = 40));
    await registry.register(fakeRegistration('v2', { day: 2, evaluation: small }));
    await registry.stop();
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lists models newest first as a table, or as JSON lines', async () => {
    const table = await run(['list', ...where]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^VERSION\s+STATUS\s+CREATED\s+FAMILY\s+DETECTION\s+MEDIAN TTA/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 2))).toEqual([
      ['v2', 'candidate'],
      ['v1', 'candidate'],
    ]);
    expect(lines[1]).toContain('100.0 %');
    const json = await run(['list', ...where, '--json']);
    expect(jsonLines(json.stdout).map((m) => [m['version'], m['status']])).toEqual([
      ['v2', 'candidate'],
      ['v1', 'candidate'],
    ]);
    const approvedOnly = await run(['list', ...where, '--status', 'approved']);
    expect(approvedOnly.stdout).toContain('no models in');
  });

  it('shows a model: manifest, evaluation against the baselines, decisions', async () => {
    const shown = await run(['show', 'v1', ...where]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('model v1: candidate');
    expect(shown.stdout).toContain('fire      48/48 detected (100.0 %), median 30.0 s, p90 55.0 s');
    expect(shown.stdout).toContain('smoke 90.0 % 120.0 s');
    expect(shown.stdout).toContain('decisions: none');
    expect(shown.stdout).toContain('exp-v1');
    const json = jsonLines((await run(['show', 'v1', ...where, '--json'])).stdout)[0];
    expect(json?.['manifest']).toMatchObject({ version: 'v1', family: 'gbdt' });
    expect(json?.['evaluation']).toMatchObject({ modelVersion: 'v1' });
  });

  it('refuses an approval the gate does not pass, listing every criterion, and records nothing', async () => {
    const refused = await run(['approve', 'v2', ...where, '--reason', 'ship it', '--by', 'alice']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('  FAIL: nuisance runs evaluated 40 (limit ≥ 300)');
    expect(refused.stderr).toContain('  pass: fire detection rate 100.0 % (48/48 runs) (limit ≥ 100.0 %)');
    expect(refused.stderr).toContain('the gate refused v2 (1 of 5 criteria failed); nothing recorded');
    const shown = jsonLines((await run(['show', 'v2', ...where, '--json'])).stdout)[0];
    expect(shown?.['decisions']).toEqual([]);
  });

  it('approves through the gate, or past it with --force, and records who and why', async () => {
    const approved = await run(['approve', 'v1', ...where, '--reason', 'meets the targets', '--by', 'alice']);
    expect(approved.code).toBe(0);
    expect(approved.stdout).toContain('pass: median time to alarm 30.0 s = 0.33 × best baseline 90.0 s');
    expect(approved.stdout).toContain('approved v1 (decision 1 by alice)');
    const forced = await run([
      'approve',
      'v2',
      ...where,
      '--reason',
      'hand-checked',
      '--by',
      'bob',
      '--force',
    ]);
    expect(forced.stdout).toContain('gate skipped (--force)');
    const models = jsonLines((await run(['list', ...where, '--json'])).stdout);
    expect(models.map((m) => [m['version'], m['status'], m['decidedBy']])).toEqual([
      ['v2', 'approved', 'bob'],
      ['v1', 'approved', 'alice'],
    ]);
    const v1 = jsonLines((await run(['show', 'v1', ...where, '--json'])).stdout)[0];
    expect(v1?.['decisions']).toMatchObject([
      { to: 'approved', reason: 'meets the targets', gate: { approved: true } },
    ]);
  });

  it('takes gate limits from --criteria, and refuses a criteria file with an unknown field', async () => {
    const loose = join(dir, 'loose.json');
    await writeFile(loose, JSON.stringify({ minNuisanceRuns: 30 }));
    const passed = await run(['approve', 'v2', ...where, '--reason', 'pilot', '--criteria', loose, '--json']);
    expect(passed.code).toBe(0);
    expect(jsonLines(passed.stdout)[0]).toMatchObject({ version: 'v2', approved: true });
    const typo = join(dir, 'typo.json');
    await writeFile(typo, JSON.stringify({ minNuisanceRun: 30 }));
    const refused = await run(['approve', 'v1', ...where, '--reason', 'x', '--criteria', typo]);
    expect(refused).toMatchObject({ code: 2, error: 'EMBER_ERR_BAD_OPTION' });
    expect(refused.stderr).toContain('minNuisanceRun');
  });

  it('rejects with a reason, and says plainly what is wrong with bad input', async () => {
    const rejected = await run(['reject', 'v1', ...where, '--reason', 'too slow', '--by', 'carol']);
    expect(rejected).toMatchObject({ code: 0, stdout: 'rejected v1 (decision 1 by carol)\n' });
    const cases: [string[], number, string, string][] = [
      [
        ['reject', 'v2', ...where],
        2,
        'EMBER_ERR_BAD_OPTION',
        'registry reject: --reason: is required: say why',
      ],
      [['reject', 'v2', ...where, '--reason', ' '], 2, 'EMBER_ERR_BAD_OPTION', '--reason: is required'],
      [['reject', ...where, '--reason', 'x'], 2, 'EMBER_ERR_BAD_OPTION', 'expected a VERSION after reject'],
      [['reject', '../v1', '--reason', 'x'], 2, 'EMBER_ERR_BAD_OPTION', 'VERSION "../v1" is not valid'],
      [['reject', 'v9', ...where, '--reason', 'x'], 1, 'EMBER_ERR_REGISTRY_NOT_FOUND', 'no model v9'],
      [
        ['reject', 'v1', ...where, '--reason', 'x'],
        1,
        'EMBER_ERR_REGISTRY_TRANSITION',
        'v1 is already rejected',
      ],
      [['reject', 'v2', ...where, '--reason', 'x', '--force'], 2, 'EMBER_ERR_BAD_OPTION', "'--force'"],
      [['list', ...where, '--status', 'live'], 2, 'EMBER_ERR_BAD_OPTION', 'registry list: --status:'],
      [['promote', 'v1'], 2, 'EMBER_ERR_BAD_OPTION', 'expected list, show, approve, reject or rebuild'],
    ];
    for (const [args, code, error, message] of cases) {
      const outcome = await run(args);
      expect({ args, code: outcome.code, error: outcome.error }).toEqual({ args, code, error });
      expect(outcome.stderr).toContain(message);
    }
  });

  it('prints its usage with --help', async () => {
    const help = await run(['approve', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('emberwatch registry approve VERSION --reason TEXT');
  });

  it('rebuilds a lost catalogue from the store', async () => {
    await run(['approve', 'v1', ...where, '--reason', 'ok', '--by', 'alice']);
    const catalog = join(dir, 'fresh.sqlite');
    const rebuilt = await run(['rebuild', ...where, '--catalog', catalog]);
    expect(jsonLines(rebuilt.stdout)[0]).toMatchObject({
      models: 2,
      experiments: 2,
      decisions: 1,
      skipped: [],
    });
    const models = jsonLines((await run(['list', ...where, '--catalog', catalog, '--json'])).stdout);
    expect(models.map((m) => m['status'])).toEqual(['candidate', 'approved']);
  });

  it("reads and decides in the cloud's shared catalogue when --catalog names its database", async () => {
    const database = await createDatabase();
    try {
      const catalog = ['--catalog', database.url];
      // The first use fills the new tables from the store.
      const listed = jsonLines((await run(['list', ...where, ...catalog, '--json'])).stdout);
      expect(listed.map((m) => m['version'])).toEqual(['v2', 'v1']);
      const rejected = await run([
        'reject',
        'v1',
        ...where,
        ...catalog,
        '--reason',
        'recall',
        '--by',
        'alice',
      ]);
      expect(rejected.code).toBe(0);
      // A cloud worker on the same database sees the decision without a rebuild.
      const worker = new ModelRegistry({
        store: new FolderStore(join(dir, 'registry')),
        catalog: postgresRegistryCatalog(database.url),
      });
      await worker.start();
      try {
        expect((await worker.list({ status: 'rejected' })).map((m) => m.version)).toEqual(['v1']);
      } finally {
        await worker.stop();
      }
    } finally {
      await database.drop();
    }
  });
});
