/** How often a sensor's readings were implausible (a faulty module), and whether the newest was. */
export interface ImplausibleReadings {
  readonly count: number;
  readonly now: boolean;
}

/**
 * Per-sensor bookkeeping of the feature extractor's plausibility verdicts:
 * counts implausible readings and tells when a sensor turns faulty and when
 * it recovers, so each is logged once rather than once a reading. Pure.
 */
export class SensorPlausibility {
  readonly #sensors = new Map<string, ImplausibleReadings>();

  /** Records one verdict; returns the change it makes, if any. */
  note(sensorId: string, plausible: boolean): 'faulty' | 'recovered' | undefined {
    const before = this.#sensors.get(sensorId);
    if (plausible && before?.now !== true) return undefined;
    this.#sensors.set(sensorId, { count: (before?.count ?? 0) + (plausible ? 0 : 1), now: !plausible });
    if (plausible) return 'recovered';
    return before?.now === true ? undefined : 'faulty';
  }

  /** One sensor's record; a sensor never judged implausible has a count of zero. */
  of(sensorId: string): ImplausibleReadings {
    return this.#sensors.get(sensorId) ?? { count: 0, now: false };
  }

  snapshot(): Readonly<Record<string, ImplausibleReadings>> {
    return Object.fromEntries(this.#sensors);
  }
}
