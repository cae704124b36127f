import { FeatureExtractor } from '../shared/features/feature-extractor.js';
import { AlarmState } from '../shared/alarm/alarm-state.js';
import { DEFAULT_ALARM_POLICY } from '../shared/alarm/alarm-policy.js';
import { RuleModel } from '../shared/model/rule-model.js';
import { CODECS } from '../shared/protocols/index.js';
import { ProtocolDecoder } from '../shared/protocols/protocol-decoder.js';
import type { ReadingOf } from '../shared/schemas/readings.js';
import { formatMeasurement, measureRate, type Measurement } from './measure.js';

/**
 * Edge hot path per thermal frame: decode a 1544-byte MCU90640 frame, push
 * it into the FeatureExtractor, and every fourth frame (4 Hz, one step per
 * second) take a step, predict and update the alarm. Measured with the rules
 * model; the ONNX model, anomaly latency, drain-rate ratio and RSS figures
 * are not measured yet (see the report).
 */
export async function benchEdge(): Promise<Measurement[]> {
  const codec = CODECS.mcu90640;
  const pixels = Array.from({ length: 768 }, (_, i) => 20 + (i % 7) + (i === 300 ? 60 : 0));
  const frame = Buffer.from(codec.encode({ width: 32, height: 24, pixels_c: pixels, ambient_c: 21 }));
  const extractor = new FeatureExtractor();
  const model = new RuleModel();
  const alarm = new AlarmState(DEFAULT_ALARM_POLICY);
  let ts = Date.now();
  let frames = 0;
  const decoder = new ProtocolDecoder(codec);
  const perFrame = measureRate('edge hot path per thermal frame (rules)', 'frames', 1, () => {
    for (const decoded of decoder.push(frame)) {
      const reading: ReadingOf<'mcu90640'> = {
        ...decoded.values,
        protocol: 'mcu90640',
        deviceId: 'b',
        sensorId: 't',
        ts,
        outOfRange: decoded.outOfRange,
      };
      extractor.push(reading);
    }
    ts += 250;
    if (++frames % 4 === 0) {
      const vector = extractor.step(ts);
      void model.predict([vector]).then((p) => alarm.update(ts, p[0] ?? 0));
    }
  });
  await Promise.resolve();
  const result: Measurement = {
    ...perFrame,
    note: `${(1e6 / perFrame.perSecond).toFixed(1)} µs per frame, step amortised over 4 frames`,
  };
  console.log(formatMeasurement(result));
  return [result];
}
