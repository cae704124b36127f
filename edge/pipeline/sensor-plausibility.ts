/** How often a sensor's readings were implausible (a faulty module), and whether the newest was. */
export interface ImplausibleReadings {
  readonly count: number;
  readonly now: boolean;
}

/** Plausible readings in a row before a faulty sensor counts as recovered. */
export const RECOVERED_AFTER = 10;

interface SensorRecord extends ImplausibleReadings {
  /** Plausible readings in a row since the last implausible one. */
  readonly streak: number;
}

/**
 * Per-sensor bookkeeping of the feature extractor's plausibility verdicts:
 * counts implausible readings and tells when a sensor turns faulty and when
 * it has recovered ({@link RECOVERED_AFTER} plausible readings in a row), so
 * a loose wire that flips every reading is reported once, not once a
 * reading. No I/O.
 */
export class SensorPlausibility {
  readonly #sensors = new Map<string, SensorRecord>();

  /** Records one verdict; returns the change it makes, if any. */
  note(sensorId: string, plausible: boolean): 'faulty' | 'recovered' | undefined {
    const before = this.#sensors.get(sensorId);
    if (plausible) {
      if (before?.now !== true) return undefined;
      const streak = before.streak + 1;
      const recovered = streak >= RECOVERED_AFTER;
      this.#sensors.set(sensorId, { count: before.count, now: !recovered, streak });
      return recovered ? 'recovered' : undefined;
    }
    this.#sensors.set(sensorId, { count: (before?.count ?? 0) + 1, now: true, streak: 0 });
    return before?.now === true ? undefined : 'faulty';
  }

  /** One sensor's record; a sensor never judged implausible has a count of zero. */
  of(sensorId: string): ImplausibleReadings {
    const record = this.#sensors.get(sensorId);
    return record === undefined ? { count: 0, now: false } : { count: record.count, now: record.now };
  }

  snapshot(): Readonly<Record<string, ImplausibleReadings>> {
    return Object.fromEntries([...this.#sensors.keys()].map((id) => [id, this.of(id)]));
  }
}
