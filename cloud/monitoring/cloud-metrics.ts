import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ROLLOUT_STATES } from '../contracts/cloud-values.js';
import type { DeliveryOutcome } from '../response/webhook-notifier.js';
import { ALERT_RULES, newestRollout } from './alert-rules.js';
import type { AlertView, FleetView, RolloutView } from './fleet-views.js';

export interface CloudMetricsOptions {
  /** Devices online and known are read from it at each scrape. */
  readonly fleet?: FleetView;
  /** Rollouts by state are read from it at each scrape. */
  readonly rollouts?: RolloutView;
  /** Active operator alerts by rule are read from it at each scrape. */
  readonly alerts?: AlertView;
  /** Adds prom-client's process metrics (CPU, memory, event loop lag) to this registry. */
  readonly processMetrics?: boolean;
}

/**
 * The cloud's Prometheus metrics in a registry of their own, so two cloud
 * instances in one process (tests) never share counters. Counters are
 * incremented by the components that see the events; gauges read their
 * views when scraped.
 */
export class CloudMetrics {
  readonly registry = new Registry();
  readonly contentType: string = this.registry.contentType;

  /** Device messages accepted, by topic kind (anomaly, telemetry, status, model-report…). */
  readonly messagesReceived = new Counter({
    name: 'emberwatch_cloud_messages_received_total',
    help: 'Device messages received, by topic kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly duplicatesDropped = new Counter({
    name: 'emberwatch_cloud_duplicate_messages_total',
    help: 'Device messages dropped because their message id was already seen',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly invalidMessages = new Counter({
    name: 'emberwatch_cloud_invalid_messages_total',
    help: 'Device messages that failed their schema or arrived on an unknown topic, by topic kind (unknown if none)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly incidentsOpened = new Counter({
    name: 'emberwatch_cloud_incidents_opened_total',
    help: 'Incidents opened, by the level they opened at',
    labelNames: ['level'] as const,
    registers: [this.registry],
  });
  /** From the anomaly's timestamp on the device to the incident it opened or joined. */
  readonly anomalyToIncidentSeconds = new Histogram({
    name: 'emberwatch_cloud_anomaly_to_incident_seconds',
    help: 'Time from an anomaly on a device to its incident in the cloud',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly webhookDeliveries = new Counter({
    name: 'emberwatch_cloud_webhook_deliveries_total',
    help: 'Webhook notifications accepted by their receiver, by target kind',
    labelNames: ['target'] as const,
    registers: [this.registry],
  });
  readonly webhookFailures = new Counter({
    name: 'emberwatch_cloud_webhook_failures_total',
    help: 'Webhook notifications given up after every retry, by target kind',
    labelNames: ['target'] as const,
    registers: [this.registry],
  });
  readonly operatorAlertsActive: Gauge<'rule'>;
  readonly devicesOnline: Gauge;
  readonly devicesKnown: Gauge;
  readonly rollouts: Gauge<'state'>;
  readonly latestRollout: Gauge<'version' | 'state'>;

  constructor(options: CloudMetricsOptions = {}) {
    const { fleet, rollouts, alerts } = options;
    const operatorAlertsActive: Gauge<'rule'> = new Gauge({
      name: 'emberwatch_cloud_operator_alerts_active',
      help: 'Operator alerts currently raised, by rule',
      labelNames: ['rule'] as const,
      registers: [this.registry],
      collect: () => {
        if (alerts === undefined) return;
        for (const rule of ALERT_RULES) operatorAlertsActive.set({ rule }, 0);
        for (const alert of alerts.alerts()) {
          if (alert.active) operatorAlertsActive.inc({ rule: alert.rule });
        }
      },
    });
    const devicesOnline: Gauge = new Gauge({
      name: 'emberwatch_cloud_devices_online',
      help: 'Devices whose last status says online',
      registers: [this.registry],
      collect: () => {
        if (fleet !== undefined) devicesOnline.set(fleet.devices().filter((device) => device.online).length);
      },
    });
    const devicesKnown: Gauge = new Gauge({
      name: 'emberwatch_cloud_devices_known',
      help: 'Devices the cloud has heard from or has configured',
      registers: [this.registry],
      collect: () => {
        if (fleet !== undefined) devicesKnown.set(fleet.devices().length);
      },
    });
    const rolloutGauge: Gauge<'state'> = new Gauge({
      name: 'emberwatch_cloud_rollouts',
      help: 'Model rollouts, by state',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect: () => {
        if (rollouts === undefined) return;
        for (const state of ROLLOUT_STATES) rolloutGauge.set({ state }, 0);
        for (const rollout of rollouts.list()) rolloutGauge.inc({ state: rollout.state });
      },
    });
    const latestRollout: Gauge<'version' | 'state'> = new Gauge({
      name: 'emberwatch_cloud_rollout_latest',
      help: 'The newest rollout: 1 with its model version and state as labels',
      labelNames: ['version', 'state'] as const,
      registers: [this.registry],
      collect: () => {
        if (rollouts === undefined) return;
        latestRollout.reset();
        const latest = newestRollout(rollouts.list());
        if (latest !== undefined) latestRollout.set({ version: latest.version, state: latest.state }, 1);
      },
    });
    this.operatorAlertsActive = operatorAlertsActive;
    this.devicesOnline = devicesOnline;
    this.devicesKnown = devicesKnown;
    this.rollouts = rolloutGauge;
    this.latestRollout = latestRollout;
    if (options.processMetrics === true) collectDefaultMetrics({ register: this.registry });
  }

  /** Counts a webhook outcome under its purpose (notify, emergency, escalation, operator). */
  countDelivery(outcome: DeliveryOutcome): void {
    const counter = outcome.delivered ? this.webhookDeliveries : this.webhookFailures;
    counter.inc({ target: outcome.purpose });
  }

  /** Every metric in the Prometheus text exposition format; serve it with {@link contentType}. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
