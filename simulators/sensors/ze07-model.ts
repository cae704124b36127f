import type { CoChannels } from '../../shared/schemas/readings.js';
import { envValueAt } from '../../shared/dataset/env-series.js';
import { clamp, faultedSamples, lagStep, quantise, sampleTimes, tauFromT90 } from './sample-series.js';
import type { SensorInput } from './sample-series.js';
import type { ScalarSeries } from '../../shared/dataset/sensor-series.js';

/**
 * Winsen ZE07-CO electrochemical cell: one report a second, 0.1 ppm steps,
 * 0–500 ppm, a first-order response with T90 about 60 s, a small zero offset
 * and gain error per unit, and noise of a few tenths of a ppm.
 */
export const ZE07_PERIOD_S = 1;
export const ZE07_RANGE_PPM = { min: 0, max: 500 } as const;

/** Active-mode reports of a ZE07-CO over the run of `input`. */
export function simulateZe07(input: SensorInput): ScalarSeries<'ze07'> {
  const unit = input.rng.fork('unit');
  const t90 = unit.uniform(50, 70);
  const gain = unit.around(1, 0.05);
  const offset = unit.normal(0, 0.5);
  // Electrochemical cells creep slowly; a few tenths of a ppm per day.
  const creepPerS = unit.normal(0, 0.3) / 86400;
  const noiseSd = unit.uniform(0.15, 0.4);
  const noise = input.rng.fork('noise');
  const tau = tauFromT90(t90);
  let state = envValueAt(input.env, 'co_ppm', 0);
  let last = 0;
  const produce = (t: number): CoChannels => {
    state = lagStep(state, envValueAt(input.env, 'co_ppm', t), t - last, tau);
    last = t;
    const reading = gain * state + offset + creepPerS * t + noiseSd * noise.gaussian();
    return { co_ppm: quantise(clamp(reading, ZE07_RANGE_PPM.min, ZE07_RANGE_PPM.max), 0.1) };
  };
  const samples = faultedSamples(
    sampleTimes(input.durationS, ZE07_PERIOD_S),
    produce,
    input.faults,
    {
      saturate: () => ({ co_ppm: ZE07_RANGE_PPM.max }),
      drift: (v, amount) => ({ co_ppm: quantise(clamp(v.co_ppm + amount, 0, ZE07_RANGE_PPM.max), 0.1) }),
    },
    noise.fork('faults'),
  );
  return { protocol: 'ze07', period_s: ZE07_PERIOD_S, samples };
}
