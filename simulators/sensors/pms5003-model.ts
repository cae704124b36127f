import type { ParticulateChannels } from '../../shared/schemas/readings.js';
import { aerosolCoefficients, DROPLET_AEROSOL } from '../scenarios/aerosol.js';
import { envValueAt } from '../../shared/dataset/env-series.js';
import type { EnvField } from '../../shared/dataset/env-series.js';
import { clamp, faultedSamples, lagStep, sampleTimes } from './sample-series.js';
import type { SensorInput } from './sample-series.js';
import type { ScalarSeries } from '../../shared/dataset/sensor-series.js';

/**
 * Plantower PMS5003 laser counter: a report a second, integer µg/m³,
 * reported mass saturating at 1000, counts per 0.1 L saturating at the 16-bit
 * word. It cannot tell a water droplet from a particle, and hygroscopic
 * particles swell in humid air, so fog and steam read as PM.
 */
export const PMS5003_PERIOD_S = 1;
export const PMS5003_MAX_MASS_UGM3 = 1000;
export const PMS5003_MAX_COUNT = 65535;

const MASS_FIELDS = ['pm1_ugm3', 'pm25_ugm3', 'pm10_ugm3'] as const satisfies readonly EnvField[];
const COUNT_FIELDS = [
  'n0_3_per_dl',
  'n0_5_per_dl',
  'n1_0_per_dl',
  'n2_5_per_dl',
  'n5_0_per_dl',
  'n10_per_dl',
] as const satisfies readonly EnvField[];

/** Factory (CF=1) mass from the atmospheric one: equal in clean air, about 1.5× above ~30 µg/m³. */
function cf1FromAtmospheric(atm: number): number {
  return atm <= 30 ? atm : 30 + (atm - 30) * 1.5;
}

const mass = (x: number): number => Math.round(clamp(x, 0, PMS5003_MAX_MASS_UGM3));
const count = (x: number): number => Math.round(clamp(x, 0, PMS5003_MAX_COUNT));

function channels(atm: readonly number[], counts: readonly number[]): ParticulateChannels {
  // The module's own arithmetic keeps PM1 ≤ PM2.5 ≤ PM10 and counts falling with size.
  const pm1 = mass(atm[0] ?? 0);
  const pm25 = Math.max(pm1, mass(atm[1] ?? 0));
  const pm10 = Math.max(pm25, mass(atm[2] ?? 0));
  const n: number[] = [];
  let previous = PMS5003_MAX_COUNT;
  for (const c of counts) {
    previous = Math.min(previous, count(c));
    n.push(previous);
  }
  return {
    pm1_cf1_ugm3: mass(cf1FromAtmospheric(pm1)),
    pm25_cf1_ugm3: mass(cf1FromAtmospheric(pm25)),
    pm10_cf1_ugm3: mass(cf1FromAtmospheric(pm10)),
    pm1_ugm3: pm1,
    pm25_ugm3: pm25,
    pm10_ugm3: pm10,
    n0_3_per_dl: n[0] ?? 0,
    n0_5_per_dl: n[1] ?? 0,
    n1_0_per_dl: n[2] ?? 0,
    n2_5_per_dl: n[3] ?? 0,
    n5_0_per_dl: n[4] ?? 0,
    n10_per_dl: n[5] ?? 0,
  };
}

/** Reports of a PMS5003 in active mode over the run of `input`. */
export function simulatePms5003(input: SensorInput): ScalarSeries<'pms5003'> {
  const unit = input.rng.fork('unit');
  const gain = unit.around(1, 0.1);
  const tau = unit.uniform(2, 5);
  // Hygroscopic growth parameter and droplet sensitivity of this unit's optics.
  const kappa = unit.uniform(0.08, 0.25);
  const dropletSeen = unit.uniform(0.1, 0.3);
  // The counter's bins are known to under-report true counts.
  const countEfficiency = unit.uniform(0.3, 0.5);
  const noise = input.rng.fork('noise');
  const droplet = aerosolCoefficients(DROPLET_AEROSOL, 2.5);
  const { env } = input;
  const massState = MASS_FIELDS.map((f) => envValueAt(env, f, 0));
  const countState = COUNT_FIELDS.map((f) => envValueAt(env, f, 0));
  const atm = [0, 0, 0];
  const counts = [0, 0, 0, 0, 0, 0];
  let last = 0;
  const produce = (t: number): ParticulateChannels => {
    const dt = t - last;
    last = t;
    const rh = Math.min(envValueAt(env, 'humidity_pct', t), 97);
    const growth = 1 + (kappa * rh) / (100 - rh);
    const drops = envValueAt(env, 'droplet_ugm3', t) * dropletSeen;
    const jitter = 1 + 0.04 * noise.gaussian();
    for (let i = 0; i < MASS_FIELDS.length; i++) {
      const field = MASS_FIELDS[i] ?? 'pm25_ugm3';
      const target = envValueAt(env, field, t) * growth + drops * (droplet.massBelow[i] ?? 0);
      const s = lagStep(massState[i] ?? 0, target, dt, tau);
      massState[i] = s;
      atm[i] = gain * s * jitter + noise.gaussian();
    }
    for (let i = 0; i < COUNT_FIELDS.length; i++) {
      const field = COUNT_FIELDS[i] ?? 'n0_3_per_dl';
      const target = envValueAt(env, field, t) * growth + drops * (droplet.countsPerUg[i] ?? 0);
      const s = lagStep(countState[i] ?? 0, target, dt, tau);
      countState[i] = s;
      const c = countEfficiency * gain * s * jitter;
      counts[i] = c + Math.sqrt(c) * noise.gaussian();
    }
    return channels(atm, counts);
  };
  const samples = faultedSamples(
    sampleTimes(input.durationS, PMS5003_PERIOD_S),
    produce,
    input.faults,
    {
      saturate: () => channels([1000, 1000, 1000], Array<number>(6).fill(PMS5003_MAX_COUNT)),
      drift: (v, amount) =>
        channels(
          [v.pm1_ugm3 + amount, v.pm25_ugm3 + amount, v.pm10_ugm3 + amount],
          [v.n0_3_per_dl, v.n0_5_per_dl, v.n1_0_per_dl, v.n2_5_per_dl, v.n5_0_per_dl, v.n10_per_dl],
        ),
    },
    noise.fork('faults'),
  );
  return { protocol: 'pms5003', period_s: PMS5003_PERIOD_S, samples };
}
