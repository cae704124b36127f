/** Simulated gateways for the demo: zones, the seeded schedule of runs, and the fleet that plays it. */
export {
  describeRun,
  planRun,
  planRuns,
  RUN_LEAD_IN_S,
  type PlannedRun,
  type RunKind,
} from './fleet-schedule.js';
export { blendReports, handoverWeight } from './run-blend.js';
export { checkTimeline, type RunCheck, type TimelineCheckOptions } from './timeline-check.js';
export {
  FLEET_ZONE_NAMES,
  MAX_FLEET_GATEWAYS,
  fleetGatewayId,
  fleetGateways,
  fleetZoneCount,
  fleetZoneMap,
  type FleetGateway,
  type FleetZoneName,
} from './fleet-zones.js';
export { GatewayTimeline } from './gateway-timeline.js';
export { startGatewayKit, type GatewayKitOptions, type RunningGatewayKit } from './gateway-kit.js';
export {
  GatewayFleet,
  socatAvailable,
  type FleetRun,
  type GatewayFleetEvents,
  type GatewayFleetOptions,
  type GatewayHost,
  type GatewayHostFactory,
  type GatewayHostRequest,
} from './gateway-fleet.js';
