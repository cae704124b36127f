import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident } from '../cloud/contracts/cloud-values.js';
import { deviceTopics } from '../shared/topics.js';
import {
  anomalyMessage,
  brokerSection,
  deviceClient,
  getJson,
  pollUntil,
  writeServiceFiles,
  type ServiceFiles,
} from './helpers/cloud-bed.js';
import { assertFreshBuild } from './helpers/fresh-build.js';
import { embeddedLinkBroker, type LinkBroker } from './helpers/link-brokers.js';
import { CLI, runCli } from './helpers/run-cli.js';
import { waitFor } from './helpers/wait.js';

/** The built command line as a child process, with what it printed so far. */
interface CloudChild {
  readonly child: ChildProcessWithoutNullStreams;
  stdout: string;
  stderr: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function spawnCloud(configPath: string): CloudChild {
  const child = spawn(process.execPath, [CLI, 'cloud', '--config', configPath], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const running: CloudChild = {
    child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))),
  };
  child.stdout.setEncoding('utf8').on('data', (d: string) => (running.stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (running.stderr += d));
  return running;
}

/** The `{cloud: 'started', …}` line once the child printed it. */
function startedLine(text: string): { cloud: string; broker: string; url: string } | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    const parsed = JSON.parse(line) as { cloud?: string; broker: string; url: string };
    if (parsed.cloud === 'started') return parsed as { cloud: string; broker: string; url: string };
  }
  return undefined;
}

describe('emberwatch cloud as a process', () => {
  let broker: LinkBroker;
  let dir: string;
  let files: ServiceFiles;
  const children: CloudChild[] = [];

  beforeAll(async () => {
    assertFreshBuild(['cli', 'cloud', 'factory', 'shared']);
    broker = await embeddedLinkBroker();
    dir = await mkdtemp(join(tmpdir(), 'emberwatch-cli-cloud-'));
    files = await writeServiceFiles(broker, dir);
  });

  afterAll(async () => {
    for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
    await broker.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('starts against the broker, serves the API to a token made by `tokens create`, opens an incident and stops cleanly on SIGTERM', async () => {
    const configPath = join(dir, 'cloud.json');
    await writeFile(
      configPath,
      JSON.stringify({
        broker: brokerSection(broker, files),
        dataDir: 'cloud-data',
        http: { host: '127.0.0.1', port: 0 },
      }),
    );
    const created = await runCli([
      'tokens',
      'create',
      '--config',
      configPath,
      '--name',
      'ci',
      '--role',
      'viewer',
      '--json',
    ]);
    expect(created.code).toBe(0);
    const { token } = JSON.parse(created.stdout) as { token: string };
    expect(token).toMatch(/^ewt_/);
    const cloud = spawnCloud(configPath);
    children.push(cloud);
    await waitFor(
      'the started line',
      () => startedLine(cloud.stdout) !== undefined || cloud.child.exitCode !== null,
      20_000,
    );
    const started = startedLine(cloud.stdout);
    if (started === undefined) throw new Error(`the cloud did not start: ${cloud.stderr}`);
    expect(started.broker).toBe(`127.0.0.1:${String(broker.port)}`);
    expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    expect(await getJson<{ ok: boolean }>(`${started.url}/healthz`)).toMatchObject({ ok: true });
    expect(await getJson<{ ready: boolean }>(`${started.url}/readyz`)).toMatchObject({ ready: true });
    expect((await fetch(`${started.url}/v1/incidents`)).status).toBe(401);
    // A user added while the cloud runs signs in at once.
    const added = await runCli([
      'users',
      'add',
      'ops-1',
      '--role',
      'operator',
      '--config',
      configPath,
      '--json',
    ]);
    expect(added.code).toBe(0);
    const { password } = JSON.parse(added.stdout) as { password: string };
    const signIn = await fetch(`${started.url}/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'ops-1', password }),
    });
    expect(await signIn.json()).toMatchObject({ user: { name: 'ops-1', role: 'operator' } });
    const device = await deviceClient(broker, 'gw-cli-1');
    const message = anomalyMessage('gw-cli-1', 'high', 0.96);
    try {
      await device.publishAsync(deviceTopics('gw-cli-1').anomaly, JSON.stringify(message), { qos: 1 });
    } finally {
      await device.endAsync();
    }
    const { incidents } = await pollUntil(
      'the incident of gw-cli-1',
      () => getJson<{ incidents: Incident[] }>(`${started.url}/v1/incidents`, token),
      (list) => list.incidents.some((i) => i.deviceId === 'gw-cli-1'),
    );
    const incident = incidents.find((i) => i.deviceId === 'gw-cli-1');
    expect(incident?.level).toBe('high');
    expect(incident?.messageIds).toEqual([message.id]);

    cloud.child.kill('SIGTERM');
    expect(await cloud.exited).toEqual({ code: 0, signal: null });
    await expect(fetch(`${started.url}/healthz`)).rejects.toThrow();
    // What it wrote is its owner's only.
    for (const name of ['access.sqlite', 'audit.sqlite', 'incidents.sqlite', 'secrets.json']) {
      expect(statSync(join(dir, 'cloud-data', name)).mode & 0o777, name).toBe(0o600);
    }
    const revoked = await runCli(['tokens', 'list', '--config', configPath]);
    expect(revoked.stdout).toMatch(/ ci {2}viewer {2}active {2}last used /);
  }, 40_000);

  it('refuses a bad config with one line naming the field, exit 2', async () => {
    const configPath = join(dir, 'bad.json');
    await writeFile(
      configPath,
      JSON.stringify({ broker: brokerSection(broker, files), dataDir: 'x', alerts: { evaluateEveryS: -1 } }),
    );
    const result = await runCli(['cloud', '--config', configPath]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringContaining('config: alerts.evaluateEveryS: '),
    ]);
    expect(startedLine(result.stdout)).toBeUndefined();
  });

  it('names the field and the file of a missing key or an RSA fleet key, exit 2', async () => {
    const rsa = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const rsaPath = join(dir, 'fleet-rsa.pem');
    await writeFile(rsaPath, rsa.privateKey);
    const missingKey = join(dir, 'no-such.key');
    const cases = [
      [{ broker: { ...brokerSection(broker, files), keyPath: missingKey } }, 'broker.keyPath', missingKey],
      [
        { broker: { ...brokerSection(broker, files), certPath: files.caPath, keyPath: files.keyPath } },
        'broker.keyPath',
        'is not the private key',
      ],
      [
        { broker: brokerSection(broker, files), fleetKey: { privateKeyPath: rsaPath } },
        'fleetKey.privateKeyPath',
        `${rsaPath}: private key is rsa, not ed25519`,
      ],
    ] as const;
    for (const [index, [extra, field, detail]] of cases.entries()) {
      const configPath = join(dir, `bad-file-${String(index)}.json`);
      await writeFile(
        configPath,
        JSON.stringify({ dataDir: join(dir, `bad-data-${String(index)}`), ...extra }),
      );
      const result = await runCli(['cloud', '--config', configPath]);
      expect(result.code).toBe(2);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`config: ${field}: `);
      expect(lines[0]).toContain(detail);
    }
  }, 40_000);
});
