import { join } from 'node:path';
import { EdgeAgent } from '../../edge/agent.js';
import { seedModelFolder } from '../../edge/model/initial-model.js';
import { parseAgentConfig } from '../../edge/config/agent-config.js';
import { bindingSerialLines, systemSerialLines } from '../../edge/sensors/serial-line.js';
import { EmberError } from '../../shared/errors.js';
import { silentLogger, type Logger } from '../../shared/logging.js';
import type { GatewayHostFactory } from '../../simulators/fleet/gateway-fleet.js';
import type { DemoWorkspace, WorkspaceDevice } from './workspace.js';

export { FACTORY_OFFER_ID, seedModelFolder } from '../../edge/model/initial-model.js';

export interface EdgeGatewayOptions {
  readonly workspace: DemoWorkspace;
  readonly brokerPort: number;
  /** 'shipped' (default): each gateway starts with the shipped model installed; 'rules': no model folder. */
  readonly model?: 'shipped' | 'rules';
  /**
   * The object store (folder or s3://) the agent fetches offered models by
   * object key from, and puts large thermal snapshots in (`snapshots/<id>/`):
   * the workspace's registry store by default, as gateways with read access
   * to the registry's bucket would. Offers with a URL source need none.
   */
  readonly objectStore?: string;
  /** Emulated seconds between telemetry records (default 10). */
  readonly telemetryIntervalS?: number;
  readonly logger?: Logger;
}

function deviceOf(workspace: DemoWorkspace, deviceId: string): WorkspaceDevice {
  const device = workspace.devices.find((d) => d.deviceId === deviceId);
  if (device === undefined) {
    throw new EmberError(
      'EMBER_ERR_BAD_OPTION',
      `gateway ${deviceId} has no certificate in ${workspace.dataDir}; prepare the workspace with it`,
    );
  }
  return device;
}

/**
 * What runs on each simulated gateway of the demo: a real edge agent reading
 * the gateway's emulated modules, connecting to the broker with its own
 * device certificate, trusting the fleet's offer key, with its models folder
 * and outbox under `<data>/gateways/<id>/`, its clock scaled to the fleet's.
 */
export function edgeGatewayHost(options: EdgeGatewayOptions): GatewayHostFactory {
  const logger = options.logger ?? silentLogger();
  return async ({ gateway, devices, bus, speed }) => {
    const device = deviceOf(options.workspace, gateway.id);
    const modelsDir = join(device.stateDir, 'models');
    const withModel = (options.model ?? 'shipped') === 'shipped';
    if (withModel) await seedModelFolder(modelsDir, options.workspace.shippedModelDir);
    const config = parseAgentConfig({
      deviceId: gateway.id,
      sensors: devices.map((d) => ({ id: d.id, protocol: d.protocol, path: d.path, baud: d.baud })),
      broker: {
        host: '127.0.0.1',
        port: options.brokerPort,
        protocol: 'mqtt311',
        caPath: options.workspace.ca.certPath,
        certPath: device.certPath,
        keyPath: device.keyPath,
        flowControl: 'none',
      },
      ...(withModel
        ? { model: { dir: modelsDir, fleetPublicKeyPath: options.workspace.offerKeys.publicKeyPath } }
        : {}),
      outbox: { path: join(device.stateDir, 'outbox.db') },
      status: { host: '127.0.0.1', port: 0 },
      telemetryIntervalS: options.telemetryIntervalS ?? 10,
      snapshotStore: options.objectStore ?? options.workspace.registry.storeDir,
    });
    const agent = await EdgeAgent.create({
      config,
      logger,
      lines: bus === undefined ? systemSerialLines() : bindingSerialLines(bus.binding),
      timeScale: speed,
      reconnect: { minMs: 500, maxMs: 5000 },
      softwareVersion: 'emberwatch-demo',
    });
    try {
      await agent.start();
    } catch (error) {
      await agent.stop();
      throw error;
    }
    return agent;
  };
}
