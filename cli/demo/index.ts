/** The demo's pieces: the provisioned workspace, the gateways' edge agents, and the broker with the fleet. */
export {
  DEFAULT_DEMO_DATA_DIR,
  DEMO_BROKER_HOSTNAMES,
  DEMO_SERVICE_NAME,
  findShippedModelDir,
  prepareWorkspace,
  type DemoWorkspace,
  type PrepareWorkspaceOptions,
  type WorkspaceDevice,
} from './workspace.js';
export type { KeyAndCertificatePaths } from './workspace-pki.js';
export { ensureOfferKeys, type OfferKeyFiles } from './offer-keys.js';
export {
  buildRolloutModel,
  readShippedModel,
  reexportModel,
  rolloutVersionOf,
  type DemoModels,
  type ShippedModel,
} from './demo-models.js';
export {
  edgeGatewayHost,
  FACTORY_OFFER_ID,
  seedModelFolder,
  type EdgeGatewayOptions,
} from './edge-gateway.js';
export { runDemoFleet, type DemoFleetOptions, type RunningDemoFleet } from './run-demo-fleet.js';
