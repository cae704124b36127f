import { EmberError } from '../../shared/errors.js';

/**
 * The configured zones. A device in no zone is a zone of its own, named
 * after it. Zone mates are looked up per anomaly, so each zone keeps its
 * members rather than scanning the fleet.
 */
export class FleetZones {
  /** Device id → its zone. */
  readonly #zoneOf = new Map<string, string>();
  /** Zone → its configured devices. */
  readonly #members = new Map<string, string[]>();

  /** Throws EMBER_ERR_BAD_CONFIG when a device is in two zones. */
  constructor(zones: Readonly<Record<string, readonly string[]>>) {
    for (const [zone, ids] of Object.entries(zones)) {
      for (const id of ids) {
        const other = this.#zoneOf.get(id);
        if (other !== undefined && other !== zone) {
          throw new EmberError('EMBER_ERR_BAD_CONFIG', `zones: device ${id} is in both ${other} and ${zone}`);
        }
        this.#zoneOf.set(id, zone);
      }
    }
    for (const [deviceId, zone] of this.#zoneOf)
      this.#members.set(zone, [...(this.#members.get(zone) ?? []), deviceId]);
  }

  zoneOf(id: string): string {
    return this.#zoneOf.get(id) ?? id;
  }

  /** The ids of the other devices in the device's zone, known to the fleet or not. */
  mateIds(id: string): string[] {
    const zone = this.zoneOf(id);
    // The zone's configured devices, and the device named like the zone when it is in none (its own zone).
    const candidates = this.#zoneOf.has(zone) ? [] : [zone];
    candidates.push(...(this.#members.get(zone) ?? []));
    return candidates.filter((candidate) => candidate !== id && this.zoneOf(candidate) === zone);
  }
}
