import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AgentConfigInput } from '../edge/config/agent-config.js';
import { generateOfferKeys } from '../shared/model/model-signature.js';
import type { KitDeviceInfo } from '../simulators/devices/start-kit.js';
import type { BenchBroker } from './bench-broker.js';

/**
 * What a benchmark needs to run a real edge agent: the shipped model
 * installed as the active model, a fleet key, the device's certificate
 * from the bench broker's CA, and an agent config that sets only what a
 * gateway's config must (device, sensors, broker, model, outbox, status
 * port); everything else is the product's default unless `overrides` says.
 */
export interface AgentWorkspace {
  readonly config: AgentConfigInput;
  /** The config written as JSON, for `emberwatch edge --config`. */
  readonly configPath: string;
  readonly modelVersion: string;
}

/** Copies the shipped model into `root` as its active model, as an installed offer would leave it. */
export function installDefaultModel(root: string): string {
  const source = fileURLToPath(new URL('../../models/default', import.meta.url));
  const manifest = JSON.parse(readFileSync(join(source, 'manifest.json'), 'utf8')) as { version: string };
  mkdirSync(join(root, 'versions'), { recursive: true });
  cpSync(source, join(root, 'versions', 'default'), { recursive: true });
  const entry = { dir: 'default', version: manifest.version, offerId: 'bundled' };
  writeFileSync(join(root, 'state.json'), JSON.stringify({ active: entry, previous: null }));
  return manifest.version;
}

export async function agentWorkspace(
  broker: BenchBroker,
  deviceId: string,
  devices: readonly KitDeviceInfo[],
  dir: string,
  overrides: Partial<AgentConfigInput> = {},
): Promise<AgentWorkspace> {
  mkdirSync(dir, { recursive: true });
  const modelsDir = join(dir, 'models');
  const modelVersion = installDefaultModel(modelsDir);
  const keyPath = join(dir, 'fleet.pem');
  writeFileSync(keyPath, generateOfferKeys().publicKeyPem);
  const files = await broker.deviceFiles(deviceId);
  const config: AgentConfigInput = {
    deviceId,
    sensors: devices.map((d) => ({ id: d.id, protocol: d.protocol, path: d.path, baud: d.baud })),
    broker: { host: '127.0.0.1', port: broker.port, ...files },
    model: { dir: modelsDir, fleetPublicKeyPath: keyPath },
    outbox: { path: join(dir, 'outbox.db') },
    status: { host: '127.0.0.1', port: 0 },
    ...overrides,
  };
  const configPath = join(dir, 'agent.json');
  writeFileSync(configPath, JSON.stringify(config));
  return { config, configPath, modelVersion };
}
