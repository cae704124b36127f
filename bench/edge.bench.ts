import { fileURLToPath } from 'node:url';
import { FeatureExtractor } from '../shared/features/feature-extractor.js';
import { AlarmState } from '../shared/alarm/alarm-state.js';
import { DEFAULT_ALARM_POLICY } from '../shared/alarm/alarm-policy.js';
import type { FireModel } from '../shared/model/fire-model.js';
import { loadModelDir } from '../shared/model/model-dir.js';
import { RuleModel } from '../shared/model/rule-model.js';
import { CODECS } from '../shared/protocols/index.js';
import { ProtocolDecoder } from '../shared/protocols/protocol-decoder.js';
import type { ReadingOf } from '../shared/schemas/readings.js';
import { formatMeasurement, measureRate, type Measurement } from './measure.js';

/**
 * Edge hot path per thermal frame: decode a 1544-byte MCU90640 frame, push
 * it into the FeatureExtractor, and every fourth frame (4 Hz, one step per
 * second) take a step, predict and update the alarm. Measured with the rules
 * model and with the shipped ONNX model (models/default), whose prediction
 * is asynchronous, so that figure awaits every step.
 */
const FRAMES_PER_STEP = 4;

function hotPath(): { frame: Buffer; decoder: ProtocolDecoder<'mcu90640'>; extractor: FeatureExtractor } {
  const codec = CODECS.mcu90640;
  const pixels = Array.from({ length: 768 }, (_, i) => 20 + (i % 7) + (i === 300 ? 60 : 0));
  const frame = Buffer.from(codec.encode({ width: 32, height: 24, pixels_c: pixels, ambient_c: 21 }));
  return { frame, decoder: new ProtocolDecoder(codec), extractor: new FeatureExtractor() };
}

function pushFrame(path: ReturnType<typeof hotPath>, ts: number): void {
  for (const decoded of path.decoder.push(path.frame)) {
    const reading: ReadingOf<'mcu90640'> = {
      ...decoded.values,
      protocol: 'mcu90640',
      deviceId: 'b',
      sensorId: 't',
      ts,
      outOfRange: decoded.outOfRange,
    };
    path.extractor.push(reading);
  }
}

function benchRules(): Measurement {
  const path = hotPath();
  const model = new RuleModel();
  const alarm = new AlarmState(DEFAULT_ALARM_POLICY);
  let ts = Date.now();
  let frames = 0;
  const perFrame = measureRate('edge hot path per thermal frame (rules)', 'frames', 1, () => {
    pushFrame(path, ts);
    ts += 250;
    if (++frames % FRAMES_PER_STEP === 0) {
      const vector = path.extractor.step(ts);
      void model.predict([vector]).then((p) => alarm.update(ts, p[0] ?? 0));
    }
  });
  return {
    ...perFrame,
    note: `${(1e6 / perFrame.perSecond).toFixed(1)} µs per frame, step amortised over 4 frames`,
  };
}

async function benchOnnx(): Promise<Measurement> {
  const dir = fileURLToPath(new URL('../../models/default', import.meta.url));
  const model: FireModel = await loadModelDir(dir);
  try {
    const path = hotPath();
    const alarm = new AlarmState(DEFAULT_ALARM_POLICY);
    let ts = Date.now();
    const frame = async (i: number): Promise<void> => {
      pushFrame(path, ts);
      ts += 250;
      if (i % FRAMES_PER_STEP === FRAMES_PER_STEP - 1) {
        const p = await model.predict([path.extractor.step(ts)]);
        alarm.update(ts, p[0] ?? 0);
      }
    };
    for (let i = 0; i < 400; i++) await frame(i); // warm-up
    let best = 0;
    for (let round = 0; round < 5; round++) {
      const frames = 4000;
      const start = process.hrtime.bigint();
      for (let i = 0; i < frames; i++) await frame(i);
      best = Math.max(best, frames / (Number(process.hrtime.bigint() - start) / 1e9));
    }
    return {
      name: `edge hot path per thermal frame (ONNX)`,
      perSecond: best,
      unit: 'frames',
      note: `${(1e6 / best).toFixed(1)} µs per frame, one ONNX step per 4 frames (${model.version})`,
    };
  } finally {
    await model.close();
  }
}

export async function benchEdge(): Promise<Measurement[]> {
  return [benchRules(), await benchOnnx()];
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  for (const m of await benchEdge()) console.log(formatMeasurement(m));
}
