import type { EnvironmentChannels } from '../../shared/schemas/readings.js';
import { altitudeFromPressure, saturationVapourDensity } from '../scenarios/air.js';
import { envValueAt } from '../../shared/dataset/env-series.js';
import { clamp, faultedSamples, lagStep, quantise, sampleTimes } from './sample-series.js';
import type { SensorInput } from './sample-series.js';
import type { ScalarSeries } from '../../shared/dataset/sensor-series.js';

/**
 * GY-MCU680 (Bosch BME680 with BSEC-like outputs). Reports every 3 s (BSEC's
 * low-power rate). The board warms the die, so temperature reads high and
 * humidity low; the metal-oxide gas resistance falls with VOCs and smoke; IAQ
 * compares it with the cleanest air seen so far, and its accuracy flag climbs
 * from 0 to 3 as that baseline settles.
 */
export const MCU680_PERIOD_S = 3;
export const MCU680_RANGES = {
  temp_c: { min: -40, max: 85 },
  humidity_pct: { min: 0, max: 100 },
  pressure_hpa: { min: 300, max: 1100 },
  iaq: { min: 0, max: 500 },
  gas_ohm: { min: 1_000, max: 3_000_000 },
} as const;

/** Minutes of running before the IAQ accuracy flag reaches 1, 2, 3. */
const ACCURACY_STEPS_S = [300, 1800, 7200] as const;

/** Reports of a GY-MCU680 over the run of `input`. */
export function simulateMcu680(input: SensorInput): ScalarSeries<'mcu680'> {
  const unit = input.rng.fork('unit');
  const selfHeating = unit.uniform(0.5, 2);
  // How fast the die follows the air: a bare breakout board in a draught, or one in a closed case.
  const tempTauS = unit.uniform(3, 30);
  const pressureOffset = unit.normal(0, 0.5);
  const cleanAirOhm = unit.around(150_000, 0.4);
  const gasExponent = unit.uniform(0.5, 0.8);
  // Half the units have been running for hours when the run starts.
  const runningS = unit.chance(0.5) ? 86_400 : 0;
  const noise = input.rng.fork('noise');
  const { env } = input;
  const r = MCU680_RANGES;
  let temp = envValueAt(env, 'temp_c', 0) + selfHeating;
  let humidity = envValueAt(env, 'humidity_pct', 0);
  let logGas = Math.log(cleanAirOhm);
  let baselineLogGas = runningS > 0 ? logGas + 0.1 : logGas;
  let last = 0;
  const produce = (t: number): EnvironmentChannels => {
    const dt = t - last;
    last = t;
    const airC = envValueAt(env, 'temp_c', t);
    temp = lagStep(temp, airC + selfHeating, dt, tempTauS);
    // The die sees the air's water at its own, warmer temperature.
    const rhAtDie =
      (envValueAt(env, 'humidity_pct', t) * saturationVapourDensity(airC)) / saturationVapourDensity(temp);
    humidity = lagStep(humidity, rhAtDie, dt, 8);
    const voc = envValueAt(env, 'voc_ppb', t);
    const targetLog =
      Math.log(cleanAirOhm) - gasExponent * Math.log(Math.max(voc, 50) / 100) - 0.01 * (humidity - 40);
    logGas = lagStep(logGas, targetLog, dt, 30);
    const gasLog = logGas + 0.02 * noise.gaussian();
    baselineLogGas = Math.max(baselineLogGas, gasLog);
    const iaq = 25 + 72 * (baselineLogGas - gasLog) + 0.5 * Math.abs(humidity - 40);
    const pressure = envValueAt(env, 'pressure_hpa', t) + pressureOffset + 0.012 * noise.gaussian();
    const running = runningS + t;
    const accuracy = ACCURACY_STEPS_S.filter((s) => running >= s).length;
    const hpa = clamp(pressure, r.pressure_hpa.min, r.pressure_hpa.max);
    return {
      temp_c: quantise(clamp(temp + 0.02 * noise.gaussian(), r.temp_c.min, r.temp_c.max), 0.01),
      humidity_pct: quantise(clamp(humidity + 0.1 * noise.gaussian(), 0, 100), 0.01),
      pressure_hpa: quantise(hpa, 0.0001),
      iaq: Math.round(clamp(iaq, r.iaq.min, r.iaq.max)),
      iaq_accuracy: accuracy,
      gas_ohm: Math.round(clamp(Math.exp(gasLog), r.gas_ohm.min, r.gas_ohm.max)),
      altitude_m: Math.round(altitudeFromPressure(hpa)),
    };
  };
  const samples = faultedSamples(
    sampleTimes(input.durationS, MCU680_PERIOD_S),
    produce,
    input.faults,
    {
      saturate: (v) => ({ ...v, temp_c: r.temp_c.max, humidity_pct: r.humidity_pct.max }),
      drift: (v, amount) => ({
        ...v,
        temp_c: quantise(clamp(v.temp_c + amount, r.temp_c.min, r.temp_c.max), 0.01),
      }),
    },
    noise.fork('faults'),
  );
  return { protocol: 'mcu680', period_s: MCU680_PERIOD_S, samples };
}
