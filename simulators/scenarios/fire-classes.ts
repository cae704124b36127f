import { GROWTH_ALPHA } from './heat-release.js';
import type { Rng } from './prng.js';
import type { Aerosol, Fire, FireClassName, Vec3 } from '../../shared/dataset/scenario-schema.js';

/**
 * Reference figures of the named fire classes, analogues of EN 54 TF1..TF8
 * and the UL 217 polyurethane fires. They are the centres of the ranges a
 * scenario draws from, never constants of a run.
 */

type Range = readonly [number, number];

/** Reference figures of one fire class: centres and ranges for the draws. */
export interface FireClassSpec {
  readonly smouldering: boolean;
  /** Centres of α (kW/s²); a draw picks one and spreads it log-normally. */
  readonly alphaCentres: readonly [number, ...number[]];
  /** Flaming heat release the moment it is lit (0 for a t-squared start), kW. */
  readonly initialKw?: Range;
  /** Seconds at the initial heat release before the growth sets in. */
  readonly incubationS?: Range;
  readonly qMaxKw: Range;
  readonly fuelKg: Range;
  readonly heatOfCombustionKjG: number;
  readonly convectiveFraction: number;
  readonly smokeYield: Range;
  readonly coYield: Range;
  readonly co2Yield: number;
  readonly h2oYield: number;
  readonly vocYield: Range;
  readonly aerosol: Aerosol;
  readonly hrrPerAreaKwM2: number;
  readonly flameTempC: Range;
  readonly flameEmissivity: number;
}

const SOOT: Aerosol = { count_median_um: 0.1, geometric_sd: 2, density_g_cm3: 1.2, extinction_m2_g: 8.7 };
const PYROLYSIS: Aerosol = {
  count_median_um: 0.45,
  geometric_sd: 1.6,
  density_g_cm3: 1.1,
  extinction_m2_g: 4.4,
};
const { slow, medium, fast } = GROWTH_ALPHA;
const ultraFast = GROWTH_ALPHA['ultra-fast'];

/** Every named fire class by its schema name. */
export const FIRE_CLASSES: Readonly<Record<FireClassName, FireClassSpec>> = {
  // Cellulosic crib: strong heat and updraught, little visible smoke, very little CO.
  'tf1-open-wood': {
    smouldering: false,
    alphaCentres: [medium, fast],
    qMaxKw: [80, 250],
    fuelKg: [2, 6],
    heatOfCombustionKjG: 12.4,
    convectiveFraction: 0.65,
    smokeYield: [0.004, 0.012],
    coYield: [0.002, 0.006],
    co2Yield: 1.3,
    h2oYield: 0.5,
    vocYield: [0.002, 0.006],
    aerosol: SOOT,
    hrrPerAreaKwM2: 400,
    flameTempC: [700, 900],
    flameEmissivity: 0.6,
  },
  // Beech on a hot plate: the plate drives pyrolysis, so heat is weak and smoke scatters light.
  'tf2-smouldering-wood': {
    smouldering: true,
    alphaCentres: [1.2e-5],
    qMaxKw: [0.5, 1.5],
    fuelKg: [0.3, 0.8],
    heatOfCombustionKjG: 5,
    convectiveFraction: 0.5,
    smokeYield: [0.08, 0.15],
    coYield: [0.05, 0.1],
    co2Yield: 0.3,
    h2oYield: 0.3,
    vocYield: [0.05, 0.12],
    aerosol: PYROLYSIS,
    hrrPerAreaKwM2: 25,
    flameTempC: [400, 600],
    flameEmissivity: 0.9,
  },
  // Glowing cotton wicks: weak updraught, light smoke, high CO.
  'tf3-smouldering-cotton': {
    smouldering: true,
    alphaCentres: [2.2e-5],
    qMaxKw: [1, 3],
    fuelKg: [0.2, 0.45],
    heatOfCombustionKjG: 5,
    convectiveFraction: 0.5,
    smokeYield: [0.1, 0.2],
    coYield: [0.1, 0.3],
    co2Yield: 0.4,
    h2oYield: 0.3,
    vocYield: [0.05, 0.1],
    aerosol: { ...PYROLYSIS, count_median_um: 0.6, geometric_sd: 1.5 },
    hrrPerAreaKwM2: 15,
    flameTempC: [400, 650],
    flameEmissivity: 0.9,
  },
  // Polyurethane foam slabs: fast, very dark smoke, little CO.
  'tf4-flaming-pu': {
    smouldering: false,
    alphaCentres: [fast],
    qMaxKw: [60, 200],
    fuelKg: [0.4, 1.2],
    heatOfCombustionKjG: 24,
    convectiveFraction: 0.6,
    smokeYield: [0.1, 0.2],
    coYield: [0.01, 0.03],
    co2Yield: 1.5,
    h2oYield: 0.6,
    vocYield: [0.01, 0.03],
    aerosol: { ...SOOT, count_median_um: 0.12, geometric_sd: 1.9 },
    hrrPerAreaKwM2: 300,
    flameTempC: [800, 1000],
    flameEmissivity: 0.9,
  },
  'tf5-n-heptane': {
    smouldering: false,
    alphaCentres: [fast, ultraFast],
    qMaxKw: [60, 200],
    fuelKg: [0.5, 1],
    heatOfCombustionKjG: 41,
    convectiveFraction: 0.6,
    smokeYield: [0.03, 0.04],
    coYield: [0.008, 0.012],
    co2Yield: 3,
    h2oYield: 1.4,
    vocYield: [0.005, 0.01],
    aerosol: SOOT,
    hrrPerAreaKwM2: 1000,
    flameTempC: [800, 1000],
    flameEmissivity: 0.8,
  },
  // Ethanol: heat and next to no smoke; sized so that only heat detection and the camera see it.
  'tf6-ethanol': {
    smouldering: false,
    alphaCentres: [fast, ultraFast],
    qMaxKw: [150, 350],
    fuelKg: [1, 2.5],
    heatOfCombustionKjG: 26.8,
    convectiveFraction: 0.8,
    smokeYield: [0.00005, 0.00015],
    coYield: [0.0008, 0.0015],
    co2Yield: 1.9,
    h2oYield: 1.2,
    vocYield: [0.002, 0.005],
    aerosol: { ...SOOT, count_median_um: 0.05 },
    hrrPerAreaKwM2: 500,
    flameTempC: [600, 800],
    flameEmissivity: 0.3,
  },
  'tf7-slow-smouldering-wood': {
    smouldering: true,
    alphaCentres: [4e-7],
    qMaxKw: [0.2, 0.5],
    fuelKg: [0.5, 1.5],
    heatOfCombustionKjG: 5,
    convectiveFraction: 0.5,
    smokeYield: [0.05, 0.1],
    coYield: [0.03, 0.08],
    co2Yield: 0.3,
    h2oYield: 0.3,
    vocYield: [0.05, 0.1],
    aerosol: PYROLYSIS,
    hrrPerAreaKwM2: 20,
    flameTempC: [300, 450],
    flameEmissivity: 0.9,
  },
  // Decalin: a small, cool flame with black smoke.
  'tf8-decalin': {
    smouldering: false,
    alphaCentres: [slow],
    qMaxKw: [10, 30],
    fuelKg: [0.3, 0.6],
    heatOfCombustionKjG: 42,
    convectiveFraction: 0.55,
    smokeYield: [0.08, 0.15],
    coYield: [0.02, 0.04],
    co2Yield: 2.8,
    h2oYield: 1.2,
    vocYield: [0.01, 0.02],
    aerosol: { ...SOOT, count_median_um: 0.15 },
    hrrPerAreaKwM2: 600,
    flameTempC: [600, 750],
    flameEmissivity: 0.9,
  },
  'ul217-flaming-pu': {
    smouldering: false,
    alphaCentres: [medium, fast],
    qMaxKw: [50, 150],
    fuelKg: [0.5, 1.2],
    heatOfCombustionKjG: 24,
    convectiveFraction: 0.6,
    smokeYield: [0.1, 0.2],
    coYield: [0.01, 0.03],
    co2Yield: 1.5,
    h2oYield: 0.6,
    vocYield: [0.01, 0.03],
    aerosol: { ...SOOT, count_median_um: 0.12, geometric_sd: 1.9 },
    hrrPerAreaKwM2: 300,
    flameTempC: [800, 1000],
    flameEmissivity: 0.9,
  },
  // Slow smoulder of upholstery foam: tens of minutes, high CO.
  'ul217-smouldering-pu': {
    smouldering: true,
    alphaCentres: [6e-8],
    qMaxKw: [0.1, 0.3],
    fuelKg: [0.3, 0.8],
    heatOfCombustionKjG: 8,
    convectiveFraction: 0.5,
    smokeYield: [0.1, 0.2],
    coYield: [0.1, 0.2],
    co2Yield: 0.5,
    h2oYield: 0.3,
    vocYield: [0.05, 0.15],
    aerosol: { ...PYROLYSIS, count_median_um: 0.5 },
    hrrPerAreaKwM2: 10,
    flameTempC: [350, 500],
    flameEmissivity: 0.9,
  },
  // A chair, sofa or mattress lit by a small flame, as in the NIST home smoke alarm tests: a few kW
  // of flaming at once, a pause, then slow-to-medium t-squared growth towards a megawatt.
  'upholstered-flaming': {
    smouldering: false,
    alphaCentres: [slow, 0.006, medium],
    initialKw: [2, 8],
    incubationS: [5, 20],
    qMaxKw: [500, 1500],
    fuelKg: [8, 25],
    heatOfCombustionKjG: 18,
    convectiveFraction: 0.65,
    smokeYield: [0.01, 0.05],
    coYield: [0.01, 0.03],
    co2Yield: 1.6,
    h2oYield: 0.6,
    vocYield: [0.01, 0.03],
    aerosol: SOOT,
    hrrPerAreaKwM2: 450,
    flameTempC: [800, 1000],
    flameEmissivity: 0.9,
  },
  // Oil in a pan that ignites after overheating.
  'cooking-oil': {
    smouldering: false,
    alphaCentres: [fast, ultraFast],
    qMaxKw: [40, 150],
    fuelKg: [0.2, 0.8],
    heatOfCombustionKjG: 37,
    convectiveFraction: 0.6,
    smokeYield: [0.03, 0.08],
    coYield: [0.008, 0.02],
    co2Yield: 2.8,
    h2oYield: 1.1,
    vocYield: [0.01, 0.03],
    aerosol: { ...SOOT, count_median_um: 0.1 },
    hrrPerAreaKwM2: 1200,
    flameTempC: [800, 1000],
    flameEmissivity: 0.8,
  },
};

/** Optional fixed numbers, for tests and mixtures that need a fire of a known size. */
export type FireOverrides = Partial<Omit<Fire, 'fire_class' | 'position' | 'ignition_s'>>;

/** A concrete fire of `fireClass` at `position`, igniting at `ignitionS`, with numbers drawn around the class. */
export function drawFire(
  rng: Rng,
  fireClass: FireClassName,
  position: Vec3,
  ignitionS: number,
  overrides: FireOverrides = {},
): Fire {
  const spec = FIRE_CLASSES[fireClass];
  const within = (r: Range): number => rng.uniform(r[0], r[1]);
  return {
    fire_class: fireClass,
    smouldering: spec.smouldering,
    ignition_s: ignitionS,
    position,
    alpha_kw_s2: rng.around(rng.pick(spec.alphaCentres), 0.25),
    initial_kw: spec.initialKw === undefined ? 0 : within(spec.initialKw),
    incubation_s: spec.incubationS === undefined ? 0 : within(spec.incubationS),
    q_max_kw: within(spec.qMaxKw),
    fuel_mass_kg: within(spec.fuelKg),
    heat_of_combustion_kj_g: rng.around(spec.heatOfCombustionKjG, 0.05),
    convective_fraction: spec.convectiveFraction,
    smoke_yield: within(spec.smokeYield),
    co_yield: within(spec.coYield),
    co2_yield: rng.around(spec.co2Yield, 0.05),
    h2o_yield: rng.around(spec.h2oYield, 0.1),
    voc_yield: within(spec.vocYield),
    aerosol: {
      ...spec.aerosol,
      count_median_um: rng.around(spec.aerosol.count_median_um, 0.15),
      extinction_m2_g: rng.around(spec.aerosol.extinction_m2_g, 0.08),
    },
    hrr_per_area_kw_m2: rng.around(spec.hrrPerAreaKwM2, 0.2),
    flame_temp_c: within(spec.flameTempC),
    flame_emissivity: spec.flameEmissivity,
    route: null,
    ...overrides,
  };
}
