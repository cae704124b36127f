import { Writable } from 'node:stream';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { EmbeddedBroker, type EmbeddedBrokerOptions } from '../../cloud/broker/embedded-broker.js';
import type { KeyAndCertificate } from '../../shared/pki/certificate-files.js';
import { createLogger } from '../../shared/logging.js';
import { createTestPki, type TestPki } from './pki.js';

/** One JSON log line of the broker. */
export type LogLine = Record<string, unknown> & { msg?: string };

/** A started broker on 127.0.0.1 port 0 with its PKI, its captured log lines, and the clients a test opened. */
export interface BrokerFixture {
  readonly pki: TestPki;
  readonly broker: EmbeddedBroker;
  readonly logs: LogLine[];
  /** Opens an MQTT.js 3.1.1 client over TLS with `identity`'s certificate; closed by `stop()`. */
  connect(identity: KeyAndCertificate | undefined, options?: IClientOptions): Promise<MqttClient>;
  /** Like connect(), but resolves with the client before (or without) a CONNACK, for refusal tests. */
  open(identity: KeyAndCertificate | undefined, options?: IClientOptions): MqttClient;
  stop(): Promise<void>;
}

/** `options` may set the broker's packet limits. */
export async function startBrokerFixture(
  options: Pick<EmbeddedBrokerOptions, 'deviceLimits' | 'serviceLimits'> = {},
): Promise<BrokerFixture> {
  const pki = await createTestPki();
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') logs.push(JSON.parse(line) as LogLine);
      }
      callback();
    },
  });
  const logger = createLogger({ destination: sink, level: 'debug', pretty: false });
  const broker = new EmbeddedBroker({
    caPem: pki.ca.certPem,
    server: pki.server,
    port: 0,
    logger,
    ...options,
  });
  await broker.start();
  const clients: MqttClient[] = [];

  const open = (identity: KeyAndCertificate | undefined, options: IClientOptions = {}): MqttClient => {
    const client = mqtt.connect(broker.url, {
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 3000,
      ca: pki.ca.certPem,
      ...(identity === undefined ? {} : { key: identity.keyPem, cert: identity.certPem }),
      ...options,
    });
    // Errors are asserted through events in the tests; an unhandled 'error' must not crash the worker.
    client.on('error', () => undefined);
    clients.push(client);
    return client;
  };

  return {
    pki,
    broker,
    logs,
    open,
    connect: (identity, options) =>
      new Promise((resolve, reject) => {
        const client = open(identity, options);
        client.once('connect', () => resolve(client));
        client.once('error', reject);
        client.once('close', () => reject(new Error('connection closed before CONNACK')));
      }),
    async stop() {
      await Promise.all(clients.map((client) => client.endAsync(true)));
      await broker.stop();
      await pki.remove();
    },
  };
}
