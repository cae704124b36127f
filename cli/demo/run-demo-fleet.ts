import { readFile } from 'node:fs/promises';
import { EmbeddedBroker } from '../../cloud/broker/embedded-broker.js';
import { silentLogger, type Logger } from '../../shared/logging.js';
import { GatewayFleet } from '../../simulators/fleet/gateway-fleet.js';
import { fleetGateways, fleetZoneMap } from '../../simulators/fleet/fleet-zones.js';
import { edgeGatewayHost } from './edge-gateway.js';
import { DEFAULT_DEMO_DATA_DIR, prepareWorkspace, type DemoWorkspace } from './workspace.js';

export interface DemoFleetOptions {
  /** Default ./data/demo. */
  readonly dataDir?: string;
  /** 1-10 simulated gateways; default 3. */
  readonly gateways?: number;
  /** Emulated seconds per real second; default 10. */
  readonly speed?: number;
  /** Seeds the schedule after the opening runs; default 1. */
  readonly seed?: number;
  /** The embedded broker's port on 127.0.0.1; default 8883, 0 picks a free one. */
  readonly brokerPort?: number;
  /** Default: 'pty' when socat is found, else 'mock'. */
  readonly transport?: 'pty' | 'mock';
  /** The socat to run; default EMBERWATCH_SOCAT or the first socat on the PATH. */
  readonly socatPath?: string;
  /** 'shipped' (default): the gateways start with the shipped model; 'rules': without a model folder. */
  readonly model?: 'shipped' | 'rules';
  readonly telemetryIntervalS?: number;
  /** Where gateways fetch offered models by object key; the workspace's registry store by default. */
  readonly objectStore?: string;
  readonly shippedModelDir?: string;
  readonly logger?: Logger;
}

/** The broker and the fleet of a running demo, and where everything is on disk. */
export interface RunningDemoFleet {
  readonly brokerPort: number;
  /** `mqtts://127.0.0.1:<port>` */
  readonly brokerUrl: string;
  readonly workspace: DemoWorkspace;
  readonly fleet: GatewayFleet;
  /** Zone → gateway ids, as the fleet places them. */
  readonly zones: Record<string, string[]>;
  /** Stops the fleet (agents, emulators, socat), then the broker. */
  stop(): Promise<void>;
  /** Stops the fleet alone, leaving the broker up for whoever else is connected (the cloud). */
  stopFleet(): Promise<void>;
}

/**
 * The demo's edge half: prepares the workspace, starts the embedded broker
 * with mutual TLS on 127.0.0.1, and starts the gateway fleet, each gateway a
 * real edge agent. On a failure it stops what it started and rethrows.
 */
export async function runDemoFleet(options: DemoFleetOptions = {}): Promise<RunningDemoFleet> {
  const logger = options.logger ?? silentLogger();
  const count = options.gateways ?? 3;
  const gateways = fleetGateways(count);
  const workspace = await prepareWorkspace(options.dataDir ?? DEFAULT_DEMO_DATA_DIR, {
    devices: gateways.map((g) => g.id),
    logger,
    ...(options.shippedModelDir === undefined ? {} : { shippedModelDir: options.shippedModelDir }),
  });
  const [caPem, keyPem, certPem] = await Promise.all([
    readFile(workspace.ca.certPath, 'utf8'),
    readFile(workspace.broker.keyPath, 'utf8'),
    readFile(workspace.broker.certPath, 'utf8'),
  ]);
  const broker = new EmbeddedBroker({
    caPem,
    server: { keyPem, certPem },
    host: '127.0.0.1',
    port: options.brokerPort ?? 8883,
    logger,
  });
  await broker.start();
  const fleet = new GatewayFleet({
    gateways: count,
    ...(options.speed === undefined ? {} : { speed: options.speed }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.transport === undefined ? {} : { transport: options.transport }),
    ...(options.socatPath === undefined ? {} : { socatPath: options.socatPath }),
    logger,
    startHost: edgeGatewayHost({
      workspace,
      brokerPort: broker.port,
      logger,
      ...(options.model === undefined ? {} : { model: options.model }),
      ...(options.telemetryIntervalS === undefined ? {} : { telemetryIntervalS: options.telemetryIntervalS }),
      ...(options.objectStore === undefined ? {} : { objectStore: options.objectStore }),
    }),
  });
  try {
    await fleet.start();
  } catch (error) {
    await broker.stop();
    throw error;
  }
  let stopping: Promise<void> | undefined;
  let fleetStopping: Promise<void> | undefined;
  const stopFleet = (): Promise<void> => (fleetStopping ??= fleet.stop());
  return {
    brokerPort: broker.port,
    brokerUrl: broker.url,
    workspace,
    fleet,
    zones: fleetZoneMap(count),
    stopFleet,
    stop() {
      stopping ??= (async () => {
        try {
          await stopFleet();
        } finally {
          await broker.stop();
        }
      })();
      return stopping;
    },
  };
}
