import { z } from 'zod';
import { EmberError } from '../../shared/errors.js';
import type { ProtocolName } from '../../shared/schemas/readings.js';
import { simulateEnvironment } from '../scenarios/environment.js';
import { Rng } from '../scenarios/prng.js';
import { labelRun } from '../scenarios/label-run.js';
import type { Scenario } from '../../shared/dataset/scenario-schema.js';
import { compileThermalScene } from '../scenarios/thermal-scene.js';
import { simulateMcu680 } from './mcu680-model.js';
import { MCU90640_DEFAULT_HZ, MCU90640_FRAME_RATES_HZ, simulateMcu90640 } from './mcu90640-model.js';
import { MHZ19B_DEFAULT_PERIOD_S, simulateMhz19b } from './mhz19b-model.js';
import { simulatePms5003 } from './pms5003-model.js';
import type { RunTrace } from '../../shared/dataset/run-trace.js';
import type { SensorInput } from './sample-series.js';
import { simulateZe07 } from './ze07-model.js';

/** Options of {@link simulateRun}, validated once per call. */
export const SimulateRunOptions = z.object({
  /** Seconds to simulate; the scenario's suggested duration when absent. */
  durationS: z
    .number()
    .positive()
    .max(7 * 86_400)
    .optional(),
  /** Thermal frame rate, one of the rates the GY-MCU90640 can be set to. */
  thermalHz: z.literal(MCU90640_FRAME_RATES_HZ).default(MCU90640_DEFAULT_HZ),
  /** How often the host polls the MH-Z19B, s. */
  mhz19bPeriodS: z.number().min(2).max(5).default(MHZ19B_DEFAULT_PERIOD_S),
});
export type SimulateRunOptions = z.input<typeof SimulateRunOptions>;

/**
 * Simulates one run of `scenario`: the true environment (1 s steps), what a
 * full five-module kit reports, and the labels. Deterministic: the scenario's
 * seed drives every sensor's calibration and noise.
 */
export function simulateRun(scenario: Scenario, options: SimulateRunOptions = {}): RunTrace {
  const parsed = SimulateRunOptions.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new EmberError(
      'EMBER_ERR_BAD_OPTION',
      `simulateRun.${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`,
    );
  }
  const { thermalHz, mhz19bPeriodS } = parsed.data;
  const durationS = parsed.data.durationS ?? scenario.suggested_duration_s;
  const env = simulateEnvironment(scenario, durationS);
  const rng = new Rng(scenario.seed);
  const input = (protocol: ProtocolName): SensorInput => ({
    env,
    durationS,
    faults: scenario.faults.filter((f) => f.sensor === protocol),
    rng: rng.fork(protocol),
  });
  return {
    scenario,
    duration_s: durationS,
    env,
    labels: labelRun(scenario, env),
    sensors: {
      pms5003: simulatePms5003(input('pms5003')),
      ze07: simulateZe07(input('ze07')),
      mhz19b: simulateMhz19b(input('mhz19b'), mhz19bPeriodS),
      mcu680: simulateMcu680(input('mcu680')),
      mcu90640: simulateMcu90640(input('mcu90640'), compileThermalScene(scenario), thermalHz),
    },
  };
}
