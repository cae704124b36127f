import { readFileSync } from 'node:fs';
import { DEFAULT_DEVICE_LIMITS, EmbeddedBroker } from '../cloud/broker/embedded-broker.js';

/**
 * Child process of the broker benchmarks: the embedded broker on a free port
 * with the CA and server key and certificate in the files argv[2..4], so that
 * the broker's work does not share an event loop with what is measured, as
 * on a real network. With a fourth argument `unlimited` devices are held to
 * the packet limit only. Prints the port, then runs until killed.
 */
const [caPath, certPath, keyPath, rates] = process.argv.slice(2);
if (caPath === undefined || certPath === undefined || keyPath === undefined) {
  throw new Error('usage: broker-child.js CA CERT KEY [unlimited]');
}
const broker = new EmbeddedBroker({
  caPem: readFileSync(caPath, 'utf8'),
  server: { certPem: readFileSync(certPath, 'utf8'), keyPem: readFileSync(keyPath, 'utf8') },
  port: 0,
  // 'unlimited': devices keep the packet limit but not IoT Core's publish and byte rates.
  ...(rates === 'unlimited'
    ? { deviceLimits: { maxPacketBytes: DEFAULT_DEVICE_LIMITS.maxPacketBytes } }
    : {}),
});
await broker.start();
process.stdout.write(`${String(broker.port)}\n`);
