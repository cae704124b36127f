import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { IotLink } from '../edge/link/iot-link.js';
import { TelemetryPacker } from '../edge/outbox/backlog-packer.js';
import { Drainer } from '../edge/outbox/drainer.js';
import { SqliteOutbox } from '../edge/outbox/sqlite-outbox.js';
import { silentLogger } from '../shared/logging.js';
import { startBenchBroker, type BenchBroker } from './bench-broker.js';
import { isMain, runStandalone, type BenchOptions } from './bench-options.js';
import { figure, type Figure } from './figure.js';
import { cpuSeconds, pairedRatios } from './stats.js';
import { telemetryMessage } from './telemetry-sample.js';

/**
 * A telemetry backlog drained through the agent's link, against a bare
 * MQTT.js QoS 1 publisher sending one record per message, all at once (the
 * fastest MQTT.js goes), on a device connection to the same embedded broker
 * over mutual TLS. Twice: under IoT Core's per-connection limits, which the
 * broker enforces on devices by default (100 publishes/s, 512 KiB/s), with
 * the agent on every default (its Drainer with 20 in flight and 95
 * publishes/s, TelemetryPacker, IotLink with flow control); and with those
 * limits lifted, at the broker and in the agent (its rate limit and flow
 * control), to compare the machinery alone. The agent drains from its
 * SQLite outbox until every row is deleted. Rounds alternate agent and bare
 * client; ratios are taken pair by pair. The agent's CPU per record is this
 * process's (outbox, packer, drainer, link); the broker has its own.
 */
/** Records per agent round: under the limits, and lifted (a longer round, so start-up weighs less). */
const RECORDS = 10_000;
const LIFTED_RECORDS = 30_000;
const DEVICE_RECORDS = 600;
const ROUNDS = 3;
const DEVICE = 'gw-bench-drain';

function seconds(startNs: bigint): number {
  return Number(process.hrtime.bigint() - startNs) / 1e9;
}

interface Rate {
  readonly perS: number;
  readonly cpuUsPerRecord: number;
}

async function agentDrain(
  broker: BenchBroker,
  round: number,
  lifted: boolean,
): Promise<Rate & { publishes: number; records: number }> {
  const records = lifted ? LIFTED_RECORDS : RECORDS;
  const folder = mkdtempSync(join(tmpdir(), 'emberwatch-drain-bench-'));
  const deviceId = `${DEVICE}-${String(round)}`;
  const outbox = new SqliteOutbox({ path: join(folder, 'outbox.db'), logger: silentLogger() });
  const link = new IotLink({
    settings: { ...(await broker.linkSettings(deviceId)), flowControl: lifted ? 'none' : 'aws-iot-core' },
  });
  const drainer = new Drainer({
    outbox,
    publisher: link,
    packer: new TelemetryPacker(),
    logger: silentLogger(),
    ...(lifted ? { publishesPerSecond: 1e9, burst: 1e6 } : {}),
  });
  try {
    await outbox.start();
    for (let sent = 0; sent < records; sent += 1000) {
      await outbox.enqueueMany(Array.from({ length: 1000 }, (_, i) => telemetryMessage(deviceId, sent + i)));
    }
    await link.start();
    await new Promise<void>((resolve) =>
      link.isOnline() ? resolve() : link.once('online', () => resolve()),
    );
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    await drainer.start();
    // Watch the drainer's counters (no queries competing with it), then wait for the last deletes.
    while (drainer.stats.delivered < records) await new Promise((r) => setTimeout(r, 2));
    while ((await outbox.stats()).messages > 0) await new Promise((r) => setTimeout(r, 1));
    const wall = seconds(start);
    return {
      perS: records / wall,
      cpuUsPerRecord: (cpuSeconds(cpu) / records) * 1e6,
      publishes: drainer.stats.published,
      records,
    };
  } finally {
    await drainer.stop();
    await link.stop();
    await outbox.stop();
    rmSync(folder, { recursive: true, force: true });
  }
}

/** One record per QoS 1 message, every publish at once; resolves when every PUBACK is in. */
async function bareDrain(client: MqttClient, deviceId: string, records: number): Promise<Rate> {
  const messages = Array.from({ length: records }, (_, i) => telemetryMessage(deviceId, i));
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  await Promise.all(messages.map((m) => client.publishAsync(m.topic, m.payload, { qos: 1 })));
  const wall = seconds(start);
  return { perS: records / wall, cpuUsPerRecord: (cpuSeconds(cpu) / records) * 1e6 };
}

async function bareDevice(broker: BenchBroker, deviceId: string): Promise<MqttClient> {
  const files = await broker.deviceFiles(deviceId);
  const { readFile } = await import('node:fs/promises');
  return mqtt.connectAsync(`mqtts://127.0.0.1:${String(broker.port)}`, {
    protocolVersion: 4,
    clientId: deviceId,
    reconnectPeriod: 0,
    ca: await readFile(files.caPath),
    cert: await readFile(files.certPath),
    key: await readFile(files.keyPath),
  });
}

interface Comparison {
  readonly agent: (Rate & { publishes: number; records: number })[];
  readonly bare: Rate[];
  readonly bareRecords: number;
}

async function compare(lifted: boolean): Promise<Comparison> {
  const broker = await startBenchBroker({ deviceRates: !lifted });
  const bareId = `${DEVICE}-bare`;
  const device = await bareDevice(broker, bareId);
  // Under the limits a bare device sends 100 a second: fewer records keep a round short.
  const bareRecords = lifted ? LIFTED_RECORDS : DEVICE_RECORDS;
  try {
    await agentDrain(broker, 99, lifted); // warm every path once (TLS sessions, JIT)
    await bareDrain(device, bareId, Math.min(bareRecords, 600));
    const agent: (Rate & { publishes: number; records: number })[] = [];
    const bare: Rate[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      agent.push(await agentDrain(broker, round, lifted));
      bare.push(await bareDrain(device, bareId, bareRecords));
    }
    return { agent, bare, bareRecords };
  } finally {
    await device.endAsync(true);
    await broker.close();
  }
}

function figuresOf(c: Comparison, lifted: boolean): Figure[] {
  const bench = 'drain';
  const perS = (rates: readonly Rate[]): number[] => rates.map((r) => r.perS);
  const how = lifted ? 'rates lifted' : 'IoT Core limits';
  const changed = lifted
    ? 'publishesPerSecond 95 → unlimited and flowControl aws-iot-core → none in the agent, no device rates at the broker: the machinery alone'
    : undefined;
  return [
    figure(bench, {
      name: `${how}: telemetry backlog through the agent (outbox → Drainer → IotLink)`,
      unit: 'records/s',
      values: perS(c.agent),
      note: `${(c.agent[0]?.records ?? 0).toLocaleString('en')} one-record messages of ~490 B in ${String(c.agent[0]?.publishes ?? 0)} packed publishes, QoS 1, rows deleted`,
      ...(changed === undefined ? {} : { changed }),
    }),
    figure(bench, {
      name: `${how}: agent CPU per record drained`,
      unit: 'µs',
      values: c.agent.map((r) => r.cpuUsPerRecord),
      note: 'this process only: outbox, packer, drainer, link; the broker runs in its own',
    }),
    figure(bench, {
      name: `${how}: bare MQTT.js QoS 1 device, one record per message`,
      unit: 'records/s',
      values: perS(c.bare),
      note: `${c.bareRecords.toLocaleString('en')} at once; CPU ${c.bare.map((r) => r.cpuUsPerRecord.toFixed(0)).join(', ')} µs per record`,
    }),
    {
      ...pairedRatios(perS(c.agent), perS(c.bare)),
      bench,
      name: `${how}: agent / bare MQTT.js (paired rounds)`,
      unit: '×',
      goal: { op: '>=', value: 1 },
    },
  ];
}

export async function benchDrain(_options?: BenchOptions): Promise<Figure[]> {
  const limited = await compare(false);
  const lifted = await compare(true);
  return [...figuresOf(limited, false), ...figuresOf(lifted, true)];
}

if (isMain(import.meta.url)) await runStandalone(benchDrain);
