import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentConfigInput } from '../edge/config/agent-config.js';
import { startKit, type RunningKit } from '../simulators/devices/start-kit.js';
import { arm64App, arm64BetterSqlite3, arm64Node, spawnArm64 } from './helpers/arm64.js';
import { startBrokerFixture, type BrokerFixture } from './helpers/broker.js';
import { REPO_ROOT } from './helpers/packed-package.js';
import { waitFor } from './helpers/wait.js';

/** Runs `node -e code` for arm64 as a Pi 4 in `cwd`, to its end. */
async function runArm64(
  node: string,
  code: string,
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = await spawnArm64(node, ['-e', code], { cwd, env: process.env });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const code_ = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exit) => resolve(exit));
  });
  return { code: code_, stdout, stderr };
}

// Fetching Node for arm64 and cross-building better-sqlite3 take minutes the first time (both
// are cached in the temporary folder for later runs); everything under qemu runs some ten times
// slower than natively, so the waits are for minutes.
describe(
  'the edge agent on linux-arm64 (Node 24 under qemu-user, as a Raspberry Pi 4)',
  { timeout: 1_800_000 },
  () => {
    let dir: string;
    let node: string;
    let app: string;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'emberwatch-arm64-'));
      const arm64 = await arm64Node();
      node = arm64.node;
      app = await arm64App(dir, await arm64BetterSqlite3(arm64.headers));
    }, 1_200_000);

    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('loads the arm64 binaries of aws-crt, serialport, better-sqlite3 and onnxruntime-node, and runs the shipped model', async () => {
      const code = `
      const ort = require('onnxruntime-node');
      const Database = require('better-sqlite3');
      const db = new Database(':memory:');
      const sqlite = db.prepare('select sqlite_version() as v').get().v;
      require('aws-crt');
      require('@serialport/bindings-cpp');
      ort.InferenceSession.create('models/default/model.onnx').then((session) => {
        console.log(JSON.stringify({ arch: process.arch, node: process.version, sqlite, inputs: session.inputNames }));
      });`;
      const result = await runArm64(node, code, app);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const line = JSON.parse(result.stdout) as {
        arch: string;
        node: string;
        sqlite: string;
        inputs: string[];
      };
      expect(line.arch).toBe('arm64');
      expect(line.node).toMatch(/^v24\./);
      expect(line.sqlite).toMatch(/^3\.\d+\.\d+$/);
      expect(line.inputs.length).toBeGreaterThan(0);
    });

    describe('emberwatch edge', () => {
      let broker: BrokerFixture;
      let kit: RunningKit;

      beforeAll(async () => {
        broker = await startBrokerFixture();
        kit = await startKit({ devices: [{ id: 'pm', protocol: 'pms5003' }] });
      });

      afterAll(async () => {
        await kit.stop();
        await broker.stop();
      });

      it('reads an emulated module on a pseudo-terminal, steps the shipped ONNX model and connects to the broker', async () => {
        const deviceId = 'gw-arm64-01';
        const certs = join(dir, 'certs');
        await mkdir(certs);
        const device = await broker.pki.device(deviceId);
        await writeFile(join(certs, 'ca.crt'), broker.pki.ca.certPem);
        await writeFile(join(certs, 'device.crt'), device.certPem);
        await writeFile(join(certs, 'device.key'), device.keyPem, { mode: 0o600 });
        const { publicKey } = generateKeyPairSync('ed25519');
        await writeFile(join(certs, 'fleet-public.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
        const config: AgentConfigInput = {
          deviceId,
          sensors: kit.devices.map((d) => ({ id: d.id, protocol: d.protocol, path: d.path, baud: d.baud })),
          broker: {
            host: '127.0.0.1',
            port: broker.broker.port,
            protocol: 'mqtt311',
            flowControl: 'none',
            caPath: join(certs, 'ca.crt'),
            certPath: join(certs, 'device.crt'),
            keyPath: join(certs, 'device.key'),
          },
          model: {
            dir: join(dir, 'state/models'),
            fleetPublicKeyPath: join(certs, 'fleet-public.pem'),
            initial: 'shipped',
          },
          outbox: { path: join(dir, 'state/outbox.db') },
          status: { host: '127.0.0.1', port: 0 },
        };
        const configPath = join(dir, 'agent.yaml');
        await writeFile(configPath, stringify(config));

        const agent = await spawnArm64(node, ['bin/emberwatch.js', 'edge', '--config', configPath], {
          cwd: app,
          env: {
            PATH: process.env['PATH'] ?? '/usr/bin:/bin',
            MALLOC_ARENA_MAX: '2',
            UV_THREADPOOL_SIZE: '1',
          },
        });
        let stdout = '';
        let stderr = '';
        agent.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
        agent.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        const exited = new Promise<number | null>((resolve) => agent.on('exit', (code) => resolve(code)));
        let stopFailure: string | undefined;
        try {
          await waitFor(
            'the started line',
            () => stdout.includes('"status"') || agent.exitCode !== null || agent.signalCode !== null,
            300_000,
          );
          expect({ exit: agent.exitCode, signal: agent.signalCode }, stderr.slice(-2000)).toEqual({
            exit: null,
            signal: null,
          });
          const { status } = JSON.parse(stdout.split('\n')[0] ?? '') as { status: string };
          await waitFor(
            'the agent on the broker',
            () => broker.logs.some((l) => l.msg === 'client connected' && l['deviceId'] === deviceId),
            120_000,
          );
          const manifest = JSON.parse(
            await readFile(join(REPO_ROOT, 'models/default/manifest.json'), 'utf8'),
          ) as {
            version: string;
          };
          // The version of the model that took the last step: the rules' when ONNX Runtime failed.
          let metrics = '';
          const steps = (): number =>
            Number(/^emberwatch_steps_total\{[^}]*\} (\d+)$/m.exec(metrics)?.[1] ?? 0);
          const readings = (): number =>
            Number(
              /^emberwatch_sensor_readings_total\{[^}]*sensor="pm"[^}]*\} (\d+)$/m.exec(metrics)?.[1] ?? 0,
            );
          const deadline = Date.now() + 120_000;
          while ((steps() < 3 || readings() < 3) && Date.now() < deadline) {
            metrics = await (await fetch(`${status}/metrics`)).text();
            if (steps() < 3 || readings() < 3) await new Promise((resolve) => setTimeout(resolve, 1000));
          }
          expect(readings()).toBeGreaterThanOrEqual(3);
          expect(steps()).toBeGreaterThanOrEqual(3);
          expect(metrics).toMatch(
            new RegExp(`^emberwatch_model_info\\{[^}]*version="${manifest.version}"`, 'm'),
          );
          expect(metrics).toMatch(/^emberwatch_link_up\{[^}]*\} 1$/m);
          expect(stderr).not.toContain('inference failed');
        } finally {
          agent.kill('SIGTERM');
          // A stop that fails after a passing run fails the test; after a failure, that failure stands.
          const exit = await exited;
          if (exit !== 0) stopFailure = `the agent stopped with ${String(exit)}:\n${stderr.slice(-2000)}`;
        }
        expect(stopFailure).toBeUndefined();
      });
    });
  },
);
