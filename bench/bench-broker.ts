import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { LinkSettingsInput } from '../edge/link/link-settings.js';
import { ensureCa } from '../shared/pki/certificate-authority.js';
import {
  issueDeviceCertificate,
  issueServerCertificate,
  issueServiceCertificate,
} from '../shared/pki/issue-certificate.js';

/**
 * The embedded broker with mutual TLS on a free port, in a process of its own
 * (`broker-child.ts`), and a throw-away CA for its clients.
 */
export interface BenchBroker {
  readonly port: number;
  /** The broker's process, for reading its resident memory. */
  readonly pid: number;
  readonly dir: string;
  readonly caPem: string;
  /** Link settings of `deviceId` (its certificate issued now), as the edge's IotLink takes them. */
  linkSettings(deviceId: string): Promise<LinkSettingsInput>;
  /** Certificate and key of `deviceId` written as files under `dir`, for an agent config. */
  deviceFiles(deviceId: string): Promise<{ caPath: string; certPath: string; keyPath: string }>;
  /** A bare MQTT.js 3.1.1 client with a service certificate. */
  service(name: string): Promise<MqttClient>;
  close(): Promise<void>;
}

/** `deviceRates: false` lifts IoT Core's per-connection rates (100 publishes/s, 512 KiB/s) off device connections. */
export async function startBenchBroker({ deviceRates = true } = {}): Promise<BenchBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'emberwatch-bench-broker-'));
  const ca = await ensureCa(join(dir, 'ca'));
  const server = await issueServerCertificate(ca, ['localhost', '127.0.0.1']);
  const files = [join(dir, 'broker-ca.crt'), join(dir, 'broker.crt'), join(dir, 'broker.key')];
  writeFileSync(files[0] ?? '', ca.certPem);
  writeFileSync(files[1] ?? '', server.certPem);
  writeFileSync(files[2] ?? '', server.keyPem, { mode: 0o600 });
  const child = spawn(
    process.execPath,
    [new URL('./broker-child.js', import.meta.url).pathname, ...files, ...(deviceRates ? [] : ['unlimited'])],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    child.once('exit', (code) => reject(new Error(`bench broker exited (code ${String(code)})`)));
  });
  const broker = {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
  const clients: MqttClient[] = [];
  return {
    port: broker.port,
    pid: child.pid ?? 0,
    dir,
    caPem: ca.certPem,
    async linkSettings(deviceId) {
      const identity = await issueDeviceCertificate(ca, deviceId, { days: 1 });
      return {
        deviceId,
        host: '127.0.0.1',
        port: broker.port,
        protocol: 'mqtt311',
        caPem: ca.certPem,
        certPem: identity.certPem,
        keyPem: identity.keyPem,
        flowControl: 'none',
        softwareVersion: 'bench',
      };
    },
    async deviceFiles(deviceId) {
      const identity = await issueDeviceCertificate(ca, deviceId, { days: 1 });
      const files = {
        caPath: join(dir, 'ca.crt'),
        certPath: join(dir, `${deviceId}.crt`),
        keyPath: join(dir, `${deviceId}.key`),
      };
      writeFileSync(files.caPath, ca.certPem);
      writeFileSync(files.certPath, identity.certPem);
      writeFileSync(files.keyPath, identity.keyPem, { mode: 0o600 });
      return files;
    },
    async service(name) {
      const identity = await issueServiceCertificate(ca, name, { days: 1 });
      const client = await mqtt.connectAsync(`mqtts://127.0.0.1:${String(broker.port)}`, {
        protocolVersion: 4,
        clientId: name,
        reconnectPeriod: 0,
        ca: ca.certPem,
        key: identity.keyPem,
        cert: identity.certPem,
      });
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((c) => c.endAsync(true)));
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
