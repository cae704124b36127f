import { fork, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCloudConfig, type CloudConfigInput } from '../cloud/config/cloud-config.js';
import { CloudService } from '../cloud/service/cloud-service.js';
import { prepareWorkspace, type DemoWorkspace } from '../cli/demo/workspace.js';
import { silentLogger } from '../shared/logging.js';
import type { ChildReply, ChildRequest, DeviceIdentity } from './cloud-devices-child.js';

/**
 * What the cloud benchmarks share: a cached fleet of device identities, the
 * embedded broker with mutual TLS in a process of its own, the whole
 * CloudService in this process with its SQLite files in a temp folder, and
 * the simulated devices (MQTT.js clients, one certificate each) in a child
 * process, so that the event loop measured is the cloud's alone.
 */
export const FLEET_SIZE = 1000;
/** Devices per zone: zone mates corroborate each other's anomalies. */
const ZONE_SIZE = 10;
/** The identities cache: a CA of its own with every certificate it issued, reused between runs. */
const CACHE_DIR = join(tmpdir(), 'emberwatch-bench-cloud-fleet');

export function benchDeviceIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `gw-bench-${String(i + 1).padStart(4, '0')}`);
}

/**
 * The cached workspace (CA, broker, service and device certificates, fleet
 * keys, registry), how long it took, and whether the certificates were there.
 */
export async function fleetWorkspace(
  count: number,
): Promise<{ workspace: DemoWorkspace; ms: number; cached: boolean }> {
  const ids = benchDeviceIds(count);
  const cached = existsSync(join(CACHE_DIR, 'devices', `${ids.at(-1) ?? ''}.crt`));
  const started = performance.now();
  const workspace = await prepareWorkspace(CACHE_DIR, { devices: ids });
  return { workspace, ms: performance.now() - started, cached };
}

/** A free TCP port on loopback, so that the cloud's public URL is known before it starts. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

export interface BrokerProcess {
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

/** The embedded broker (broker-child.js) with the workspace's CA and server certificate. */
export async function startBrokerProcess(workspace: DemoWorkspace): Promise<BrokerProcess> {
  const script = new URL('./broker-child.js', import.meta.url).pathname;
  const files = [workspace.ca.certPath, workspace.broker.certPath, workspace.broker.keyPath];
  const child = spawn(process.execPath, [script, ...files], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    child.once('exit', (code) => reject(new Error(`broker exited (code ${String(code)})`)));
  });
  return {
    port,
    pid: child.pid ?? 0,
    stop: () => stopChild(child),
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** The cloud's configuration for a benchmark run: every component on, files under `dataDir`. */
export function benchCloudConfig(
  workspace: DemoWorkspace,
  runDir: string,
  brokerPort: number,
  httpPort: number,
  deviceIds: readonly string[],
  extra: Partial<CloudConfigInput> = {},
): ReturnType<typeof parseCloudConfig> {
  const zones: Record<string, string[]> = {};
  deviceIds.forEach((id, i) => {
    const zone = `zone-${String(Math.floor(i / ZONE_SIZE) + 1).padStart(3, '0')}`;
    (zones[zone] ??= []).push(id);
  });
  const registryDir = join(runDir, 'registry');
  cpSync(workspace.registry.storeDir, registryDir, { recursive: true });
  return parseCloudConfig(
    {
      broker: {
        host: '127.0.0.1',
        port: brokerPort,
        protocol: 'mqtt311',
        caPath: workspace.ca.certPath,
        certPath: workspace.service.certPath,
        keyPath: workspace.service.keyPath,
      },
      dataDir: join(runDir, 'cloud'),
      http: { host: '127.0.0.1', port: httpPort, publicBaseUrl: `http://127.0.0.1:${String(httpPort)}` },
      zones,
      registry: { store: registryDir, catalogFile: join(registryDir, 'catalog.sqlite') },
      fleetKey: { privateKeyPath: workspace.offerKeys.privateKeyPath },
      ...extra,
    },
    { env: {} },
  );
}

/** The device simulators' process: requests go in, replies come back in order. */
export class DeviceFleet {
  readonly #child: ChildProcess;
  readonly #waiting: { resolve: (reply: ChildReply) => void; reject: (error: Error) => void }[] = [];

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (reply: ChildReply) => {
      this.#waiting.shift()?.resolve(reply);
    });
    child.once('exit', (code) => {
      const error = new Error(`device simulators exited (code ${String(code)})`);
      for (const waiting of this.#waiting.splice(0)) waiting.reject(error);
    });
  }

  static start(): DeviceFleet {
    const script = new URL('./cloud-devices-child.js', import.meta.url).pathname;
    return new DeviceFleet(fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  }

  get pid(): number {
    return this.#child.pid ?? 0;
  }

  request(message: ChildRequest): Promise<ChildReply> {
    return new Promise((resolve, reject) => {
      if (this.#child.exitCode !== null) {
        reject(new Error('device simulators have exited'));
        return;
      }
      this.#waiting.push({ resolve, reject });
      this.#child.send(message);
    });
  }

  async stop(): Promise<void> {
    await this.request({ type: 'stop' }).catch(() => undefined);
    await stopChild(this.#child);
  }
}

/** Identities of the workspace's devices as the child takes them. */
export function identitiesOf(workspace: DemoWorkspace): DeviceIdentity[] {
  return workspace.devices.map((d) => ({ deviceId: d.deviceId, certPath: d.certPath, keyPath: d.keyPath }));
}

/** A fresh folder for one run's SQLite files and registry copy. */
export function runFolder(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'emberwatch-cloud-bench-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Starts the cloud with a silent logger. */
export async function startCloud(config: ReturnType<typeof parseCloudConfig>): Promise<CloudService> {
  const cloud = await CloudService.create({ config, logger: silentLogger(), clientId: 'cloud-bench' });
  await cloud.start();
  return cloud;
}

/** CPU seconds (user + system) a process used so far, from /proc; NaN where there is no /proc. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return ticks / 100;
  } catch {
    return Number.NaN;
  }
}

/** Resident set size of a process in MB, from /proc; NaN where there is no /proc. */
export function processRssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
    return kb === undefined ? Number.NaN : Number(kb) / 1024;
  } catch {
    return Number.NaN;
  }
}
