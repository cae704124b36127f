import type { DeviceState, OperatorAlert, RolloutProgress } from '../contracts/cloud-values.js';

/** Read access to what the fleet knows of each device (the analysis agent's device table). */
export interface FleetView {
  devices(): readonly DeviceState[];
}

/** Read access to the rollouts, newest or oldest first. */
export interface RolloutView {
  list(): readonly RolloutProgress[];
}

/** Read access to the operator alerts, active and recently cleared. */
export interface AlertView {
  alerts(): readonly OperatorAlert[];
}
