import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EdgeAgent } from '../edge/agent.js';
import { brokerFiles, linkSettings } from '../edge/agent-settings.js';
import { parseAgentConfig } from '../edge/config/agent-config.js';
import { IotLink } from '../edge/link/iot-link.js';
import { TelemetryPacker } from '../edge/outbox/backlog-packer.js';
import { Drainer } from '../edge/outbox/drainer.js';
import type { NewMessage, Priority } from '../edge/outbox/message.js';
import type { Publisher } from '../edge/outbox/publisher.js';
import { SqliteOutbox } from '../edge/outbox/sqlite-outbox.js';
import { bindingSerialLines } from '../edge/sensors/serial-line.js';
import type { AlarmPolicy } from '../shared/alarm/alarm-policy.js';
import { readTlsFiles } from '../shared/config/tls-files.js';
import { silentLogger } from '../shared/logging.js';
import { DEFAULT_KIT } from '../simulators/devices/kit.js';
import { startKit } from '../simulators/devices/start-kit.js';
import { agentWorkspace } from './agent-workspace.js';
import { startBenchBroker, type BenchBroker } from './bench-broker.js';
import { isMain, runStandalone, type BenchOptions } from './bench-options.js';
import { figure, type Figure } from './figure.js';
import { cpuSeconds } from './stats.js';

/**
 * A 24-hour outage of a gateway with five modules, the shipped model and
 * 1 Hz telemetry (`telemetryIntervalS: 1`; the default is 10 s), its
 * health status at the default `statusIntervalS` of 30 s and 48 anomalies.
 * Every message is one the product made: a real agent runs for a while on
 * emulated modules with its broker unreachable, and the telemetry, health
 * statuses and anomalies it stored are what the day is made of (cycled,
 * hour by hour into a fresh outbox, as the pipeline enqueues them). Then
 * the outbox's size on disk, and the drain when the broker is back: the
 * agent's Drainer with its defaults (20 in flight, 95 publishes/s) and its
 * TelemetryPacker, through its IotLink (default flow control) over mutual
 * TLS to the embedded broker, until every row is deleted. One round: the
 * drain is paced by the rate limit, not by the machine.
 */
const DAY_S = 86_400;
const STATUS_EVERY_S = 30;
const ANOMALIES_PER_DAY = 48;
const SCALE = 10;
const SAMPLE_S = 120;
const DEVICE = 'gw-bench-outage';
const MB = 1024 * 1024;
const IOT_CORE_PUBLISHES_PER_S = 100;

/** Every probability is at or above 0: the level climbs one step at a time, making real anomalies. */
const CLIMB: AlarmPolicy = {
  low: { threshold: 0, raiseAfter: 1, clearAfter: 1000 },
  medium: { threshold: 0, raiseAfter: 2, clearAfter: 1000 },
  high: { threshold: 0, raiseAfter: 3, clearAfter: 1000 },
  hysteresis: 0,
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function onDisk(path: string): number {
  let total = 0;
  for (const suffix of ['', '-wal', '-shm', '-reserve']) {
    try {
      total += statSync(path + suffix).size;
    } catch {
      // absent after a clean close (the WAL is checkpointed and removed)
    }
  }
  return total;
}

type Samples = Record<'telemetry' | 'status' | 'anomaly', NewMessage[]>;

/** Runs a real agent with its broker unreachable and returns what it stored, by kind. */
async function productMessages(broker: BenchBroker, dir: string): Promise<Samples> {
  const kit = await startKit(DEFAULT_KIT, { transport: 'mock', speed: SCALE });
  const ws = await agentWorkspace(broker, DEVICE, kit.devices, join(dir, 'agent'), {
    telemetryIntervalS: 1,
  });
  const config = parseAgentConfig({
    ...ws.config,
    broker: { ...ws.config.broker, port: await closedPort() },
  });
  const bus = kit.bus;
  if (bus === undefined) throw new Error('outage bench: the mock kit has no bus');
  const agent = await EdgeAgent.create({ config, timeScale: SCALE, lines: bindingSerialLines(bus.binding) });
  try {
    await agent.start();
    await sleep((SAMPLE_S * 1000) / SCALE / 2);
    agent.pipeline.setPolicy(CLIMB);
    await sleep((SAMPLE_S * 1000) / SCALE / 2);
  } finally {
    await agent.stop();
    await kit.stop();
  }
  const stored = new SqliteOutbox({ path: config.outbox.path, logger: silentLogger() });
  await stored.start();
  try {
    const all = await stored.lease(1_000_000);
    const of = (...priorities: Priority[]): NewMessage[] =>
      all
        .filter((m) => priorities.includes(m.priority))
        .map(({ topic, payload, priority }) => ({ topic, payload, priority }));
    const samples = { telemetry: of('telemetry'), status: of('status'), anomaly: of('alarm', 'anomaly') };
    if (samples.telemetry.length < 20 || samples.status.length === 0 || samples.anomaly.length === 0) {
      throw new Error(
        `outage bench: the agent stored ${String(samples.telemetry.length)} telemetry, ` +
          `${String(samples.status.length)} status and ${String(samples.anomaly.length)} anomaly messages`,
      );
    }
    return samples;
  } finally {
    await stored.stop();
  }
}

const mean = (messages: readonly NewMessage[]): number =>
  messages.reduce((n, m) => n + m.payload.length, 0) / Math.max(1, messages.length);

/** The day's messages, an hour per enqueue, in the order the agent would store them. */
async function fillDay(
  outbox: SqliteOutbox,
  samples: Samples,
): Promise<{ messages: number; records: number }> {
  let messages = 0;
  let records = 0;
  const anomalyEvery = DAY_S / ANOMALIES_PER_DAY;
  for (let hour = 0; hour < DAY_S; hour += 3600) {
    const batch: NewMessage[] = [];
    for (let t = hour; t < hour + 3600; t++) {
      batch.push(samples.telemetry[t % samples.telemetry.length] as NewMessage);
      records++;
      if (t % STATUS_EVERY_S === 0)
        batch.push(samples.status[(t / STATUS_EVERY_S) % samples.status.length] as NewMessage);
      if (t % anomalyEvery === 0)
        batch.push(samples.anomaly[(t / anomalyEvery) % samples.anomaly.length] as NewMessage);
    }
    messages += batch.length;
    await outbox.enqueueMany(batch);
  }
  return { messages, records };
}

export async function benchOutage(_options?: BenchOptions): Promise<Figure[]> {
  const broker = await startBenchBroker();
  const dir = mkdtempSync(join(tmpdir(), 'emberwatch-outage-bench-'));
  try {
    const samples = await productMessages(broker, dir);
    const path = join(dir, 'outage.db');
    const outbox = new SqliteOutbox({ path, logger: silentLogger() });
    await outbox.start();
    const { messages, records } = await fillDay(outbox, samples);
    const evicted = (await outbox.stats()).byPriority.telemetry.evicted;
    await outbox.stop(); // checkpoints and removes the WAL: what stays on the card
    const diskBytes = onDisk(path);

    const drained = new SqliteOutbox({ path, logger: silentLogger() });
    const ws = await agentWorkspace(broker, DEVICE, [], join(dir, 'drain'));
    const config = parseAgentConfig({
      ...ws.config,
      sensors: [{ id: 'x', protocol: 'ze07', path: '/dev/null' }],
    });
    const credentials = await readTlsFiles(brokerFiles(config));
    const link = new IotLink({ settings: linkSettings(config, 'bench', undefined, credentials) });
    const order: string[] = [];
    const publisher: Publisher = {
      publish: async (topic, payload, options) => {
        await link.publish(topic, payload, options);
        const kind = topic.endsWith('/telemetry')
          ? 'telemetry'
          : topic.endsWith('/status')
            ? 'status'
            : 'anomaly';
        order.push(kind);
      },
      isOnline: () => link.isOnline(),
      onOnline: (listener) => link.onOnline(listener),
    };
    const drainer = new Drainer({
      outbox: drained,
      publisher,
      packer: new TelemetryPacker(),
      logger: silentLogger(),
    });
    let drainS = 0;
    let cpuS = 0;
    let stored = 0;
    try {
      await drained.start();
      stored = (await drained.stats()).messages;
      await link.start();
      while (!link.isOnline()) await sleep(10);
      const cpu = process.cpuUsage();
      const start = process.hrtime.bigint();
      await drainer.start();
      while (drainer.stats.delivered < stored) await sleep(20);
      while ((await drained.stats()).messages > 0) await sleep(5);
      drainS = Number(process.hrtime.bigint() - start) / 1e9;
      cpuS = cpuSeconds(cpu);
    } finally {
      await drainer.stop();
      await link.stop();
      await drained.stop();
    }
    const firstNonAlarm = order.findIndex((kind) => kind !== 'anomaly');
    const lastAlarm = order.lastIndexOf('anomaly');
    const alarmsFirst = lastAlarm < firstNonAlarm ? 1 : 0;
    const publishes = order.length;
    const sizes = `telemetry ${mean(samples.telemetry).toFixed(0)} B, status ${mean(samples.status).toFixed(0)} B, anomaly ${mean(samples.anomaly).toFixed(0)} B (means of what the agent stored)`;
    const bench = 'outage';
    const changed = 'telemetryIntervalS 1 (default 10): the 1 Hz gateway of the target';
    return [
      figure(bench, {
        name: '24 h outage, 1 Hz telemetry: outbox on disk',
        unit: 'MB',
        values: diskBytes / MB,
        goal: { op: '<=', value: 200 },
        note: `${messages.toLocaleString('en')} messages (${records.toLocaleString('en')} telemetry, one record each; a status every 30 s; ${String(ANOMALIES_PER_DAY)} anomalies), ${String(evicted)} evicted; database, WAL and the 4 MiB alarm reserve; ${sizes}`,
        changed,
      }),
      figure(bench, {
        name: '24 h outage, 1 Hz telemetry: drain at the default 95 publishes/s',
        unit: 'min',
        values: drainS / 60,
        goal: { op: '<=', value: 10 },
        note: `${publishes.toLocaleString('en')} publishes for ${stored.toLocaleString('en')} stored messages through IotLink to the embedded broker; one publish per message would take ${(stored / IOT_CORE_PUBLISHES_PER_S / 60).toFixed(1)} min at 100/s`,
        changed,
      }),
      figure(bench, {
        name: '24 h outage: alarms and anomalies published before anything else',
        unit: '(1 = yes)',
        values: alarmsFirst,
        goal: { op: '>=', value: 1 },
        note: `${String(lastAlarm + 1)} anomaly publishes first, then status and telemetry`,
      }),
      figure(bench, {
        name: '24 h outage: agent CPU per telemetry record drained',
        unit: 'µs',
        values: (cpuS / records) * 1e6,
        note: `${cpuS.toFixed(1)} CPU s over ${drainS.toFixed(0)} s: outbox, packer, drainer and link in this process (the broker runs in its own)`,
      }),
    ];
  } finally {
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) await runStandalone(benchOutage);
