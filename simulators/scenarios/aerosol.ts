import type { Aerosol } from '../../shared/dataset/scenario-schema.js';

/**
 * Size statistics of a lognormal particle population, precomputed once per
 * source so the time loop only multiplies a mass concentration by constants.
 */

/** Upper cut sizes of PM1, PM2.5, PM10 (µm). */
export const PM_CUTS_UM = [1, 2.5, 10] as const;
/** Lower size thresholds of the PMS5003 count bins (µm). */
export const COUNT_THRESHOLDS_UM = [0.3, 0.5, 1, 2.5, 5, 10] as const;

/** Per-population constants the engine multiplies mass concentrations by. */
export interface AerosolCoefficients {
  /** Fraction of mass below 1, 2.5, 10 µm. */
  readonly massBelow: Float64Array;
  /** Particles per 0.1 L above 0.3, 0.5, 1, 2.5, 5, 10 µm, per µg/m³ of mass. */
  readonly countsPerUg: Float64Array;
  /** Mass extinction coefficient, m²/g. */
  readonly extinctionM2G: number;
  /** Gravitational settling loss rate in a room of the given height, 1/s. */
  readonly settlingPerS: number;
}

/** Standard normal cumulative distribution (Abramowitz & Stegun 7.1.26, error < 1.5e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return 0.5 * (1 + (x >= 0 ? erf : -erf));
}

/** Mass fractions, counts per mass and settling for `aerosol` in a room `ceilingHeightM` high. */
export function aerosolCoefficients(aerosol: Aerosol, ceilingHeightM: number): AerosolCoefficients {
  const lnSd = Math.log(aerosol.geometric_sd);
  const ln2 = lnSd * lnSd;
  const cmd = aerosol.count_median_um;
  // Hatch–Choate: the mass median diameter of a lognormal count distribution.
  const mmd = cmd * Math.exp(3 * ln2);
  const massBelow = new Float64Array(PM_CUTS_UM.length);
  PM_CUTS_UM.forEach((cut, i) => {
    massBelow[i] = normalCdf(Math.log(cut / mmd) / lnSd);
  });
  // Mean particle mass in µg: ρ (g/cm³) · π/6 · <d³> (µm³) · 1e-12 cm³/µm³ · 1e6 µg/g.
  const meanD3 = cmd * cmd * cmd * Math.exp(4.5 * ln2);
  const meanMassUg = aerosol.density_g_cm3 * (Math.PI / 6) * meanD3 * 1e-6;
  const perM3PerUg = 1 / meanMassUg;
  const countsPerUg = new Float64Array(COUNT_THRESHOLDS_UM.length);
  COUNT_THRESHOLDS_UM.forEach((d, i) => {
    const above = 1 - normalCdf(Math.log(d / cmd) / lnSd);
    countsPerUg[i] = (perM3PerUg * above) / 1e4; // 1 m³ = 10,000 × 0.1 L
  });
  // Stokes settling of the mass-median particle (air viscosity 1.8e-5 Pa·s).
  const dM = mmd * 1e-6;
  const settlingVelocity = (aerosol.density_g_cm3 * 1000 * dM * dM * 9.81) / (18 * 1.8e-5);
  return {
    massBelow,
    countsPerUg,
    extinctionM2G: aerosol.extinction_m2_g,
    settlingPerS: settlingVelocity / ceilingHeightM,
  };
}

/** Water droplets from steam and mist: large, so they weigh on PM10 far more than PM2.5. */
export const DROPLET_AEROSOL: Aerosol = {
  count_median_um: 2.5,
  geometric_sd: 1.5,
  density_g_cm3: 1,
  extinction_m2_g: 0.5,
};
