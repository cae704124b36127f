import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { EmbeddedBroker } from '../../cloud/broker/embedded-broker.js';
import type { LinkProtocol, LinkSettingsInput } from '../../edge/link/link-settings.js';
import { startMosquitto, type MosquittoProcess } from './mosquitto.js';
import { createTestPki, type TestPki } from './pki.js';

/** A broker the link contract suite runs against, with the protocol the link speaks to it. */
export interface LinkBroker {
  readonly name: string;
  readonly protocol: LinkProtocol;
  readonly pki: TestPki;
  /** Fixed for the fixture's life, across stopBroker() / startBroker(). */
  readonly port: number;
  /** Stops the broker process or server; clients lose their connections without wills. */
  stopBroker(): Promise<void>;
  /** Starts it again on the same port (retained messages are gone). */
  startBroker(): Promise<void>;
  /** An MQTT.js client with a service certificate, speaking the same MQTT version as the link. */
  service(name: string, options?: IClientOptions): Promise<MqttClient>;
  /** Settings for a link of `deviceId` (its certificate is issued here) aimed at `port`. */
  linkSettings(deviceId: string, port?: number): Promise<LinkSettingsInput>;
  close(): Promise<void>;
}

interface Server {
  readonly port: number;
  stop(): Promise<void>;
}

async function linkBroker(
  name: string,
  protocol: LinkProtocol,
  serviceVersion: 4 | 5,
  pki: TestPki,
  startAt: (port: number | undefined) => Promise<Server>,
): Promise<LinkBroker> {
  let server: Server | undefined = await startAt(undefined);
  const port = server.port;
  const clients: MqttClient[] = [];
  return {
    name,
    protocol,
    pki,
    port,
    async stopBroker() {
      await server?.stop();
      server = undefined;
    },
    async startBroker() {
      server ??= await startAt(port);
    },
    async service(clientName, options = {}) {
      const identity = await pki.service(clientName);
      const client = await mqtt.connectAsync(`mqtts://127.0.0.1:${port}`, {
        protocolVersion: serviceVersion,
        clientId: clientName,
        reconnectPeriod: 0,
        connectTimeout: 3000,
        ca: pki.ca.certPem,
        key: identity.keyPem,
        cert: identity.certPem,
        ...options,
      });
      client.on('error', () => undefined);
      clients.push(client);
      return client;
    },
    async linkSettings(deviceId, linkPort = port) {
      const identity = await pki.device(deviceId);
      return {
        deviceId,
        host: '127.0.0.1',
        port: linkPort,
        protocol,
        caPem: pki.ca.certPem,
        certPem: identity.certPem,
        keyPem: identity.keyPem,
        reconnect: { minMs: 200, maxMs: 1000 },
        flowControl: 'none',
        softwareVersion: '0.0.0-test',
      };
    },
    async close() {
      await Promise.all(clients.map((client) => client.endAsync(true)));
      await server?.stop();
      await pki.remove();
    },
  };
}

/** The embedded broker (aedes, MQTT 3.1.1 only) with mutual TLS on a free port. */
export async function embeddedLinkBroker(): Promise<LinkBroker> {
  const pki = await createTestPki();
  return linkBroker('embedded broker, MQTT 3.1.1', 'mqtt311', 4, pki, async (port) => {
    const broker = new EmbeddedBroker({ caPem: pki.ca.certPem, server: pki.server, port: port ?? 0 });
    await broker.start();
    return { port: broker.port, stop: () => broker.stop() };
  });
}

/** A mosquitto process of its own with mutual TLS, the link speaking `protocol` to it. */
export async function mosquittoLinkBroker(protocol: LinkProtocol): Promise<LinkBroker> {
  const pki = await createTestPki();
  const name = `mosquitto, ${protocol === 'mqtt5' ? 'MQTT 5' : 'MQTT 3.1.1'}`;
  return linkBroker(name, protocol, protocol === 'mqtt5' ? 5 : 4, pki, async (port) => {
    const broker: MosquittoProcess = await startMosquitto(pki, port === undefined ? {} : { port });
    return { port: broker.port, stop: () => broker.stop() };
  });
}
