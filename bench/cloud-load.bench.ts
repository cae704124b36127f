import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { IncidentEvent } from '../cloud/contracts/cloud-values.js';
import { isMain, runStandalone, type BenchOptions } from './bench-options.js';
import { figure, type Figure } from './figure.js';
import { quantile } from './stats.js';
import {
  benchCloudConfig,
  DeviceFleet,
  FLEET_SIZE,
  fleetWorkspace,
  freePort,
  identitiesOf,
  processCpuSeconds,
  processRssMb,
  runFolder,
  startBrokerProcess,
  startCloud,
} from './cloud-fleet.js';

/**
 * The cloud under a fleet's load: FLEET_SIZE simulated devices (a child
 * process, each with its own certificate) send telemetry every 10 s,
 * staggered, and every BURST_EVERY_MS a hundred of them raise medium → high
 * within one second. Measures, in the cloud process (the whole CloudService
 * with its SQLite files), the time from the device client's publish to the
 * incident store's 'incident' event naming that anomaly, the messages
 * handled per second, CPU and RSS, and the event loop's delay.
 */
const RUN_MS = 60_000;
const TELEMETRY_EVERY_MS = 10_000;
const BURST_SIZE = 100;
const BURST_WITHIN_MS = 1_000;
const BURST_EVERY_MS = 10_000;
const FIRST_BURST_MS = 5_000;

const now = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitUntil(what: string, test: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline)
      throw new Error(`cloud load bench: ${what} not within ${String(timeoutMs)} ms`);
    await sleep(20);
  }
}

function received(counts: Readonly<Record<string, number>>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** Headroom: every device raises an anomaly within one second, ten times the bursts above. */
async function storm(
  devices: DeviceFleet,
  deviceIds: readonly string[],
  incidentAt: Map<string, number>,
): Promise<Figure> {
  const cpu = process.cpuUsage();
  const started = now();
  const burst = await devices.request({ type: 'burst', deviceIds, withinMs: BURST_WITHIN_MS });
  const sent = burst.type === 'burst-done' ? burst.sent : [];
  await waitUntil('every anomaly handled', () => sent.every((s) => incidentAt.has(s.id)), 20_000).catch(
    () => undefined,
  );
  const used = process.cpuUsage(cpu);
  const last = Math.max(...sent.map((s) => incidentAt.get(s.id) ?? 0));
  const latencies = sent
    .map((s) => (incidentAt.get(s.id) ?? Number.NaN) - s.at)
    .filter((v) => Number.isFinite(v))
    .sort((a, b) => a - b);
  const rate = sent.length / ((last - started) / 1000);
  return figure('cloud-load', {
    name: 'anomaly → incident p99, whole fleet in 1 s',
    unit: 'ms',
    values: quantile(latencies, 0.99),
    note: `p50 ${quantile(latencies, 0.5).toFixed(1)} ms, max ${(latencies.at(-1) ?? Number.NaN).toFixed(1)} ms; ${String(latencies.length)}/${String(sent.length)} anomalies, ${rate.toFixed(0)}/s; cloud CPU ${((used.user + used.system) / 1000 / (last - started)).toFixed(2)} core-s per wall s`,
  });
}

/** The cloud's figures under the fleet's load (one 60 s run; latencies are percentiles over its anomalies). */
export async function benchCloudLoad(_options?: BenchOptions): Promise<Figure[]> {
  const figures: Figure[] = [];
  const load = loadavg()[0] ?? 0;
  const { workspace, ms: identitiesMs, cached } = await fleetWorkspace(FLEET_SIZE);
  const featureNames = (
    JSON.parse(readFileSync(join(workspace.shippedModelDir, 'manifest.json'), 'utf8')) as {
      featureNames: string[];
    }
  ).featureNames;
  const deviceIds = workspace.devices.map((d) => d.deviceId);
  const broker = await startBrokerProcess(workspace);
  const run = runFolder();
  const config = benchCloudConfig(workspace, run.dir, broker.port, await freePort(), deviceIds);
  const cloud = await startCloud(config);
  const devices = DeviceFleet.start();
  try {
    const connected = await devices.request({
      type: 'connect',
      port: broker.port,
      caPath: workspace.ca.certPath,
      devices: identitiesOf(workspace),
      featureNames,
    });
    if (connected.type !== 'connected') throw new Error('cloud load bench: devices did not connect');
    await devices.request({ type: 'announce' });
    await waitUntil('every device known', () => cloud.fleet.deviceIds().length >= deviceIds.length, 30_000);

    const incidentAt = new Map<string, number>();
    cloud.incidents.on('incident', (event: IncidentEvent) => {
      const id = event.incident.messageIds.at(-1);
      if (id !== undefined && !incidentAt.has(id)) incidentAt.set(id, now());
    });
    const delay = monitorEventLoopDelay({ resolution: 1 });
    let rssMax = process.memoryUsage().rss;
    const rssTimer = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage().rss)), 250);
    const before = {
      wall: now(),
      cpu: process.cpuUsage(),
      received: received(cloud.ingest.stats().received),
      broker: processCpuSeconds(broker.pid),
      devices: processCpuSeconds(devices.pid),
    };
    delay.enable();
    await devices.request({ type: 'telemetry', periodMs: TELEMETRY_EVERY_MS });
    const sent: { id: string; at: number }[] = [];
    let sendErrors = 0;
    for (let k = 0; FIRST_BURST_MS + k * BURST_EVERY_MS + BURST_WITHIN_MS <= RUN_MS; k++) {
      await sleep(before.wall + FIRST_BURST_MS + k * BURST_EVERY_MS - now());
      const first = (k * BURST_SIZE) % deviceIds.length;
      const burst = await devices.request({
        type: 'burst',
        deviceIds: deviceIds.slice(first, first + BURST_SIZE),
        withinMs: BURST_WITHIN_MS,
      });
      if (burst.type === 'burst-done') {
        sent.push(...burst.sent);
        sendErrors += burst.errors;
      }
    }
    await sleep(before.wall + RUN_MS - now());
    const stopped = await devices.request({ type: 'telemetry-stop' });
    await waitUntil('every anomaly handled', () => sent.every((s) => incidentAt.has(s.id)), 10_000).catch(
      () => undefined,
    );
    await cloud.ingest.drain();
    delay.disable();
    clearInterval(rssTimer);
    const wallS = (now() - before.wall) / 1000;
    const cpu = process.cpuUsage(before.cpu);
    const stats = cloud.ingest.stats();
    const handled = received(stats.received) - before.received;
    const latencies = sent
      .map((s) => (incidentAt.get(s.id) ?? Number.NaN) - s.at)
      .filter((v) => Number.isFinite(v))
      .sort((a, b) => a - b);
    const telemetry = stopped.type === 'telemetry-stopped' ? stopped : { published: 0, errors: 0 };
    const share = (seconds: number): string => `${((100 * seconds) / wallS).toFixed(1)} %`;

    const f = (input: Parameters<typeof figure>[1]): Figure => figure('cloud-load', input);
    figures.push(
      f({
        name: 'devices connected (mutual TLS)',
        unit: 's',
        values: connected.ms / 1000,
        note: `${String(FLEET_SIZE)} clients, ${String(connected.failed)} failed; identities ${(identitiesMs / 1000).toFixed(1)} s (${cached ? 'read from the cache' : 'issued into the cache'})`,
      }),
      f({
        name: 'anomaly → incident p99',
        unit: 'ms',
        values: quantile(latencies, 0.99),
        goal: { op: '<=', value: 100 },
        note: `p50 ${quantile(latencies, 0.5).toFixed(1)} ms, max ${(latencies.at(-1) ?? Number.NaN).toFixed(1)} ms; ${String(latencies.length)}/${String(sent.length)} anomalies, ${String(sendErrors)} unsent; load average ${load.toFixed(1)}`,
      }),
      f({
        name: 'messages handled',
        unit: 'msg/s',
        values: handled / wallS,
        note: `${String(handled)} in ${wallS.toFixed(0)} s: ${String(telemetry.published)} telemetry (every 10 s per device, the default), ${String(sent.length)} anomalies; ${String(received(stats.invalid))} invalid, ${String(received(stats.handlerErrors))} handler errors`,
      }),
      f({
        name: 'cloud process CPU',
        unit: '% of a core',
        values: (100 * (cpu.user + cpu.system)) / 1e6 / wallS,
        note: `broker process ${share(processCpuSeconds(broker.pid) - before.broker)}, device simulators ${share(processCpuSeconds(devices.pid) - before.devices)}`,
      }),
      f({
        name: 'cloud process RSS, max',
        unit: 'MB',
        values: rssMax / 2 ** 20,
        note: `broker process ${processRssMb(broker.pid).toFixed(0)} MB`,
      }),
      f({
        name: 'event loop delay p99',
        unit: 'ms',
        values: delay.percentile(99) / 1e6,
        note: `p50 ${(delay.percentile(50) / 1e6).toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(1)} ms, sampled every 1 ms`,
      }),
    );
    figures.push(await storm(devices, deviceIds, incidentAt));
  } finally {
    await devices.stop();
    await cloud.stop();
    await broker.stop();
    run.remove();
  }
  return figures;
}

if (isMain(import.meta.url)) await runStandalone(benchCloudLoad);
