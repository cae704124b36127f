import { fileURLToPath } from 'node:url';
import { chooseAlarmPolicy } from '../edge/alarm-policy-choice.js';
import { ModelRunner } from '../edge/pipeline/model-runner.js';
import { AlarmState } from '../shared/alarm/alarm-state.js';
import { DetectionFrontEnd } from '../shared/detection/detection-front-end.js';
import { silentLogger } from '../shared/logging.js';
import type { FireModel } from '../shared/model/fire-model.js';
import { loadModelDir } from '../shared/model/model-dir.js';
import { RuleModel } from '../shared/model/rule-model.js';
import { CODECS } from '../shared/protocols/index.js';
import { ProtocolDecoder } from '../shared/protocols/protocol-decoder.js';
import type { ProtocolName, Reading } from '../shared/schemas/readings.js';
import { renderThermalScene } from '../simulators/devices/thermal-scene.js';
import { CLEAN_ROOM_VALUES } from '../simulators/devices/value-source.js';
import { isMain, runStandalone, type BenchOptions } from './bench-options.js';
import { figure, type Figure } from './figure.js';
import { cpuSeconds } from './stats.js';

/**
 * The edge's hot path per thermal frame, as the agent runs it: each frame's
 * bytes decoded, pushed into the detection front end (features and floors),
 * and every fourth frame (4 Hz, one step a second) the other four modules'
 * readings of that second, a step, the model through the agent's
 * ModelRunner, awaited, and the alarm state with the policy the agent
 * would choose. The frames are a cycle of 64 different ones, a hot spot
 * growing and moving, so no cache sees one frame over and over. Measured
 * with the rules and with the shipped ONNX model (models/default), whose
 * inference runs on ONNX Runtime's own thread: wall time per frame, and
 * CPU time per frame of every thread of the process. Five rounds of 4,000
 * frames each, after a warm-up; the figures are their median and spread.
 */
const FRAMES_PER_STEP = 4;
const FRAMES_PER_ROUND = 4000;
const ROUNDS = 5;
const OTHERS: readonly Exclude<ProtocolName, 'mcu90640'>[] = ['pms5003', 'ze07', 'mhz19b', 'mcu680'];

interface Path {
  readonly frames: readonly Buffer[];
  /** One second's frame of each other module. */
  readonly others: readonly { protocol: ProtocolName; bytes: Buffer }[];
  readonly decoders: ReadonlyMap<ProtocolName, ProtocolDecoder<ProtocolName>>;
  readonly front: DetectionFrontEnd;
}

function hotPath(): Path {
  const frames = Array.from({ length: 64 }, (_, i) => {
    const scene = renderThermalScene({
      backgroundC: 21 + (i % 5) * 0.1,
      ambientC: 25,
      hotSpot: { x: 8 + (i % 16), y: 6 + (i % 12), radius: 1 + (i % 4), tempC: 30 + i * 2 },
    });
    return Buffer.from(CODECS.mcu90640.encode(scene));
  });
  const others = OTHERS.map((protocol) => ({
    protocol,
    bytes: Buffer.from(CODECS[protocol].encode(CLEAN_ROOM_VALUES[protocol] as never)),
  }));
  const decoders = new Map<ProtocolName, ProtocolDecoder<ProtocolName>>(
    (['mcu90640', ...OTHERS] as const).map((p) => [p, new ProtocolDecoder(CODECS[p] as never)]),
  );
  return { frames, others, decoders, front: new DetectionFrontEnd() };
}

function push(path: Path, protocol: ProtocolName, bytes: Buffer, ts: number): void {
  for (const decoded of path.decoders.get(protocol)?.push(bytes) ?? []) {
    const reading = {
      ...decoded.values,
      protocol,
      deviceId: 'gw-bench',
      sensorId: protocol,
      ts,
      outOfRange: decoded.outOfRange,
    } as Reading;
    path.front.push(reading);
  }
}

/** Wall and CPU seconds per frame of each round. */
async function rounds(model: FireModel): Promise<{ wall: number[]; cpu: number[]; steps: number }> {
  const path = hotPath();
  const runner = new ModelRunner({ currentModel: () => model }, silentLogger());
  const alarm = new AlarmState(chooseAlarmPolicy(undefined, undefined, model));
  let ts = Date.now();
  let i = 0;
  let steps = 0;
  const frame = async (): Promise<void> => {
    push(path, 'mcu90640', path.frames[i % path.frames.length] ?? Buffer.alloc(0), ts);
    ts += 1000 / FRAMES_PER_STEP;
    if (++i % FRAMES_PER_STEP === 0) {
      for (const other of path.others) push(path, other.protocol, other.bytes, ts);
      const step = path.front.step(ts);
      const { probability } = await runner.predict(step.vector);
      alarm.update(ts, probability, step.floors, step.fresh);
      steps++;
    }
  };
  for (let k = 0; k < 400; k++) await frame(); // warm-up
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const used = process.cpuUsage();
    const start = process.hrtime.bigint();
    for (let k = 0; k < FRAMES_PER_ROUND; k++) await frame();
    wall.push(Number(process.hrtime.bigint() - start) / 1e9 / FRAMES_PER_ROUND);
    cpu.push(cpuSeconds(used) / FRAMES_PER_ROUND);
  }
  if (runner.failures > 0) throw new Error(`edge bench: ${String(runner.failures)} predictions failed`);
  return { wall, cpu, steps };
}

function figuresOf(label: string, r: { wall: number[]; cpu: number[] }): Figure[] {
  const us = (values: number[]): number[] => values.map((s) => s * 1e6);
  return [
    figure('edge', {
      name: `hot path per thermal frame, ${label}: wall`,
      unit: 'µs',
      values: us(r.wall),
      note: `${(1 / (r.wall.slice().sort((a, b) => a - b)[2] ?? 1)).toFixed(0)} frames/s at the median; one step (4 other modules, features, model, alarm) per 4 frames`,
    }),
    figure('edge', {
      name: `hot path per thermal frame, ${label}: CPU, all threads`,
      unit: 'µs',
      values: us(r.cpu),
      note: 'user + system time of the whole process per frame: what one core must supply',
    }),
  ];
}

export async function benchEdge(_options?: BenchOptions): Promise<Figure[]> {
  const rules = await rounds(new RuleModel());
  const dir = fileURLToPath(new URL('../../models/default', import.meta.url));
  const onnx = await loadModelDir(dir);
  try {
    const measured = await rounds(onnx);
    return [...figuresOf('rules', rules), ...figuresOf(`ONNX ${onnx.version}`, measured)];
  } finally {
    await onnx.close();
  }
}

if (isMain(import.meta.url)) await runStandalone(benchEdge);
