import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const CRUISER = join(ROOT, 'node_modules', '.bin', 'depcruise');

/** One file per break, each importing across a boundary the house forbids, and the rule that must stop it. */
const BREAKS: readonly { file: string; imports: string; rule: string }[] = [
  { file: 'shared/floor.ts', imports: '../cloud/ingest/intake.js', rule: 'shared-is-the-floor' },
  { file: 'edge/uses-sim.ts', imports: '../simulators/emulator.js', rule: 'edge-stands-alone' },
  { file: 'simulators/emulator.ts', imports: '../edge/agent.js', rule: 'simulators-stand-alone' },
  { file: 'factory/train.ts', imports: '../cloud/ingest/intake.js', rule: 'factory-below-cloud' },
  { file: 'cloud/ingest/intake.ts', imports: '../service/root.js', rule: 'cloud-service-is-the-top' },
  { file: 'cloud/contracts/values.ts', imports: '../fleet/state.js', rule: 'cloud-contracts-are-a-leaf' },
  { file: 'cloud/fleet/state.ts', imports: '../../edge/agent.js', rule: 'cloud-not-edge-or-simulators' },
  { file: 'edge/status/board.ts', imports: '../edge-wiring.js', rule: 'edge-agent-is-the-top' },
  { file: 'cli/main.ts', imports: '../bench/run.js', rule: 'cli-not-bench' },
  { file: 'cloud/fleet/uses-deploy.ts', imports: '../../deploy/aws/stack.js', rule: 'deploy-is-the-top' },
  { file: 'edge/uses-helper.ts', imports: './fake.test-helper.js', rule: 'no-test-code-in-the-product' },
  { file: 'edge/uses-vitest.ts', imports: 'vitest', rule: 'no-test-runner-in-the-product' },
  { file: 'edge/ping.ts', imports: './pong.js', rule: 'no-circular' },
];

/** Imports the rules allow: a break here would be a rule too wide. */
const ALLOWED: readonly { file: string; imports: string }[] = [
  { file: 'edge/agent.ts', imports: '../shared/floor-ok.js' },
  { file: 'edge/edge-wiring.ts', imports: './status/ok.js' },
  { file: 'cloud/service/root.ts', imports: '../fleet/state.js' },
  { file: 'test/anything.test.ts', imports: '../cloud/service/root.js' },
  { file: 'deploy/aws/stack.ts', imports: '../../cloud/service/root.js' },
  { file: 'edge/pong.ts', imports: './ping.js' },
];

interface CruiseResult {
  readonly summary: { readonly violations: readonly { from: string; to: string; rule: { name: string } }[] };
}

describe('the import rules (.dependency-cruiser.cjs)', () => {
  let dir: string;
  let result: CruiseResult;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emberwatch-import-rules-'));
    const files = new Map<string, string[]>();
    for (const { file, imports } of [...BREAKS, ...ALLOWED]) {
      files.set(file, [...(files.get(file) ?? []), `import '${imports}';`]);
    }
    for (const target of [
      'shared/floor-ok.ts',
      'edge/status/ok.ts',
      'bench/run.ts',
      'edge/fake.test-helper.ts',
      'edge/agent.ts',
      'edge/edge-wiring.ts',
      'cloud/service/root.ts',
      'deploy/aws/stack.ts',
    ]) {
      if (!files.has(target)) files.set(target, []);
    }
    for (const [file, lines] of files) {
      await mkdir(dirname(join(dir, file)), { recursive: true });
      await writeFile(join(dir, file), `${lines.join('\n')}\nexport const here = 1;\n`);
    }
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', allowJs: false },
      }),
    );
    await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    // A stand-in package where the real one would resolve (a symlink would resolve outside the tree).
    const vitest = join(dir, 'node_modules', 'vitest');
    await mkdir(vitest, { recursive: true });
    await writeFile(
      join(vitest, 'package.json'),
      JSON.stringify({ name: 'vitest', type: 'module', exports: './index.js' }),
    );
    await writeFile(join(vitest, 'index.js'), 'export const it = 1;\n');
    const run = spawnSync(
      CRUISER,
      [
        '--config',
        join(ROOT, '.dependency-cruiser.cjs'),
        '--output-type',
        'json',
        'shared',
        'edge',
        'simulators',
      ].concat(['factory', 'cloud', 'cli', 'bench', 'deploy', 'test']),
      { cwd: dir, encoding: 'utf8' },
    );
    if (run.stdout === '') throw new Error(`dependency-cruiser printed nothing: ${run.stderr}`);
    result = JSON.parse(run.stdout) as CruiseResult;
  }, 60_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(BREAKS)('$rule stops $file importing $imports', ({ file, rule }) => {
    const hits = result.summary.violations.filter((v) => v.from === file && v.rule.name === rule);
    expect(hits.length).toBeGreaterThan(0);
  });

  it('lets through every import the house allows', () => {
    const allowedFrom = new Set(ALLOWED.map((a) => a.file).filter((f) => f !== 'edge/pong.ts'));
    expect(result.summary.violations.filter((v) => allowedFrom.has(v.from))).toEqual([]);
  });
});
