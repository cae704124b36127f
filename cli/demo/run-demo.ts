import { join } from 'node:path';
import { parseCloudConfig, type CloudConfig } from '../../cloud/config/cloud-config.js';
import type { Incident } from '../../cloud/contracts/cloud-values.js';
import { CloudService } from '../../cloud/service/cloud-service.js';
import { silentLogger, type Logger } from '../../shared/logging.js';
import { ensureDemoOperator, type DemoLogin } from './demo-operator.js';
import { DemoPager, type Page } from './demo-pager.js';
import { runDemoFleet, type RunningDemoFleet } from './run-demo-fleet.js';
import { DEMO_ACTOR, resolveStaleIncidents, STALE_INCIDENT_NOTE } from './stale-incidents.js';
import type { DemoWorkspace } from './workspace.js';

export interface DemoOptions {
  readonly dataDir?: string;
  /** Simulated gateways, 1-10; default 3. */
  readonly devices?: number;
  /** The dashboard's port on 127.0.0.1; default 8080, 0 picks a free one. */
  readonly port?: number;
  /** The embedded broker's port; default 0 (a free one). */
  readonly brokerPort?: number;
  /** Emulated seconds per real second; default 10. */
  readonly speed?: number;
  /** Seconds after start when the demo approves its second model and rolls it out; 0 never. Default 90. */
  readonly rolloutAfterS?: number;
  readonly transport?: 'pty' | 'mock';
  /** The socat to run; default EMBERWATCH_SOCAT or the first socat on the PATH. */
  readonly socatPath?: string;
  readonly logger?: Logger;
  /** Every webhook call of the response agent and the operator alerts. */
  readonly onPage?: (page: Page) => void;
}

export interface RunningDemo {
  readonly dashboardUrl: string;
  /** The operator the demo made, to sign in to the dashboard with. */
  readonly login: DemoLogin;
  /** Incidents a previous run left unresolved, closed at this start (see resolveStaleIncidents). */
  readonly closedAtStart: readonly Incident[];
  readonly cloud: CloudService;
  readonly edge: RunningDemoFleet;
  readonly pager: DemoPager;
  /** Approves the demo's second model version (if needed) and starts its rollout. */
  rollOut(): Promise<void>;
  stop(): Promise<void>;
}

/** The cloud's configuration for the demo workspace: every channel pages the local pager. */
export function demoCloudConfig(
  workspace: DemoWorkspace,
  edge: RunningDemoFleet,
  pager: DemoPager,
  port: number,
  speed: number,
): CloudConfig {
  return parseCloudConfig(
    {
      broker: {
        host: '127.0.0.1',
        port: edge.brokerPort,
        protocol: 'mqtt311',
        caPath: workspace.ca.certPath,
        certPath: workspace.service.certPath,
        keyPath: workspace.service.keyPath,
      },
      dataDir: join(workspace.dataDir, 'cloud'),
      http: { host: '127.0.0.1', port },
      zones: edge.zones,
      // Gateways play their scenarios `speed` times faster than life but stamp what they send on
      // the wall clock (edge/scaled-clock.ts): the cloud's windows shrink alike, so that "in alarm
      // for 60 s" and "3 anomalies in 5 min" mean the same stretch of a scenario as at 1×.
      analysis: { zoneWindowS: 120 / speed, historyWindowS: 300 / speed, sustainedAfterS: 60 / speed },
      registry: { store: workspace.registry.storeDir, catalogFile: workspace.registry.catalogFile },
      fleetKey: { privateKeyPath: workspace.offerKeys.privateKeyPath },
      response: {
        notify: [{ url: pager.url('notify') }],
        emergency: [{ url: pager.url('emergency') }],
        escalation: [{ url: pager.url('escalation') }],
        repeatEveryS: 60,
        escalateAfterS: 180,
      },
      alerts: { notify: [{ url: pager.url('operators') }], evaluateEveryS: 5, offlineAfterS: 60 },
      rollout: {
        canaryShare: 0.34,
        canaryTimeoutS: 120,
        fleetTimeoutS: 300,
        observation: { windowS: 15 },
      },
    },
    { baseDir: workspace.dataDir, env: {} },
  );
}

/**
 * The whole system on one machine: the embedded broker with mutual TLS,
 * simulated gateways (real edge agents on emulated serial lines playing
 * fires and nuisances), the cloud with its dashboard, and a local pager
 * standing in for the webhooks. Stops what it started if any step fails.
 */
export async function runDemo(options: DemoOptions = {}): Promise<RunningDemo> {
  const logger = options.logger ?? silentLogger();
  const pager = new DemoPager(options.onPage ?? (() => undefined));
  await pager.start();
  let edge: RunningDemoFleet | undefined;
  let cloud: CloudService | undefined;
  let login: DemoLogin;
  let stale: Incident[];
  try {
    edge = await runDemoFleet({
      gateways: options.devices ?? 3,
      brokerPort: options.brokerPort ?? 0,
      logger,
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
      ...(options.speed === undefined ? {} : { speed: options.speed }),
      ...(options.transport === undefined ? {} : { transport: options.transport }),
      ...(options.socatPath === undefined ? {} : { socatPath: options.socatPath }),
    });
    const config = demoCloudConfig(edge.workspace, edge, pager, options.port ?? 8080, options.speed ?? 10);
    cloud = await CloudService.create({ config, logger });
    stale = resolveStaleIncidents(config, logger);
    await cloud.start();
    for (const incident of stale) {
      await cloud.access.record(DEMO_ACTOR, 'resolved', incident.id, `unknown: ${STALE_INCIDENT_NOTE}`);
    }
    login = await ensureDemoOperator(cloud, edge.workspace.dataDir);
  } catch (error) {
    await cloud?.stop();
    await edge?.stop();
    await pager.stop();
    throw error;
  }
  const running = { cloud, edge };
  const rollOut = async (): Promise<void> => {
    const registry = running.cloud.models?.registry;
    const version = running.edge.workspace.registry.rolloutVersion;
    if (registry === undefined) return;
    const record = (await registry.list()).find((m) => m.version === version);
    const reason = 'the demo rolls out a second release';
    if (record?.status === 'candidate') {
      await registry.approve(version, { by: 'demo', reason });
      await running.cloud.access.record(DEMO_ACTOR, 'approved', version, reason);
    }
    const rollout = await running.cloud.models?.rollout?.start({
      version,
      canaryShare: running.cloud.config.rollout.canaryShare,
    });
    if (rollout !== undefined) {
      const share = Math.round(rollout.canaryShare * 100);
      await running.cloud.access.record(
        DEMO_ACTOR,
        'rollout-started',
        version,
        `rollout ${rollout.id}, canary ${share} %`,
      );
    }
  };
  const rolloutAfterS = options.rolloutAfterS ?? 90;
  const timer =
    rolloutAfterS > 0
      ? setTimeout(() => {
          rollOut().catch((error: unknown) => logger.warn({ err: error }, 'demo rollout not started'));
        }, rolloutAfterS * 1000)
      : undefined;
  let stopping: Promise<void> | undefined;
  return {
    dashboardUrl: cloud.url,
    login,
    closedAtStart: stale,
    cloud,
    edge,
    pager,
    rollOut,
    stop() {
      stopping ??= (async () => {
        clearTimeout(timer);
        // Gateways first, then the cloud, then the broker both use: nothing sees a peer vanish under it.
        try {
          await running.edge.stopFleet();
          await running.cloud.stop();
        } finally {
          await running.edge.stop();
          await pager.stop();
        }
      })();
      return stopping;
    },
  };
}
