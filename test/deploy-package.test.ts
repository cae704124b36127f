import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packPackage, REPO_ROOT, type PackedPackage } from './helpers/packed-package.js';
import { startBrokerFixture, type BrokerFixture } from './helpers/broker.js';
import {
  emptyRoot,
  groupEntry,
  parseUnit,
  startUnitCommand,
  PI_FILES,
  runPiInstall,
  unitEnvironment,
  unitValues,
  verifyUnit,
} from './helpers/pi-service.js';
import { waitFor } from './helpers/wait.js';

const run = promisify(execFile);

/** The install line of the README, with the tarball's path in place of its name. */
async function readmeInstallLine(tarball: string): Promise<string> {
  const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8');
  const line = readme.split('\n').find((l) => l.startsWith('ONNXRUNTIME_NODE_INSTALL=skip npm install '));
  if (line === undefined)
    throw new Error('README.md has no `ONNXRUNTIME_NODE_INSTALL=skip npm install` line');
  return line.replace(/\.\/emberwatch-\S+\.tgz/, tarball);
}

async function folderBytes(dir: string): Promise<number> {
  const { stdout } = await run('du', ['-sb', dir]);
  return Number(stdout.split('\t')[0]);
}

/** Runs a command of the installed package to its end, with its output. */
function runInstalled(
  cwd: string,
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(cwd, 'node_modules', '.bin', 'emberwatch'), args, {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

// Packing is seconds; installing is minutes: better-sqlite3 compiles from source where its
// prebuilt binary cannot be downloaded (about 2 of the 2.5 minutes on two cores).
describe(
  'the packed package, installed with the README line into an empty folder',
  { timeout: 900_000 },
  () => {
    let dir: string;
    let app: string;
    let packed: PackedPackage;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'emberwatch-package-'));
      app = join(dir, 'app');
      packed = await packPackage(dir);
      await run('mkdir', [app]);
      const started = Date.now();
      await run('sh', ['-c', await readmeInstallLine(packed.tarball)], {
        cwd: app,
        maxBuffer: 64 * 1024 * 1024,
      });
      const installS = (Date.now() - started) / 1000;
      const bytes = await folderBytes(join(app, 'node_modules'));
      console.log(
        `package: ${(packed.size / 1e6).toFixed(2)} MB packed, ${(packed.unpackedSize / 1e6).toFixed(2)} MB unpacked; ` +
          `installed in ${installS.toFixed(0)} s, node_modules ${(bytes / 1e6).toFixed(0)} MB`,
      );
      // A hook's time is its own (hookTimeout), not the describe block's.
    }, 900_000);

    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('carries what demo, edge and cloud read beside the code, and no tests or sources', () => {
      for (const file of [
        'LICENSE',
        'README.md',
        'bin/emberwatch.js',
        'dist/cli/main.js',
        'models/default/manifest.json',
        'models/default/model.onnx',
        'recordings/nist-home-smoke-alarms/alarms.csv',
        'cloud/dashboard/static/index.html',
        'edge/config/example.yaml',
        'cloud/config/example.yaml',
        'deploy/aws/fleet-provisioning-template.json',
        'deploy/greengrass/recipe.yaml',
        ...PI_FILES.map((f) => `deploy/pi/${f}`),
      ]) {
        expect(packed.files, file).toContain(file);
      }
      expect(
        packed.files.filter((f) => f.endsWith('.test.js') || f.endsWith('.ts') || f.endsWith('.map')),
      ).toEqual([]);
      expect(packed.files.filter((f) => f.startsWith('dist/bench/') || f.startsWith('dist/deploy/'))).toEqual(
        [],
      );
    });

    it('installed an Apache-2.0 package with the onnxruntime-node binaries npm ships, nothing fetched', async () => {
      const pkg = JSON.parse(await readFile(join(app, 'node_modules/emberwatch/package.json'), 'utf8')) as {
        license: string;
      };
      expect(pkg.license).toBe('Apache-2.0');
      const license = await readFile(join(app, 'node_modules/emberwatch/LICENSE'), 'utf8');
      expect(license).toContain('Apache License');
      expect(license).toContain('Version 2.0, January 2004');
      // The CUDA provider is what onnxruntime-node's install script would have downloaded.
      const linux = join(app, 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64');
      expect((await stat(join(linux, 'onnxruntime_binding.node'))).isFile()).toBe(true);
      await expect(stat(join(linux, 'libonnxruntime_providers_cuda.so'))).rejects.toThrow();
    });

    it('runs `emberwatch demo --duration 20` from there to a high incident on the shipped model', async () => {
      const manifest = JSON.parse(
        await readFile(join(REPO_ROOT, 'models/default/manifest.json'), 'utf8'),
      ) as {
        version: string;
      };
      const result = await runInstalled(
        app,
        ['demo', '--duration', '20', '--port', '0', '--data', join(dir, 'demo')],
        120_000,
      );
      expect(result.code, result.stderr.slice(-2000)).toBe(0);
      const high = /^\S+\s+incident \S+ open: gw-01 \S+ at high: .* from model (\S+);/m.exec(result.stdout);
      expect(high, result.stdout).not.toBeNull();
      expect(high?.[1]).toBe(manifest.version);
      expect(result.stdout).toMatch(/^stopped$/m);
    });

    describe('deploy/pi/install.sh from the installed package, into a temporary root', () => {
      let root: string;
      let pkg: string;
      let unitPath: string;

      beforeAll(async () => {
        pkg = join(app, 'node_modules/emberwatch');
        root = await emptyRoot(dir);
        await runPiInstall(pkg, root);
        unitPath = join(root, 'etc/systemd/system/emberwatch-edge.service');
      });

      it('creates the emberwatch user in dialout, the config folder for it to read, and enables the unit', async () => {
        const passwd = await readFile(join(root, 'etc/passwd'), 'utf8');
        expect(passwd).toMatch(/^emberwatch:x:\d+:\d+:[^:]*:\/var\/lib\/emberwatch:\/usr\/sbin\/nologin$/m);
        expect(await groupEntry(root, 'dialout')).toEqual(
          expect.arrayContaining([expect.stringMatching(/\bemberwatch\b/)]),
        );
        const gid = Number((await groupEntry(root, 'emberwatch'))?.[2]);
        const config = await stat(join(root, 'etc/emberwatch/agent.yaml'));
        expect([config.uid, config.gid, config.mode & 0o777]).toEqual([0, gid, 0o640]);
        const folder = await stat(join(root, 'etc/emberwatch/certs'));
        expect([folder.uid, folder.gid, folder.mode & 0o777]).toEqual([0, gid, 0o750]);
        const wants = join(root, 'etc/systemd/system/multi-user.target.wants/emberwatch-edge.service');
        expect(await readlink(wants)).toBe('/etc/systemd/system/emberwatch-edge.service');
      });

      it('writes a unit that systemd-analyze verify passes without a word, running the installed package', async () => {
        const unit = parseUnit(await readFile(unitPath, 'utf8'));
        expect(unitValues(unit, 'Service', 'ExecStart')).toEqual([
          `${process.execPath} ${pkg}/bin/emberwatch.js edge --config /etc/emberwatch/agent.yaml`,
        ]);
        expect(unitValues(unit, 'Service', 'User')).toEqual(['emberwatch']);
        expect(unitValues(unit, 'Service', 'SupplementaryGroups')).toEqual(['dialout']);
        expect(unitValues(unit, 'Service', 'StateDirectory')).toEqual(['emberwatch']);
        expect(unitValues(unit, 'Service', 'Restart')).toEqual(['on-failure']);
        expect(unitEnvironment(unit)).toMatchObject({ MALLOC_ARENA_MAX: '2', UV_THREADPOOL_SIZE: '1' });
        expect(await verifyUnit(unitPath)).toEqual({ code: 0, output: '' });
      });

      it('keeps a filled-in config when run again', async () => {
        const config = join(root, 'etc/emberwatch/agent.yaml');
        await writeFile(config, 'deviceId: kept\n');
        const again = await runPiInstall(pkg, root);
        expect(again.stdout).toContain(`kept ${config}`);
        expect(await readFile(config, 'utf8')).toBe('deviceId: kept\n');
      });

      it("runs the unit's command with its environment and the shipped config to a connected agent on the shipped model", async () => {
        const broker: BrokerFixture = await startBrokerFixture();
        try {
          const agent = await startUnitCommand(root, unitPath, broker);
          try {
            await waitFor(
              'the agent on the broker',
              () => broker.logs.some((l) => l.msg === 'client connected' && l['deviceId'] === 'gw-pi-01'),
              20_000,
            );
            const metrics = await (await fetch(`${agent.statusUrl}/metrics`)).text();
            const manifest = JSON.parse(
              await readFile(join(pkg, 'models/default/manifest.json'), 'utf8'),
            ) as {
              version: string;
            };
            expect(metrics).toMatch(
              new RegExp(`^emberwatch_model_info\\{[^}]*version="${manifest.version}"`, 'm'),
            );
          } finally {
            expect(await agent.stop()).toBe(0);
          }
        } finally {
          await broker.stop();
        }
      });
    });
  },
);
