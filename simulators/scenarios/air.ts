/** Properties of moist room air and unit conversions the engine needs. */

/** Molar volume at 25 °C and 1 atm, L/mol: converts mg/m³ to ppm. */
const MOLAR_VOLUME_L = 24.45;

/** Saturation water-vapour density (g/m³) at `tempC`, from the Magnus formula. */
export function saturationVapourDensity(tempC: number): number {
  const t = Math.max(tempC, -40);
  const pressureHpa = 6.112 * Math.exp((17.67 * t) / (t + 243.5));
  return (pressureHpa * 216.74) / (273.15 + t);
}

/** Gas concentration in ppm for `mgM3` mg/m³ of a gas of molar mass `molarMass` g/mol. */
export function mgM3ToPpm(mgM3: number, molarMass: number): number {
  return (mgM3 * MOLAR_VOLUME_L) / molarMass;
}

export const MOLAR_MASS = { co: 28.01, co2: 44.01, vocIsobutyleneEquivalent: 56.11 } as const;

/** Standard-atmosphere pressure (hPa) at `altitudeM`. */
export function pressureAtAltitude(altitudeM: number): number {
  return 1013.25 * Math.pow(1 - 2.25577e-5 * altitudeM, 5.25588);
}

/** Altitude (m) a barometer set to the standard atmosphere reports for `pressureHpa`. */
export function altitudeFromPressure(pressureHpa: number): number {
  return (1 - Math.pow(pressureHpa / 1013.25, 1 / 5.25588)) / 2.25577e-5;
}
