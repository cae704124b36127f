import { aerosolCoefficients, DROPLET_AEROSOL } from './aerosol.js';
import type { AerosolCoefficients } from './aerosol.js';
import { MOLAR_MASS, mgM3ToPpm, pressureAtAltitude, saturationVapourDensity } from './air.js';
import { allocateEnvSeries, ENV_STEP_S } from '../../shared/dataset/env-series.js';
import type { EnvSeries } from '../../shared/dataset/env-series.js';
import { heatReleaseAt, heatReleaseCurve } from './heat-release.js';
import type { HeatReleaseCurve } from './heat-release.js';
import { envelopeAt } from './nuisance-kinds.js';
import {
  AIR_HEAT_CAPACITY_KJ_M3K,
  alpertDeltaT,
  ceilingReach,
  jetDilution,
  localDilution,
  ROUTE_PHYSICS,
  routeHeatPass,
  routeLag,
  routeSmokePass,
  transportLag,
  type RoutePhysics,
} from './plume-transport.js';
import { roomFootprint } from '../../shared/dataset/scenario-schema.js';
import type { Aerosol, Fire, Nuisance, Route, Scenario, Vec3 } from '../../shared/dataset/scenario-schema.js';
import { compileThermalScene, thermalSourcesAt } from './thermal-scene.js';
import type { ThermalSource } from '../../shared/dataset/env-series.js';

/**
 * The scenario engine: one well-mixed room plus, for each source, a
 * near-field term at the sensor carried by its ceiling jet after a transport
 * lag. Room states integrate exactly over each step (first-order losses to
 * ventilation, deposition, walls), so the step size never destabilises them.
 */

/** Emission vector slots, g/s. */
const PM = 0;
const CO = 1;
const CO2 = 2;
const H2O = 3;
const VOC = 4;
const DROPLET = 5;
const SPECIES = 6;

/** Surface deposition of fine particles, 1/s (about 0.2 per hour). */
const FINE_DEPOSITION_PER_S = 5e-5;
/** Combined wall heat-transfer coefficient of a room at modest temperatures, kW/(m²·K). */
const WALL_TRANSFER_KW_M2K = 0.015;
const AMBIENT_AEROSOL: Aerosol = {
  count_median_um: 0.25,
  geometric_sd: 1.8,
  density_g_cm3: 1.6,
  extinction_m2_g: 3,
};

interface Source {
  readonly fire: { readonly spec: Fire; readonly curve: HeatReleaseCurve } | null;
  readonly nuisance: Nuisance | null;
  readonly convective: number;
  readonly hM: number;
  readonly rM: number;
  readonly dM: number;
  /** Set when the source is in another room: the route its gases take to the sensor. */
  readonly route: Route | null;
  /** Shares of the ceiling jet's heat and of the species that arrive (1 in the sensor's own room). */
  readonly heatPass: number;
  /** Share of the convective heat that warms the sensor's room as a whole (through the doorways). */
  readonly layerPass: number;
  readonly smokePass: number;
  readonly aerosol: AerosolCoefficients;
}

/** Total heat release (kW) of `s` at `t`. */
function sourceHeat(s: Source, t: number): number {
  if (s.fire) return heatReleaseAt(s.fire.curve, t);
  const n = s.nuisance;
  return n ? (n.heat_kw / s.convective) * envelopeAt(n, t) : 0;
}

/** Writes the emission rates (g/s) of `s` at `t` into `out`. */
function sourceEmissions(s: Source, t: number, out: Float64Array): void {
  if (s.fire) {
    const f = s.fire.spec;
    const fuel = heatReleaseAt(s.fire.curve, t) / f.heat_of_combustion_kj_g;
    out[PM] = fuel * f.smoke_yield;
    out[CO] = fuel * f.co_yield;
    out[CO2] = fuel * f.co2_yield;
    out[H2O] = fuel * f.h2o_yield;
    out[VOC] = fuel * f.voc_yield;
    out[DROPLET] = 0;
    return;
  }
  const n = s.nuisance;
  const level = n ? envelopeAt(n, t) : 0;
  out[PM] = (n?.pm_mg_s ?? 0) * level * 1e-3;
  out[CO] = (n?.co_mg_s ?? 0) * level * 1e-3;
  out[CO2] = (n?.co2_mg_s ?? 0) * level * 1e-3;
  out[H2O] = (n?.h2o_g_s ?? 0) * level;
  out[VOC] = (n?.voc_mg_s ?? 0) * level * 1e-3;
  out[DROPLET] = (n?.droplet_mg_s ?? 0) * level * 1e-3;
}

type Placement = Pick<Source, 'hM' | 'rM' | 'dM' | 'route' | 'heatPass' | 'layerPass' | 'smokePass'>;

/** Where a source sits relative to the sensor: in its room, or along a route from another. */
function placement(sensor: Vec3, source: Vec3, route: Route | null, physics: RoutePhysics): Placement {
  const hM = Math.max(sensor.z_m - source.z_m, 0.3);
  if (route !== null) {
    const rM = route.path_m;
    return {
      hM,
      rM,
      dM: Math.hypot(rM, hM),
      route,
      heatPass: routeHeatPass(route, physics),
      layerPass: Math.pow(physics.doorHeatPass, route.doors),
      smokePass: routeSmokePass(route, physics),
    };
  }
  const rM = Math.hypot(sensor.x_m - source.x_m, sensor.y_m - source.y_m);
  return {
    hM,
    rM,
    dM: Math.hypot(rM, sensor.z_m - source.z_m),
    route: null,
    heatPass: 1,
    layerPass: 1,
    smokePass: 1,
  };
}

function compileSources(s: Scenario, physics: RoutePhysics): Source[] {
  const h = s.room.ceiling_height_m;
  const sources: Source[] = s.nuisances.map((n) => ({
    fire: null,
    nuisance: n,
    convective: 0.7,
    ...placement(s.sensor_position, n.position, n.route, physics),
    aerosol: aerosolCoefficients(n.aerosol, h),
  }));
  if (s.fire) {
    sources.push({
      fire: { spec: s.fire, curve: heatReleaseCurve(s.fire) },
      nuisance: null,
      convective: s.fire.convective_fraction,
      ...placement(s.sensor_position, s.fire.position, s.fire.route, physics),
      aerosol: aerosolCoefficients(s.fire.aerosol, h),
    });
  }
  return sources;
}

/** Exact step of dx/dt = input − k·x over `dt`. */
function relax(x: number, input: number, k: number, dt: number): number {
  if (k < 1e-12) return x + input * dt;
  const a = Math.exp(-k * dt);
  return x * a + (input / k) * (1 - a);
}

/**
 * Runs the engine over [0, durationS] and returns the true environment at
 * the sensor. `physics` replaces the calibrated route constants (the
 * calibration itself uses it).
 */
export function simulateEnvironment(
  s: Scenario,
  durationS: number,
  physics: RoutePhysics = ROUTE_PHYSICS,
): EnvSeries {
  const dt = ENV_STEP_S;
  const length = Math.floor(durationS / dt) + 1;
  const thermal: ThermalSource[][] = [];
  const env = allocateEnvSeries(length, dt, thermal);
  const bg = s.background;
  const room = s.room;
  const v = room.volume_m3;
  const { width_m, depth_m } = roomFootprint(room);
  const vent = room.air_changes_per_hour / 3600;
  // Hot gases collect under the ceiling, where the sensor is: the warm layer is the upper part of
  // the room, losing heat to the ceiling and the upper walls.
  const layer = physics.layerFraction;
  const layerArea = width_m * depth_m + layer * 2 * (width_m + depth_m) * room.ceiling_height_m;
  const airCapacity = AIR_HEAT_CAPACITY_KJ_M3K * v * layer;
  const heatLossPerS = (WALL_TRANSFER_KW_M2K * layerArea) / airCapacity + vent;

  const sources = compileSources(s, physics);
  const scene = compileThermalScene(s);
  const droplets = aerosolCoefficients(DROPLET_AEROSOL, room.ceiling_height_m);
  const ambient = aerosolCoefficients(AMBIENT_AEROSOL, room.ceiling_height_m);
  const ambientMassUg = bg.ambient_pm25_ugm3 / Math.max(ambient.massBelow[1] ?? 1, 1e-6);
  const backgroundAh = (bg.humidity_pct / 100) * saturationVapourDensity(bg.temp_mean_c);
  const basePressure = pressureAtAltitude(bg.altitude_m);

  const e = new Float64Array(SPECIES);
  const near = new Float64Array(SPECIES);
  const roomIn = new Float64Array(SPECIES);
  const roomGas = new Float64Array(SPECIES); // g/m³ above background
  const roomPm = new Float64Array(sources.length); // g/m³ per source population
  const nearPm = new Float64Array(sources.length);
  let layerDt = 0;
  let humidity = bg.humidity_pct;

  for (let i = 0; i < length; i++) {
    const t = i * dt;
    const hour = bg.start_hour + t / 3600;
    const ambientC = bg.temp_mean_c + bg.temp_amplitude_c * Math.sin((2 * Math.PI * (hour - 11)) / 24);
    near.fill(0);
    roomIn.fill(0);
    let jetDt = 0;
    let heatIn = 0;
    for (let j = 0; j < sources.length; j++) {
      const src = sources[j];
      if (src === undefined) continue;
      // Gases arriving now left the source one lag ago; the lag follows the plume's current strength.
      const now = sourceHeat(src, t);
      const lag =
        src.route === null ? transportLag(now, src.hM, src.rM) : routeLag(now, src.hM, src.route, physics);
      const q = sourceHeat(src, t - lag);
      sourceEmissions(src, t - lag, e);
      const reach = ceilingReach(q, src.hM);
      const dilution =
        (jetDilution(q, src.convective, src.hM, src.rM) * reach + localDilution(src.dM)) * src.smokePass;
      jetDt += alpertDeltaT(q, src.hM, src.rM) * reach * src.heatPass;
      heatIn += src.convective * q * src.layerPass;
      for (let k = 0; k < SPECIES; k++) {
        near[k] = (near[k] ?? 0) + (e[k] ?? 0) * dilution;
        roomIn[k] = (roomIn[k] ?? 0) + (e[k] ?? 0) * src.smokePass;
      }
      nearPm[j] = (e[PM] ?? 0) * dilution;
      const lossPm = vent + FINE_DEPOSITION_PER_S + src.aerosol.settlingPerS;
      roomPm[j] = relax(roomPm[j] ?? 0, ((e[PM] ?? 0) * src.smokePass) / v, lossPm, dt);
    }
    layerDt = relax(layerDt, heatIn / airCapacity, heatLossPerS, dt);
    const evaporation = 0.01 * Math.max(0, 98 - humidity) + droplets.settlingPerS;
    for (let k = CO; k < SPECIES; k++) {
      const loss = k === DROPLET ? vent + evaporation : vent;
      roomGas[k] = relax(roomGas[k] ?? 0, (roomIn[k] ?? 0) / v, loss, dt);
    }
    const tempC = ambientC + layerDt + jetDt;
    const waterG = backgroundAh + (roomGas[H2O] ?? 0) + (near[H2O] ?? 0);
    humidity = Math.min(100, (100 * waterG) / saturationVapourDensity(tempC));

    // Particles: the ambient population plus one population per source.
    const tail = 0.2 * Math.sin((2 * Math.PI * t) / 10800);
    const ambientUg = ambientMassUg * (1 + tail);
    let pm1 = ambientUg * (ambient.massBelow[0] ?? 0);
    let pm25 = ambientUg * (ambient.massBelow[1] ?? 0);
    let pm10 = ambientUg * (ambient.massBelow[2] ?? 0);
    let extinction = ambientUg * 1e-6 * ambient.extinctionM2G;
    const counts = [0, 0, 0, 0, 0, 0];
    for (let c = 0; c < 6; c++) counts[c] = ambientUg * (ambient.countsPerUg[c] ?? 0);
    for (let j = 0; j < sources.length; j++) {
      const a = sources[j]?.aerosol;
      if (a === undefined) continue;
      const ug = ((roomPm[j] ?? 0) + (nearPm[j] ?? 0)) * 1e6;
      if (ug <= 0) continue;
      pm1 += ug * (a.massBelow[0] ?? 0);
      pm25 += ug * (a.massBelow[1] ?? 0);
      pm10 += ug * (a.massBelow[2] ?? 0);
      extinction += ug * 1e-6 * a.extinctionM2G;
      for (let c = 0; c < 6; c++) counts[c] = (counts[c] ?? 0) + ug * (a.countsPerUg[c] ?? 0);
    }
    const dropletUg = ((roomGas[DROPLET] ?? 0) + (near[DROPLET] ?? 0)) * 1e6;

    env.temp_c[i] = tempC;
    env.humidity_pct[i] = humidity;
    env.co_ppm[i] =
      bg.ambient_co_ppm + mgM3ToPpm(((roomGas[CO] ?? 0) + (near[CO] ?? 0)) * 1e3, MOLAR_MASS.co);
    env.co2_ppm[i] =
      bg.outdoor_co2_ppm + mgM3ToPpm(((roomGas[CO2] ?? 0) + (near[CO2] ?? 0)) * 1e3, MOLAR_MASS.co2);
    env.voc_ppb[i] =
      bg.voc_ppb +
      1000 * mgM3ToPpm(((roomGas[VOC] ?? 0) + (near[VOC] ?? 0)) * 1e3, MOLAR_MASS.vocIsobutyleneEquivalent);
    env.pressure_hpa[i] =
      basePressure +
      (bg.pressure_trend_hpa_per_h * t) / 3600 +
      0.4 * Math.sin((2 * Math.PI * (hour - 7)) / 12);
    env.pm1_ugm3[i] = pm1;
    env.pm25_ugm3[i] = pm25;
    env.pm10_ugm3[i] = pm10;
    env.n0_3_per_dl[i] = counts[0] ?? 0;
    env.n0_5_per_dl[i] = counts[1] ?? 0;
    env.n1_0_per_dl[i] = counts[2] ?? 0;
    env.n2_5_per_dl[i] = counts[3] ?? 0;
    env.n5_0_per_dl[i] = counts[4] ?? 0;
    env.n10_per_dl[i] = counts[5] ?? 0;
    env.droplet_ugm3[i] = dropletUg;
    env.droplet_pm25_ugm3[i] = dropletUg * (droplets.massBelow[1] ?? 0);
    env.obscuration_pct_m[i] = 100 * (1 - Math.exp(-extinction));
    // Surfaces lag the air; the hot layer warms the ceiling the camera sees.
    const surfaceC = ambientC + bg.surface_offset_c + 0.5 * layerDt;
    env.surface_c[i] = surfaceC;
    thermal.push(thermalSourcesAt(scene, t, surfaceC));
  }
  return env;
}
