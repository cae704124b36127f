import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemSerialLines } from '../edge/sensors/serial-line.js';
import { SerialSource } from '../edge/sensors/serial-source.js';
import { silentLogger } from '../shared/logging.js';
import { PROTOCOL_NAMES, type ProtocolName, type Reading } from '../shared/schemas/readings.js';
import { startPlayback, type RunningPlayback } from '../simulators/playback/start-playback.js';
import { drawScenario } from '../simulators/scenarios/scenario-catalogue.js';
import { thermalFrame, type RunTrace } from '../shared/dataset/run-trace.js';
import { simulateRun } from '../simulators/sensors/simulate-run.js';
import { sleep } from './helpers/wait.js';

const SPEED = 20;
const DURATION_S = 120;
/**
 * How far emulated time may run on between a frame leaving the emulator and
 * the edge decoding it: 250 ms of real time at 20×, room for a busy machine.
 */
const TRANSIT_S = 5;

/** A tf4 fire lit 20 s in, so every channel moves during the short run. */
function shortFireTrace(): RunTrace {
  const scenario = drawScenario('tf4', 7);
  if (scenario.fire === null) throw new Error('a tf4 scenario without a fire');
  return simulateRun({ ...scenario, fire: { ...scenario.fire, ignition_s: 20 } }, { durationS: DURATION_S });
}

interface Arrival {
  readonly reading: Reading;
  /** Emulated time when the edge emitted the reading. */
  readonly atS: number;
}

/** The trace's reports of `protocol` as (time, channels) pairs, thermal frames included. */
function reports(
  trace: RunTrace,
  protocol: ProtocolName,
): { t_s: number; values: Record<string, unknown> }[] {
  if (protocol === 'mcu90640') {
    const series = trace.sensors.mcu90640;
    return Array.from(series.t_s, (t_s, i) => ({ t_s, values: { ...thermalFrame(series, i) } }));
  }
  return trace.sensors[protocol].samples.map((s) => ({ t_s: s.t_s, values: { ...s.values } }));
}

function sameChannels(expected: Record<string, unknown>, reading: Reading): boolean {
  const got = reading as unknown as Record<string, unknown>;
  return Object.entries(expected).every(([name, value]) =>
    Array.isArray(value)
      ? Array.isArray(got[name]) && (got[name] as unknown[]).every((v, i) => v === value[i])
      : got[name] === value,
  );
}

describe('playing a run through the emulators on real ptys', () => {
  const trace = shortFireTrace();
  let playback: RunningPlayback | undefined;
  const sources: SerialSource[] = [];
  const arrivals = new Map<ProtocolName, Arrival[]>(PROTOCOL_NAMES.map((p) => [p, []]));
  let countsAtEnd = new Map<ProtocolName, number>();
  let countsLater = new Map<ProtocolName, number>();
  let endedAtS = Number.NaN;

  beforeAll(async () => {
    const running = await startPlayback(trace, { speed: SPEED });
    playback = running;
    for (const device of running.devices) {
      const source = new SerialSource({
        deviceId: 'gateway-playback',
        sensorId: device.id,
        protocol: device.protocol,
        path: device.path,
        baudRate: device.baud,
        lines: systemSerialLines(),
        logger: silentLogger(),
        thermalRateHz: 4,
        pollIntervalMs: 100,
      });
      source.on('reading', (reading) => arrivals.get(device.protocol)?.push({ reading, atS: running.now() }));
      sources.push(source);
      void source.start();
    }
    await running.ended;
    endedAtS = running.now();
    await sleep(500);
    countsAtEnd = new Map([...arrivals].map(([p, list]) => [p, list.length]));
    await sleep(700);
    countsLater = new Map([...arrivals].map(([p, list]) => [p, list.length]));
  }, 20_000);

  afterAll(async () => {
    await Promise.all(sources.map((source) => source.stop()));
    await playback?.stop();
  });

  it('ends once emulated time passes the end of the run', () => {
    expect(endedAtS).toBeGreaterThanOrEqual(DURATION_S - 0.01);
    // The upper bound only says it ended at all: a busy machine may hold the event loop for a few wall seconds.
    expect(endedAtS).toBeLessThan(DURATION_S + 3 * SPEED);
  });

  it.each(PROTOCOL_NAMES)('%s: every reading is the trace report of the time it arrived', (protocol) => {
    const list = arrivals.get(protocol) ?? [];
    const samples = reports(trace, protocol);
    const period =
      protocol === 'mcu90640' ? trace.sensors.mcu90640.period_s : trace.sensors[protocol].period_s;
    const matched = list.map(({ reading, atS }) =>
      samples.findIndex(
        (s) => s.t_s <= atS + 1e-6 && s.t_s > atS - period - TRANSIT_S && sameChannels(s.values, reading),
      ),
    );
    expect(list.length).toBeGreaterThan(protocol === 'mcu680' ? 20 : 40);
    expect(matched.filter((i) => i < 0)).toEqual([]);
    const times = matched.map((i) => samples[i]?.t_s ?? Number.NaN);
    // The readings follow the run from its first minute to its end, and the values did change on the way.
    expect(Math.min(...times)).toBeLessThan(30);
    expect(Math.max(...times)).toBeGreaterThan(DURATION_S - 10);
    expect(new Set(matched).size).toBeGreaterThan(10);
  });

  it('the modules fall silent once the run has ended', () => {
    expect(countsLater).toEqual(countsAtEnd);
  });
});
