import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import type { AgentConfigInput } from '../edge/config/agent-config.js';
import { parseAgentConfig } from '../edge/config/agent-config.js';
import { EdgeAgent, type EdgeAgentOptions } from '../edge/agent.js';
import { readDeviceMessage } from '../cloud/ingest/ingest-message.js';
import type { AnomalyMessage, TelemetryMessage } from '../shared/schemas/messages.js';
import { embeddedLinkBroker, type LinkBroker } from './helpers/link-brokers.js';

/** The agent's sensors section for emulated modules, as a kit or a playback lists them. */
export function sensorsOf(
  devices: readonly {
    id: string;
    protocol: AgentConfigInput['sensors'][number]['protocol'];
    path: string;
    baud: number;
  }[],
): AgentConfigInput['sensors'] {
  return devices.map((d) => ({ id: d.id, protocol: d.protocol, path: d.path, baud: d.baud }));
}

/** A broker with mTLS, a device's certificate files and a temporary folder for one edge test file. */
export interface EdgeBed {
  readonly broker: LinkBroker;
  readonly dir: string;
  config(
    deviceId: string,
    sensors: AgentConfigInput['sensors'],
    extra?: Partial<AgentConfigInput>,
  ): Promise<AgentConfigInput>;
  agent(config: AgentConfigInput, options?: Partial<EdgeAgentOptions>): Promise<EdgeAgent>;
  close(): Promise<void>;
}

/** A broker (the embedded one unless `open` names another) and a folder for one edge test file. */
export async function startEdgeBed(open: () => Promise<LinkBroker> = embeddedLinkBroker): Promise<EdgeBed> {
  const broker = await open();
  const dir = await mkdtemp(join(tmpdir(), 'emberwatch-edge-'));
  const caPath = join(dir, 'ca.crt');
  await writeFile(caPath, broker.pki.ca.certPem);
  const agents: EdgeAgent[] = [];
  return {
    broker,
    dir,
    async config(deviceId, sensors, extra = {}) {
      const identity = await broker.pki.device(deviceId);
      const certPath = join(dir, `${deviceId}.crt`);
      const keyPath = join(dir, `${deviceId}.key`);
      await writeFile(certPath, identity.certPem);
      await writeFile(keyPath, identity.keyPem, { mode: 0o600 });
      return {
        deviceId,
        sensors,
        broker: {
          host: '127.0.0.1',
          port: broker.port,
          protocol: broker.protocol,
          caPath,
          certPath,
          keyPath,
          flowControl: 'none',
        },
        outbox: { path: join(dir, `${deviceId}-outbox.db`) },
        status: { host: '127.0.0.1', port: 0 },
        telemetryIntervalS: 2,
        ...extra,
      };
    },
    async agent(config, options = {}) {
      const agent = await EdgeAgent.create({
        config: parseAgentConfig(config),
        reconnect: { minMs: 200, maxMs: 1000 },
        drainer: { backoff: { initialMs: 100, maxMs: 500 } },
        ...options,
      });
      agents.push(agent);
      return agent;
    },
    async close() {
      await Promise.all(agents.map((a) => a.stop()));
      await broker.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** What a cloud service saw of one device: anomalies and telemetry in arrival order. */
export interface Received {
  readonly anomalies: AnomalyMessage[];
  /** Stored telemetry messages, each as the cloud's ingest reads it (a pack gives several, in order). */
  readonly telemetry: TelemetryMessage[];
  /** Topic kind of every stored message that arrived, in order (a pack's messages one by one). */
  readonly order: { kind: string; id: string }[];
  /** Telemetry publishes as they came (a single message or a pack), for the cloud's own intake. */
  readonly telemetryPublishes: { topic: string; payload: Buffer; packed: boolean }[];
}

export async function subscribeService(
  broker: LinkBroker,
  deviceId: string,
): Promise<{ client: MqttClient; received: Received }> {
  // Reconnects (and resubscribes) at once when the broker comes back, well before the link's 1 s retry.
  const client = await broker.service(`svc-${deviceId}`, { reconnectPeriod: 100 });
  const received: Received = { anomalies: [], telemetry: [], order: [], telemetryPublishes: [] };
  client.on('message', (topic, payload) => {
    // Read as the cloud's ingest reads it: the schema of its kind, packs taken apart.
    const result = readDeviceMessage(topic, payload);
    if (!result.ok) throw new Error(`${topic}: ${result.refusal.reason}: ${result.refusal.detail}`);
    const value = result.value;
    if (value.kind === 'anomaly') {
      received.anomalies.push(value.message);
      received.order.push({ kind: 'anomaly', id: value.message.id });
    } else if (value.kind === 'telemetry') {
      received.telemetryPublishes.push({ topic, payload, packed: value.packId !== undefined });
      for (const message of value.messages) {
        received.telemetry.push(message);
        received.order.push({ kind: 'telemetry', id: message.id });
      }
    }
  });
  await client.subscribeAsync([`emberwatch/v1/${deviceId}/anomaly`, `emberwatch/v1/${deviceId}/telemetry`], {
    qos: 1,
  });
  return { client, received };
}
