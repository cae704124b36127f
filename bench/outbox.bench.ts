import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../shared/logging.js';
import { Drainer } from '../edge/outbox/drainer.js';
import type { NewMessage } from '../edge/outbox/message.js';
import type { Publisher } from '../edge/outbox/publisher.js';
import { SqliteOutbox } from '../edge/outbox/sqlite-outbox.js';
import { packTelemetry } from '../edge/outbox/telemetry-batch.js';
import { formatMeasurement, type Measurement } from './measure.js';

/**
 * Outbox figures: durable enqueue rate (group commit, synchronous=FULL, on
 * the disk under os.tmpdir()), drain rate into an in-process publisher that
 * acks at once, and the 24-hour outage sizing of a five-sensor gateway.
 */
const MB = 1024 * 1024;
const IOT_CORE_PUBLISHES_PER_S = 100;
const TOPIC = 'emberwatch/v1/gw-bench-0001';

function seconds(startNs: bigint): number {
  return Number(process.hrtime.bigint() - startNs) / 1e9;
}

function fileBytes(path: string): number {
  let total = 0;
  for (const suffix of ['', '-wal', '-shm']) {
    try {
      total += statSync(path + suffix).size;
    } catch {
      // absent after a clean close (the WAL is checkpointed and removed)
    }
  }
  return total;
}

async function withOutbox<T>(run: (outbox: SqliteOutbox, path: string) => Promise<T>): Promise<T> {
  const folder = mkdtempSync(join(tmpdir(), 'emberwatch-outbox-bench-'));
  const path = join(folder, 'outbox.db');
  const outbox = new SqliteOutbox({ path, logger: silentLogger(), quotaBytes: 1024 * MB });
  await outbox.start();
  try {
    return await run(outbox, path);
  } finally {
    await outbox.stop();
    rmSync(folder, { recursive: true, force: true });
  }
}

function telemetryMessage(i: number): NewMessage {
  return { topic: `${TOPIC}/telemetry`, payload: Buffer.alloc(300, i % 251), priority: 'telemetry' };
}

/** Many producers at once (1000 enqueue() calls per tick): each resolves after its group's fsync. */
async function benchEnqueue(): Promise<Measurement[]> {
  return withOutbox(async (outbox) => {
    const total = 200_000;
    const perTick = 1000;
    const commitsBefore = outbox.commitCount;
    const start = process.hrtime.bigint();
    for (let sent = 0; sent < total; sent += perTick) {
      await Promise.all(
        Array.from({ length: perTick }, (_, i) => outbox.enqueue(telemetryMessage(sent + i))),
      );
    }
    const grouped = total / seconds(start);
    const commits = outbox.commitCount - commitsBefore;

    const serialCount = 500;
    const serialStart = process.hrtime.bigint();
    for (let i = 0; i < serialCount; i++) await outbox.enqueue(telemetryMessage(i));
    const serial = serialCount / seconds(serialStart);
    return [
      {
        name: 'outbox durable enqueue, group commit',
        perSecond: grouped,
        unit: 'msgs',
        note: `300 B payloads, 1000 callers per tick, ${commits} fsynced commits, target 50,000`,
      },
      {
        name: 'outbox durable enqueue, one caller awaiting each',
        perSecond: serial,
        unit: 'msgs',
        note: 'one fsync per message: the disk fsync rate',
      },
    ];
  });
}

/** The drainer with no rate limit into a publisher that acks at once: the cost of our own machinery. */
async function benchDrain(): Promise<Measurement> {
  return withOutbox(async (outbox) => {
    const total = 50_000;
    for (let sent = 0; sent < total; sent += 5000) {
      await outbox.enqueueMany(Array.from({ length: 5000 }, (_, i) => telemetryMessage(sent + i)));
    }
    const publisher: Publisher = { publish: () => Promise.resolve(), isOnline: () => true };
    const drainer = new Drainer({
      outbox,
      publisher,
      logger: silentLogger(),
      maxInFlight: 100,
      publishesPerSecond: 1e9,
      burst: 1000,
    });
    const start = process.hrtime.bigint();
    await drainer.start();
    while ((await outbox.stats()).messages > 0) await new Promise((r) => setTimeout(r, 5));
    const rate = total / seconds(start);
    await drainer.stop();
    return {
      name: 'outbox drain to an instant-PUBACK publisher',
      perSecond: rate,
      unit: 'msgs',
      note: 'no rate limit, 100 in flight, acks group-committed',
    };
  });
}

/** One sensor's feature summary for one window: the shape the pipeline emits (about 350 bytes of JSON). */
function featureRecord(sensor: number, ts: number): Record<string, unknown> {
  const v = (k: number): number => Math.round((20 + Math.sin(ts / 6e5 + k + sensor) * 5) * 1000) / 1000;
  return {
    deviceId: 'gw-bench-0001',
    sensorId: ['pms5003-1', 'ze07-1', 'mhz19b-1', 'mcu680-1', 'mcu90640-1'][sensor],
    ts,
    windowS: 10,
    features: {
      level: v(1),
      min: v(2),
      max: v(3),
      slope30s: v(4) / 100,
      slope300s: v(5) / 1000,
      baselineDev: v(6) / 10,
      stdev: v(7) / 10,
      hotspotC: v(8),
      hotspotGrowth: v(9) / 100,
    },
    missing: [],
    quality: 'ok',
  };
}

interface OutageScenario {
  readonly label: string;
  /** Feature records per sensor per 10-second message. */
  readonly recordsPerMessage: number;
}

/**
 * Assumptions: five sensors; every 10 s the pipeline enqueues ONE telemetry
 * message holding that window's records of all five sensors (packed by
 * packTelemetry, far below 128 KB); 48 anomalies a day (2 KB each, features,
 * scores, snapshot reference); a status message every 60 s (250 B). The
 * "1 Hz features" variant keeps one record per sensor per second (50 per message).
 */
async function benchOutage(scenario: OutageScenario): Promise<Measurement> {
  return withOutbox(async (outbox, path) => {
    const day = 86_400_000;
    const t0 = Date.UTC(2025, 6, 1);
    let records = 0;
    let messages = 0;
    for (let hourStart = 0; hourStart < day; hourStart += 3_600_000) {
      const hour: NewMessage[] = [];
      for (let t = hourStart; t < hourStart + 3_600_000; t += 10_000) {
        const window: Record<string, unknown>[] = [];
        for (let s = 0; s < 5; s++) {
          for (let r = 0; r < scenario.recordsPerMessage; r++)
            window.push(featureRecord(s, t0 + t + r * 1000));
        }
        records += window.length;
        for (const payload of packTelemetry(window))
          hour.push({ topic: `${TOPIC}/telemetry`, payload, priority: 'telemetry' });
        if (t % 60_000 === 0) {
          hour.push({ topic: `${TOPIC}/status`, payload: Buffer.alloc(250, 0x20), priority: 'status' });
        }
        if (t % 1_800_000 === 0) {
          hour.push({ topic: `${TOPIC}/anomaly`, payload: Buffer.alloc(2048, 0x20), priority: 'anomaly' });
        }
      }
      messages += hour.length;
      await outbox.enqueueMany(hour);
    }
    const stats = await outbox.stats();
    await outbox.stop(); // checkpoints and removes the WAL: what stays on the card
    const onDisk = fileBytes(path);
    const drainS = messages / IOT_CORE_PUBLISHES_PER_S;
    return {
      name: `24 h outage, ${scenario.label}: drain at 100 pub/s`,
      perSecond: records / drainS,
      unit: 'records',
      note:
        `${messages.toLocaleString('en')} msgs, ${records.toLocaleString('en')} records, ` +
        `${(onDisk / MB).toFixed(1)} MB on disk (accounted ${(stats.bytes / MB).toFixed(1)} MB; target 200), ` +
        `drains in ${(drainS / 60).toFixed(1)} min (target 10)`,
    };
  });
}

/** Every outbox figure, one Measurement each. */
export async function benchOutbox(): Promise<Measurement[]> {
  return [
    ...(await benchEnqueue()),
    await benchDrain(),
    await benchOutage({ label: '10 s summaries', recordsPerMessage: 1 }),
    await benchOutage({ label: '1 Hz features', recordsPerMessage: 10 }),
  ];
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  for (const m of await benchOutbox()) console.log(formatMeasurement(m));
}
