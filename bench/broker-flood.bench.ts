import { readFileSync } from 'node:fs';
import { connect as tlsConnect } from 'node:tls';
import mqttPacket from 'mqtt-packet';
import { ensureCa } from '../shared/pki/certificate-authority.js';
import { issueDeviceCertificate } from '../shared/pki/issue-certificate.js';
import { deviceTopics } from '../shared/topics.js';
import { startBenchBroker } from './bench-broker.js';

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

/**
 * One device sends a PUBLISH announcing 250 MB to the embedded broker (in a
 * process of its own) and keeps writing its body as fast as TLS takes it.
 * Prints how much the client got to write before the broker cut it off and
 * how far the broker's resident memory grew (target: under 20 MB).
 */
export async function benchBrokerFlood(): Promise<string[]> {
  const broker = await startBenchBroker();
  try {
    const ca = await ensureCa(`${broker.dir}/ca`);
    const identity = await issueDeviceCertificate(ca, DEVICE, { days: 1 });
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
    socket.write(
      mqttPacket.generate({ cmd: 'connect', clientId: DEVICE, protocolVersion: 4, keepalive: 30 }),
    );
    await new Promise((resolve) => socket.once('data', resolve));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const before = rssMb(broker.pid);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(broker.pid))), 20);
    const topic = Buffer.from(deviceTopics(DEVICE).telemetry);
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
    const cutAfterMs = performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 300));
    clearInterval(sampler);
    peak = Math.max(peak, rssMb(broker.pid));
    const pad = (s: string) => s.padEnd(48);
    return [
      `${pad('broker: 250 MB publish from one device')} cut off after ${cutAfterMs.toFixed(0)} ms; the client wrote ${(written / 2 ** 20).toFixed(1)} MB into its socket before the close`,
      `${pad('broker: RSS during the 250 MB publish')} ${before.toFixed(1)} MB before, ${peak.toFixed(1)} MB peak, growth ${(peak - before).toFixed(1)} MB (target < 20 MB)`,
    ];
  } finally {
    await broker.close();
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  for (const line of await benchBrokerFlood()) console.log(line);
}
