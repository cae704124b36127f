import type { Logger } from '../../shared/logging.js';
import type { ObjectStore } from '../../shared/object-store/object-store.js';
import type { ModelRegistry } from '../../factory/registry/model-registry.js';
import type { AccessAdmin } from '../access/access-admin.js';
import type { AccessControl } from '../access/access-control.js';
import type { ModelGrants } from '../access/model-grants.js';
import type { AnalysisAgent } from '../analysis/analysis-agent.js';
import type { CloudConfig } from '../config/cloud-config.js';
import type { DeviceState } from '../contracts/cloud-values.js';
import type { ConfigDelivery } from '../device-config/config-delivery.js';
import type { FleetState } from '../fleet/fleet-state.js';
import type { IncidentStore } from '../incidents/incident-store.js';
import type { CloudIngest } from '../ingest/cloud-ingest.js';
import type { LearningAgent } from '../learning/learning-agent.js';
import type { CloudMetrics } from '../monitoring/cloud-metrics.js';
import type { OperatorAlerts } from '../monitoring/operator-alerts.js';
import type { ResponseAgent } from '../response/response-agent.js';
import type { WebhookNotifier } from '../response/webhook-notifier.js';
import type { FleetRollout } from '../rollout/fleet-rollout.js';
import type { LiveHub } from './live-hub.js';
import type { ServingModel } from './serving-model.js';

/** The parts of the cloud that need a model registry (and, for rollouts, the fleet signing key). */
export interface ModelParts {
  readonly registry: ModelRegistry;
  readonly store: ObjectStore;
  readonly rollout: FleetRollout | undefined;
}

/**
 * The cloud's components as the wiring and the API adapter see them: what
 * the composition root (`cloud-service.ts`) built, and nothing of how.
 */
export interface CloudParts {
  readonly config: CloudConfig;
  readonly logger: Logger;
  /** True between a completed start and stop. */
  readonly running: boolean;
  readonly live: LiveHub;
  readonly metrics: CloudMetrics;
  readonly fleet: FleetState;
  readonly incidents: IncidentStore;
  readonly analysis: AnalysisAgent;
  readonly notifier: WebhookNotifier;
  readonly response: ResponseAgent;
  readonly alerts: OperatorAlerts;
  readonly ingest: CloudIngest;
  readonly serving: ServingModel;
  readonly models: ModelParts | undefined;
  readonly learning: LearningAgent;
  readonly access: AccessControl;
  readonly accessAdmin: AccessAdmin;
  readonly modelGrants: ModelGrants;
  readonly configs: ConfigDelivery;
  /** A device's state with the config last sent to it, as the API and dashboard show it. */
  withConfig(device: DeviceState): DeviceState;
}
