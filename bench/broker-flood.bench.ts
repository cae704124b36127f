import { readFileSync } from 'node:fs';
import { connect as tlsConnect } from 'node:tls';
import mqttPacket from 'mqtt-packet';
import { ensureCa } from '../shared/pki/certificate-authority.js';
import { issueDeviceCertificate } from '../shared/pki/issue-certificate.js';
import { deviceTopics } from '../shared/topics.js';
import { startBenchBroker, type BenchBroker } from './bench-broker.js';
import { isMain, runStandalone, type BenchOptions } from './bench-options.js';
import { figure, type Figure } from './figure.js';

const BODY = 250 * 1024 * 1024;
const DEVICE = 'gw-flood-1';

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

function remainingLength(n: number): number[] {
  const bytes: number[] = [];
  for (let left = n; left > 0; left = Math.floor(left / 128))
    bytes.push((left % 128) | (left >= 128 ? 0x80 : 0));
  return bytes;
}

/** One flood: how much the client wrote before the cut, the time to the cut, and the broker's RSS growth. */
async function flood(
  broker: BenchBroker,
  round: number,
): Promise<{ writtenMb: number; cutMs: number; growthMb: number }> {
  const ca = await ensureCa(`${broker.dir}/ca`);
  const device = `${DEVICE}-${String(round)}`;
  const identity = await issueDeviceCertificate(ca, device, { days: 1 });
  const socket = tlsConnect({
    host: '127.0.0.1',
    port: broker.port,
    ca: broker.caPem,
    cert: identity.certPem,
    key: identity.keyPem,
    servername: 'localhost',
  });
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('secureConnect', resolve));
  socket.write(mqttPacket.generate({ cmd: 'connect', clientId: device, protocolVersion: 4, keepalive: 30 }));
  await new Promise((resolve) => socket.once('data', resolve));
  await new Promise((resolve) => setTimeout(resolve, 500));
  const before = rssMb(broker.pid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(broker.pid))), 20);
  const topic = Buffer.from(deviceTopics(device).telemetry);
  const rest = Buffer.concat([
    Buffer.from([topic.length >> 8, topic.length & 0xff]),
    topic,
    Buffer.from([0, 9]),
  ]);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const started = performance.now();
  socket.write(Buffer.concat([Buffer.from([0x32, ...remainingLength(rest.length + BODY)]), rest]));
  const chunk = Buffer.alloc(256 * 1024, 0x78);
  let written = 0;
  while (!socket.destroyed && written < BODY) {
    written += chunk.length;
    if (!socket.write(chunk)) await Promise.race([new Promise((r) => socket.once('drain', r)), closed]);
  }
  await closed;
  const cutMs = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 300));
  clearInterval(sampler);
  peak = Math.max(peak, rssMb(broker.pid));
  return { writtenMb: written / 2 ** 20, cutMs, growthMb: peak - before };
}

/**
 * One device sends a PUBLISH announcing 250 MB to the embedded broker (in a
 * process of its own, default limits) and keeps writing its body as fast as
 * TLS takes it: how much the client got to write before the broker cut it
 * off, and how far the broker's resident memory grew (target: under 20
 * MB). Three rounds, a new device connection each.
 */
export async function benchBrokerFlood(_options?: BenchOptions): Promise<Figure[]> {
  const broker = await startBenchBroker();
  try {
    const rounds = [];
    for (let round = 0; round < 3; round++) rounds.push(await flood(broker, round));
    return [
      figure('broker-flood', {
        name: '250 MB publish from one device: written before the cut',
        unit: 'MB',
        values: rounds.map((r) => r.writtenMb),
        note: `cut off after ${rounds.map((r) => r.cutMs.toFixed(0)).join(', ')} ms`,
      }),
      figure('broker-flood', {
        name: '250 MB publish from one device: broker RSS growth',
        unit: 'MB',
        values: rounds.map((r) => r.growthMb),
        goal: { op: '<=', value: 20 },
      }),
    ];
  } finally {
    await broker.close();
  }
}

if (isMain(import.meta.url)) await runStandalone(benchBrokerFlood);
