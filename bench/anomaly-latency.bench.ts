import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { IotLink } from '../edge/link/iot-link.js';
import { Drainer } from '../edge/outbox/drainer.js';
import type { Publisher } from '../edge/outbox/publisher.js';
import { SqliteOutbox } from '../edge/outbox/sqlite-outbox.js';
import { DevicePipeline } from '../edge/pipeline/device-pipeline.js';
import { ModelRunner } from '../edge/pipeline/model-runner.js';
import { systemSerialLines } from '../edge/sensors/serial-line.js';
import { SerialSource } from '../edge/sensors/serial-source.js';
import type { AlarmPolicy } from '../shared/alarm/alarm-policy.js';
import { silentLogger } from '../shared/logging.js';
import type { FireModel } from '../shared/model/fire-model.js';
import { RuleModel } from '../shared/model/rule-model.js';
import { CODECS } from '../shared/protocols/index.js';
import { PtyPair } from '../simulators/devices/pty-pair.js';
import { quantile, startBenchBroker } from './bench-broker.js';

/**
 * Anomaly latency: from the moment the last byte of the serial frame that
 * tips the alarm is written to the module's end of a real pty until the
 * broker's PUBACK for the anomaly message, through the real SerialSource,
 * pipeline (features, rules model, alarm state), SQLite outbox (fsync),
 * drainer and IotLink over mutual TLS to the embedded broker.
 *
 * The module is an MCU680 whose temperature jumps to 60 °C (the rules'
 * fixed-heat criterion) and back; the alarm policy raises and clears on one
 * step. Steps come every STEP_MS with FRAMES_PER_STEP frames each, the
 * proportions of the agent at 4 Hz (a 1 s step) compressed 25× so that
 * hundreds of trials fit in a minute. Each frame carries its sequence number
 * in gas_ohm, so the frame that the raising step evaluated last is known.
 */
const STEP_MS = 40;
const FRAMES_PER_STEP = 4;
const TRIALS = 200;
const TIMER_TRIALS = 80;
const DEVICE = 'gw-bench-latency';

const TRIP: AlarmPolicy = {
  low: { threshold: 0.95, raiseAfter: 1, clearAfter: 1 },
  medium: { threshold: 0.95, raiseAfter: 1, clearAfter: 1 },
  high: { threshold: 0.95, raiseAfter: 1, clearAfter: 1 },
  hysteresis: 0,
};

interface Trial {
  /** Write of the first hot frame done: the fire became visible. */
  readonly onset: number;
  /** Write of the frame the raising step evaluated last done. */
  readonly tipWritten: number;
  /** That frame handed to the pipeline. */
  readonly tipPushed: number;
  readonly stepStarted: number;
  readonly durable: number;
  readonly puback: number;
}

function frame(seq: number, hot: boolean): Buffer {
  return Buffer.from(
    CODECS.mcu680.encode({
      temp_c: hot ? 60 : 21,
      humidity_pct: 45,
      pressure_hpa: 1013,
      iaq: 50,
      iaq_accuracy: 3,
      gas_ohm: seq,
      altitude_m: 10,
    }),
  );
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs `trials` raise-and-clear cycles; `graceMs` 0 makes the timer take every step (no frame trigger). */
async function runTrials(trials: number, graceMs: number | undefined): Promise<Trial[]> {
  const broker = await startBenchBroker();
  const folder = mkdtempSync(join(tmpdir(), 'emberwatch-latency-bench-'));
  const pair = new PtyPair({
    devicePath: join(folder, 'env.device.tty'),
    hostPath: join(folder, 'env.tty'),
    logger: silentLogger(),
  });
  await pair.start();
  const device = new SerialPort({ path: join(folder, 'env.device.tty'), baudRate: 9600, autoOpen: false });
  await new Promise<void>((resolve, reject) => device.open((e) => (e ? reject(e) : resolve())));
  device.on('data', () => undefined); // set-up commands from the host

  const written = new Map<number, number>();
  const pushed = new Map<number, number>();
  let lastPushed = -1;
  const steps: { at: number; seq: number; probability: number }[] = [];
  const rules = new RuleModel();
  const timed: FireModel = {
    version: rules.version,
    featureNames: rules.featureNames,
    async predict(vectors) {
      const at = performance.now();
      const seq = lastPushed;
      const out = await rules.predict(vectors);
      steps.push({ at, seq, probability: out[0] ?? 0 });
      return out;
    },
    close: () => rules.close(),
  };
  const logger = silentLogger();
  const outbox = new SqliteOutbox({ path: join(folder, 'outbox.db'), logger });
  let lastDurable = 0;
  outbox.onDurable(() => (lastDurable = performance.now()));
  const pipeline = new DevicePipeline({
    deviceId: DEVICE,
    outbox,
    runner: new ModelRunner({ currentModel: () => timed }, logger),
    policy: TRIP,
    logger,
    stepIntervalMs: STEP_MS,
    ...(graceMs === undefined ? {} : { stepGraceMs: graceMs }),
    telemetryEverySteps: 1_000_000,
  });
  const source = new SerialSource({
    deviceId: DEVICE,
    sensorId: 'env',
    protocol: 'mcu680',
    path: join(folder, 'env.tty'),
    lines: systemSerialLines(),
    logger,
  });
  source.on('reading', (reading) => {
    lastPushed = reading.gas_ohm;
    pushed.set(reading.gas_ohm, performance.now());
    pipeline.push(reading);
  });
  const link = new IotLink({ settings: await broker.linkSettings(DEVICE) });
  const acks: { at: number; durable: number; level: string }[] = [];
  const publisher: Publisher = {
    publish: async (topic, payload, options) => {
      const durable = lastDurable;
      await link.publish(topic, payload, options);
      if (topic.endsWith('/anomaly')) {
        const level = (JSON.parse(payload.toString('utf8')) as { level: string }).level;
        acks.push({ at: performance.now(), durable, level });
      }
    },
    isOnline: () => link.isOnline(),
    onOnline: (listener) => link.onOnline(listener),
  };
  const drainer = new Drainer({ outbox, publisher, logger });

  let hot = false;
  let seq = 0;
  let writing = true;
  const writer = (async () => {
    while (writing) {
      const n = ++seq;
      const bytes = frame(n, hot);
      await new Promise<void>((resolve) => device.write(bytes, () => device.drain(() => resolve())));
      written.set(n, performance.now());
      await sleep(STEP_MS / FRAMES_PER_STEP);
    }
  })();

  const results: Trial[] = [];
  try {
    await outbox.start();
    await source.start();
    await pipeline.start();
    await link.start();
    await drainer.start();
    while (!link.isOnline()) await sleep(10);
    await sleep(300); // baseline of cool frames
    for (let trial = 0; trial < trials + 5; trial++) {
      await sleep(Math.random() * STEP_MS * 2);
      const firstHot = seq + 1;
      const raisedBefore = acks.length;
      hot = true;
      while (acks.length === raisedBefore) await sleep(1);
      hot = false;
      const raise = acks[raisedBefore];
      while (acks.length === raisedBefore + 1) await sleep(1);
      const step = steps.find((s) => s.probability >= 0.95 && s.seq >= firstHot);
      const onset = written.get(firstHot);
      const tipWritten = step === undefined ? undefined : written.get(step.seq);
      const tipPushed = step === undefined ? undefined : pushed.get(step.seq);
      if (trial < 5 || raise === undefined || step === undefined) continue; // the first few warm up
      if (onset === undefined || tipWritten === undefined || tipPushed === undefined) continue;
      results.push({
        onset,
        tipWritten,
        tipPushed,
        stepStarted: step.at,
        durable: raise.durable,
        puback: raise.at,
      });
    }
  } finally {
    writing = false;
    await writer;
    await drainer.stop();
    await link.stop();
    await pipeline.stop();
    await source.stop();
    await outbox.stop();
    await new Promise<void>((resolve) => device.close(() => resolve()));
    await pair.stop();
    await broker.close();
    rmSync(folder, { recursive: true, force: true });
  }
  return results;
}

function figure(name: string, values: readonly number[], note: string): string {
  const sorted = [...values].sort((a, b) => a - b);
  const p50 = quantile(sorted, 0.5).toFixed(2);
  const p99 = quantile(sorted, 0.99).toFixed(2);
  return `${name.padEnd(48)} p50 ${p50} ms, p99 ${p99} ms  (${String(values.length)} trials; ${note})`;
}

/** One line per figure: the end-to-end latency, its breakdown, and the timer-only design for comparison. */
export async function benchAnomalyLatency(): Promise<string[]> {
  const load = loadavg()[0] ?? 0;
  const framed = await runTrials(TRIALS, undefined);
  const timer = await runTrials(TIMER_TRIALS, 0);
  const d = (pick: (t: Trial) => number, trials: readonly Trial[]): number[] => trials.map(pick);
  return [
    figure(
      'anomaly latency: tipping frame → PUBACK',
      d((t) => t.puback - t.tipWritten, framed),
      `target p99 ≤ 15 ms; load average ${load.toFixed(1)}`,
    ),
    figure(
      '  frame written → in pipeline',
      d((t) => t.tipPushed - t.tipWritten, framed),
      'pty, decode',
    ),
    figure(
      '  in pipeline → step starts',
      d((t) => t.stepStarted - t.tipPushed, framed),
      'frame-driven step',
    ),
    figure(
      '  step starts → stored',
      d((t) => t.durable - t.stepStarted, framed),
      'features, rules, alarm, JSON, fsync',
    ),
    figure(
      '  stored → PUBACK',
      d((t) => t.puback - t.durable, framed),
      'drainer, IotLink, mTLS, broker',
    ),
    figure(
      'anomaly latency: first hot frame → PUBACK',
      d((t) => t.puback - t.onset, framed),
      `adds the wait for the next step: ${String(STEP_MS)} ms steps here, 1000 ms in the agent`,
    ),
    figure(
      'timer-only steps: tipping frame → PUBACK',
      d((t) => t.puback - t.tipWritten, timer),
      'the design before frame-driven steps',
    ),
  ];
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  for (const text of await benchAnomalyLatency()) console.log(text);
}
