import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { simulateEnvironment } from '../scenarios/environment.js';
import type { EnvSeries } from '../../shared/dataset/env-series.js';
import { ROUTE_PHYSICS, type RoutePhysics } from '../scenarios/plume-transport.js';
import { NIST_POSITIONS, NIST_TESTS, nistScenario, type NistPosition, type NistTest } from './nist-home.js';
import { positionMetrics, type PositionMetrics, type Series } from './position-metrics.js';

/** Mass extinction of flaming soot, m²/g: how the replay CSVs turn optical density into µg/m³. */
const SOOT_EXTINCTION_M2_G = 8.7;
/** The smoke meters' noise band (one step of their optical density), as the replay CSVs remove it, µg/m³. */
const SMOKE_METER_BAND_UGM3 = 360;

/** One position of one test: what was measured, what the engine gives, and both sets of metrics. */
export interface PositionComparison {
  readonly test: NistTest;
  readonly position: NistPosition;
  readonly ignitionS: number;
  readonly measured: Series;
  readonly simulated: Series;
  readonly measuredMetrics: PositionMetrics;
  readonly simulatedMetrics: PositionMetrics;
}

/** A replay CSV as measured (temperatures as the thermocouple read them, not clipped to a module's range). */
async function measuredSeries(file: string): Promise<Series> {
  const rows = parse<Record<string, string>>(await readFile(file, 'utf8'), {
    columns: true,
    bom: true,
    skip_empty_lines: true,
    trim: true,
  });
  const column = (name: string): number[] => rows.map((r) => (r[name] === undefined ? NaN : Number(r[name])));
  return {
    t: column('t_s'),
    tempC: column('temp_c'),
    smokeUgm3: column('pm25_ugm3'),
    co2Ppm: column('co2_ppm'),
  };
}

/** The engine's true environment in the replay CSVs' terms. */
function simulatedSeries(env: EnvSeries): Series {
  const t: number[] = [];
  const tempC: number[] = [];
  const smoke: number[] = [];
  const co2: number[] = [];
  for (let i = 0; i < env.length; i++) {
    t.push(env.t_s[i] ?? 0);
    tempC.push(env.temp_c[i] ?? NaN);
    const k = -Math.log(1 - Math.min(99.999, env.obscuration_pct_m[i] ?? 0) / 100);
    const ugm3 = (k / SOOT_EXTINCTION_M2_G) * 1e6 - SMOKE_METER_BAND_UGM3;
    smoke.push(Math.min(1000, Math.max(0, ugm3)));
    co2.push(env.co2_ppm[i] ?? NaN);
  }
  return { t, tempC, smokeUgm3: smoke, co2Ppm: co2 };
}

interface AlarmsRow {
  readonly test: string;
  readonly position: string;
  readonly ignition_s: string;
}

/** Every test and position of a NIST real-fire folder beside its simulation with `physics`. */
export async function compareNistHome(
  dir: string,
  physics: RoutePhysics = ROUTE_PHYSICS,
): Promise<PositionComparison[]> {
  const alarms = parse<AlarmsRow>(await readFile(join(dir, 'alarms.csv'), 'utf8'), {
    columns: true,
    bom: true,
    skip_empty_lines: true,
    trim: true,
  });
  const out: PositionComparison[] = [];
  for (const test of NIST_TESTS) {
    for (const position of NIST_POSITIONS) {
      const row = alarms.find((r) => r.test === test && r.position === position);
      if (row === undefined) continue;
      const measured = await measuredSeries(join(dir, `${test}_${position}.csv`));
      const ignitionS = Number(row.ignition_s);
      const ambient =
        measured.tempC.slice(0, 3).reduce((a, b) => a + b, 0) / Math.min(3, measured.tempC.length);
      const end = measured.t.at(-1) ?? 200;
      const simulated = simulatedSeries(
        simulateEnvironment(nistScenario(test, position, ambient), end, physics),
      );
      out.push({
        test,
        position,
        ignitionS,
        measured,
        simulated,
        measuredMetrics: positionMetrics(measured, ignitionS),
        simulatedMetrics: positionMetrics(simulated, ignitionS),
      });
    }
  }
  return out;
}
