import type { Reading } from '../../shared/schemas/readings.js';
import type { RunTrace } from '../../shared/dataset/run-trace.js';
import { thermalFrame } from '../../shared/dataset/run-trace.js';

/** One module's reports as readings, made on demand: a run's frames are never all held at once. */
interface ReadingSource {
  readonly length: number;
  ts(i: number): number;
  reading(i: number): Reading;
}

const toMs = (t: number): number => Math.round(t * 1000);

/** The modules in the order their readings of one instant come out, on every run. */
function readingSources(trace: RunTrace, deviceId: string): ReadingSource[] {
  const { pms5003, ze07, mhz19b, mcu680, mcu90640: thermal } = trace.sensors;
  const scalar = <S extends { readonly t_s: number }>(
    samples: readonly S[],
    reading: (s: S) => Reading,
  ): ReadingSource => ({
    length: samples.length,
    ts: (i) => toMs(samples[i]?.t_s ?? Number.NaN),
    reading: (i) => reading(samples[i] as S),
  });
  // The common fields are written out in each literal: spreading a helper's
  // object first sends V8 down a slow path that cost ~20 µs a reading.
  return [
    scalar(pms5003.samples, (s) => ({
      deviceId,
      sensorId: 'pms5003',
      ts: toMs(s.t_s),
      outOfRange: [],
      protocol: 'pms5003',
      ...s.values,
    })),
    scalar(ze07.samples, (s) => ({
      deviceId,
      sensorId: 'ze07',
      ts: toMs(s.t_s),
      outOfRange: [],
      protocol: 'ze07',
      ...s.values,
    })),
    scalar(mhz19b.samples, (s) => ({
      deviceId,
      sensorId: 'mhz19b',
      ts: toMs(s.t_s),
      outOfRange: [],
      protocol: 'mhz19b',
      ...s.values,
    })),
    scalar(mcu680.samples, (s) => ({
      deviceId,
      sensorId: 'mcu680',
      ts: toMs(s.t_s),
      outOfRange: [],
      protocol: 'mcu680',
      ...s.values,
    })),
    {
      length: thermal.t_s.length,
      ts: (i) => toMs(thermal.t_s[i] ?? 0),
      reading: (i) => ({
        deviceId,
        sensorId: 'mcu90640',
        ts: toMs(thermal.t_s[i] ?? 0),
        outOfRange: [],
        protocol: 'mcu90640',
        ...thermalFrame(thermal, i),
      }),
    },
  ];
}

/** True when a source's timestamps never go back (NaN counts as going back). */
function inOrder(source: ReadingSource): boolean {
  let previous = -Infinity;
  for (let i = 0; i < source.length; i++) {
    const ts = source.ts(i);
    if (!(ts >= previous)) return false;
    previous = ts;
  }
  return true;
}

/**
 * A run's reports as the edge would hold them after decoding: typed
 * readings in time order, timestamps in milliseconds from the run's start.
 * The codecs are lossless on each module's resolution, so these are exactly
 * the values that would cross the serial lines. Readings are made as they
 * are taken, by merging the modules' series (each already in time order),
 * so a run's thousands of thermal frames die young instead of all living
 * until the end of the run.
 */
export function* traceReadingStream(trace: RunTrace, deviceId = 'sim'): Generator<Reading, void, undefined> {
  const sources = readingSources(trace, deviceId);
  if (!sources.every(inOrder)) {
    yield* traceReadings(trace, deviceId);
    return;
  }
  const next = sources.map(() => 0);
  for (;;) {
    // Ties go to the earlier module: the order a stable sort of the concatenated series gives.
    let pick = -1;
    let pickTs = Infinity;
    sources.forEach((source, s) => {
      const i = next[s] ?? 0;
      if (i < source.length && (pick < 0 || source.ts(i) < pickTs)) {
        pick = s;
        pickTs = source.ts(i);
      }
    });
    const source = sources[pick];
    if (source === undefined) return;
    const i = next[pick] ?? 0;
    next[pick] = i + 1;
    yield source.reading(i);
  }
}

/** Every reading of a run at once, in time order (see {@link traceReadingStream}). */
export function traceReadings(trace: RunTrace, deviceId = 'sim'): Reading[] {
  const readings: Reading[] = [];
  for (const source of readingSources(trace, deviceId)) {
    for (let i = 0; i < source.length; i++) readings.push(source.reading(i));
  }
  // Stable sort: readings of one instant keep the module order above on every run.
  return readings.sort((a, b) => a.ts - b.ts);
}
