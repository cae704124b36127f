import { EmberError } from '../../shared/errors.js';

/** Most gateways a fleet runs on one machine: each is an agent of a few tens of MB and five emulators. */
export const MAX_FLEET_GATEWAYS = 10;

/** Zone names in the order gateways fill them; the cloud's zone mapping uses the same names. */
export const FLEET_ZONE_NAMES = ['east-wing', 'west-wing', 'annex'] as const;
export type FleetZoneName = (typeof FLEET_ZONE_NAMES)[number];

/** One simulated gateway: its device id (the IoT thing name) and the zone it stands in. */
export interface FleetGateway {
  /** 0-based position in the fleet; gateway 0 opens with the fire. */
  readonly index: number;
  readonly id: string;
  readonly zone: FleetZoneName;
}

/** Device id of the fleet's gateway at `index` (0-based): gw-01, gw-02… */
export function fleetGatewayId(index: number): string {
  return `gw-${String(index + 1).padStart(2, '0')}`;
}

/** How many zones a fleet of `count` gateways is split into: one, two under five gateways, else three. */
export function fleetZoneCount(count: number): number {
  return count <= 1 ? 1 : count < 5 ? 2 : 3;
}

/**
 * The gateways of a fleet of `count` and their zones: consecutive blocks of
 * nearly equal size (gw-01, gw-02 in east-wing, gw-03 in west-wing for
 * three). Pure, so that the cloud's configuration and the fleet agree.
 */
export function fleetGateways(count: number): FleetGateway[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_FLEET_GATEWAYS) {
    throw new EmberError(
      'EMBER_ERR_BAD_OPTION',
      `a fleet has 1-${MAX_FLEET_GATEWAYS} gateways, not ${String(count)}`,
    );
  }
  const zones = fleetZoneCount(count);
  return Array.from({ length: count }, (_, index) => ({
    index,
    id: fleetGatewayId(index),
    zone: FLEET_ZONE_NAMES[Math.floor((index * zones) / count)] ?? 'east-wing',
  }));
}

/** Zone → device ids of its gateways, for the cloud's configuration. */
export function fleetZoneMap(count: number): Record<string, string[]> {
  const map: Record<string, string[]> = {};
  for (const gateway of fleetGateways(count)) (map[gateway.zone] ??= []).push(gateway.id);
  return map;
}
