import { CODECS } from '../shared/protocols/index.js';
import { ProtocolDecoder } from '../shared/protocols/protocol-decoder.js';
import type { ChannelsByProtocol, ProtocolName } from '../shared/schemas/readings.js';
import { isMain, runStandalone, type BenchOptions } from './bench-options.js';
import { figure, type Figure } from './figure.js';
import { rateRounds } from './measure.js';

/** Decoding throughput on one core, per module, with frames arriving in 4 KiB chunks as a UART driver delivers them. */
const SAMPLES: { [P in ProtocolName]: ChannelsByProtocol[P] } = {
  pms5003: {
    pm1_cf1_ugm3: 6,
    pm25_cf1_ugm3: 13,
    pm10_cf1_ugm3: 22,
    pm1_ugm3: 5,
    pm25_ugm3: 12,
    pm10_ugm3: 20,
    n0_3_per_dl: 1200,
    n0_5_per_dl: 350,
    n1_0_per_dl: 60,
    n2_5_per_dl: 8,
    n5_0_per_dl: 2,
    n10_per_dl: 1,
  },
  ze07: { co_ppm: 12.3 },
  mhz19b: { co2_ppm: 415, sensor_temp_c: 25, status: 0 },
  mcu90640: {
    width: 32,
    height: 24,
    pixels_c: Array.from({ length: 768 }, (_, i) => 20 + (i % 32) / 10),
    ambient_c: 24.5,
  },
  mcu680: {
    temp_c: 21.37,
    humidity_pct: 45.5,
    pressure_hpa: 1013.25,
    iaq: 57,
    iaq_accuracy: 3,
    gas_ohm: 123456,
    altitude_m: 12,
  },
};

function stream(protocol: ProtocolName, frames: number): Uint8Array {
  const codec = CODECS[protocol];
  const frame = codec.encode(SAMPLES[protocol] as never);
  const out = new Uint8Array(frame.length * frames);
  for (let i = 0; i < frames; i++) out.set(frame, i * frame.length);
  return out;
}

function chunks(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}

/** Frames per second of each protocol's decoder: the median and spread of five rounds. */
export function benchDecoders(_options?: BenchOptions): Promise<Figure[]> {
  const results: Figure[] = [];
  for (const protocol of Object.keys(SAMPLES) as ProtocolName[]) {
    const frames = protocol === 'mcu90640' ? 2_000 : 50_000;
    const pieces = chunks(stream(protocol, frames), 4096);
    const rates = rateRounds(frames, () => {
      const decoder = new ProtocolDecoder(CODECS[protocol]);
      for (const piece of pieces) decoder.push(piece);
      if (decoder.stats.frames !== frames)
        throw new Error(`${protocol}: decoded ${decoder.stats.frames}/${frames}`);
    });
    results.push(
      figure('decoders', { name: `decode ${protocol} (4 KiB chunks)`, unit: 'frames/s', values: rates }),
    );
  }
  return Promise.resolve(results);
}

if (isMain(import.meta.url)) await runStandalone(benchDecoders);
