import type { Co2Channels } from '../../shared/schemas/readings.js';
import { envValueAt } from '../../shared/dataset/env-series.js';
import { clamp, faultedSamples, lagStep, sampleTimes, tauFromT90 } from './sample-series.js';
import type { SensorInput } from './sample-series.js';
import type { ScalarSeries } from '../../shared/dataset/sensor-series.js';

/**
 * Winsen MH-Z19B NDIR CO₂ sensor, polled by the host: integer ppm 0–5000,
 * diffusion into the optical cell (T90 about 90 s), ±(50 ppm + 5 %) unit
 * accuracy, a few ppm of noise; its internal temperature (integer °C) runs a
 * few degrees above the air because of the lamp, with a slow thermal lag.
 */
export const MHZ19B_DEFAULT_PERIOD_S = 2;
export const MHZ19B_RANGE_PPM = { min: 0, max: 5000 } as const;
/** Operating range of the module's temperature byte, °C. */
export const MHZ19B_TEMP_RANGE_C = { min: -20, max: 85 } as const;

/** Replies of an MH-Z19B polled every `periodS` seconds over the run of `input`. */
export function simulateMhz19b(
  input: SensorInput,
  periodS = MHZ19B_DEFAULT_PERIOD_S,
): ScalarSeries<'mhz19b'> {
  const unit = input.rng.fork('unit');
  const tau = tauFromT90(unit.uniform(60, 120));
  const offset = unit.normal(0, 25);
  const gain = unit.around(1, 0.025);
  const selfHeating = unit.uniform(2, 4);
  const noiseSd = unit.uniform(3, 8);
  const noise = input.rng.fork('noise');
  let co2 = envValueAt(input.env, 'co2_ppm', 0);
  let temp = envValueAt(input.env, 'temp_c', 0) + selfHeating;
  let last = 0;
  const produce = (t: number): Co2Channels => {
    const dt = t - last;
    last = t;
    co2 = lagStep(co2, envValueAt(input.env, 'co2_ppm', t), dt, tau);
    temp = lagStep(temp, envValueAt(input.env, 'temp_c', t) + selfHeating, dt, 120);
    const ppm = gain * co2 + offset + noiseSd * noise.gaussian();
    return {
      co2_ppm: Math.round(clamp(ppm, MHZ19B_RANGE_PPM.min, MHZ19B_RANGE_PPM.max)),
      sensor_temp_c: Math.round(clamp(temp, MHZ19B_TEMP_RANGE_C.min, MHZ19B_TEMP_RANGE_C.max)),
      status: 0,
    };
  };
  const samples = faultedSamples(
    sampleTimes(input.durationS, periodS),
    produce,
    input.faults,
    {
      saturate: (v) => ({ ...v, co2_ppm: MHZ19B_RANGE_PPM.max }),
      drift: (v, amount) => ({
        ...v,
        co2_ppm: Math.round(clamp(v.co2_ppm + amount, 0, MHZ19B_RANGE_PPM.max)),
      }),
    },
    noise.fork('faults'),
  );
  return { protocol: 'mhz19b', period_s: periodS, samples };
}
