import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ModelRegistry } from '../../factory/registry/model-registry.js';
import { findPackageFile } from '../../shared/package-files.js';
import { EmberError } from '../../shared/errors.js';
import { silentLogger, type Logger } from '../../shared/logging.js';
import { openObjectStore } from '../../shared/object-store/index.js';
import { ensureCa } from '../../shared/pki/certificate-authority.js';
import {
  issueDeviceCertificate,
  issueServerCertificate,
  issueServiceCertificate,
} from '../../shared/pki/issue-certificate.js';
import { parseDeviceId } from '../../shared/topics.js';
import { prepareDemoModels, readShippedModel } from './demo-models.js';
import { ensureOfferKeys, type OfferKeyFiles } from './offer-keys.js';
import { ensureIssued, type KeyAndCertificatePaths } from './workspace-pki.js';

/** The demo's data folder when none is given. */
export const DEFAULT_DEMO_DATA_DIR = './data/demo';
/** The cloud's client identity (OU = service) in the demo. */
export const DEMO_SERVICE_NAME = 'cloud';
/** Names the broker's certificate is valid for: the demo listens on loopback only. */
export const DEMO_BROKER_HOSTNAMES = ['localhost', '127.0.0.1'] as const;

export interface PrepareWorkspaceOptions {
  /** Device ids of the gateways to give certificates to. */
  readonly devices: readonly string[];
  /** The trained model folder to register; models/default of this checkout by default. */
  readonly shippedModelDir?: string;
  readonly logger?: Logger;
}

/** A gateway's identity and the folder its agent keeps its state in. */
export interface WorkspaceDevice extends KeyAndCertificatePaths {
  readonly deviceId: string;
  /** `<data>/gateways/<id>`: the agent's models folder and outbox go here. */
  readonly stateDir: string;
}

/** Every path of a prepared demo workspace. */
export interface DemoWorkspace {
  /** Absolute path of the data folder. */
  readonly dataDir: string;
  readonly ca: { readonly dir: string; readonly certPath: string; readonly keyPath: string };
  /** The embedded broker's server certificate (localhost, 127.0.0.1). */
  readonly broker: KeyAndCertificatePaths;
  /** The cloud's client certificate, OU = service, CN = {@link DEMO_SERVICE_NAME}. */
  readonly service: KeyAndCertificatePaths & { readonly name: string };
  readonly devices: readonly WorkspaceDevice[];
  readonly offerKeys: OfferKeyFiles;
  readonly registry: {
    /** Folder object store holding models/… and experiments/…. */
    readonly storeDir: string;
    /** SQLite catalogue (where `emberwatch registry --registry <storeDir>` looks for it). */
    readonly catalogFile: string;
    /** The shipped model: approved, current unless a later decision changed that. */
    readonly defaultVersion: string;
    /** A second version of the same trees, registered as a candidate for the rollout. */
    readonly rolloutVersion: string;
  };
  /** The trained model folder the registry was seeded from (gateways start with it installed). */
  readonly shippedModelDir: string;
}

/**
 * models/default of this checkout, found by walking up from this file so
 * that it works from the sources and from dist/ alike.
 */
export function findShippedModelDir(): string {
  const manifest = findPackageFile('models/default/manifest.json');
  if (manifest === undefined) {
    throw new EmberError(
      'EMBER_ERR_MODEL_LOAD',
      'models/default (the shipped model) is not in any folder above the command line',
    );
  }
  return dirname(manifest);
}

/** Opens the registry in `storeDir`, runs `use` and closes it again. */
async function withRegistry<T>(
  storeDir: string,
  catalogFile: string,
  logger: Logger,
  use: (registry: ModelRegistry) => Promise<T>,
): Promise<T> {
  await mkdir(storeDir, { recursive: true });
  const store = openObjectStore(storeDir);
  const registry = new ModelRegistry({ store, catalogFile, logger });
  try {
    try {
      await registry.start();
    } catch (error) {
      if (error instanceof EmberError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new EmberError('EMBER_ERR_REGISTRY_CORRUPT', `${catalogFile}: ${reason}`, { cause: error });
    }
    return await use(registry);
  } finally {
    await registry.stop();
    await store.close();
  }
}

/**
 * Provisions the demo in `dataDir` (default ./data/demo), creating what is
 * missing and reusing what is there: the local CA, the broker's server
 * certificate, the cloud's service certificate, a device certificate per
 * gateway, the fleet's offer-signing keys, and a model registry with the
 * shipped model approved and a second version of it as a candidate.
 * Certificates are renewed only when about to expire; keys never change.
 * A damaged file is a one-line error naming it (EMBER_ERR_PKI,
 * EMBER_ERR_SIGNING_KEY, EMBER_ERR_REGISTRY_*), never silently replaced.
 */
export async function prepareWorkspace(
  dataDir: string = DEFAULT_DEMO_DATA_DIR,
  options: PrepareWorkspaceOptions,
): Promise<DemoWorkspace> {
  const logger = (options.logger ?? silentLogger()).child({ component: 'demo-workspace' });
  const root = resolve(dataDir);
  const deviceIds = options.devices.map((id) => parseDeviceId(id));
  await mkdir(root, { recursive: true, mode: 0o700 });

  const caDir = join(root, 'ca');
  const ca = await ensureCa(caDir);
  const broker = await ensureIssued(
    ca,
    join(root, 'broker'),
    'server',
    { role: 'server', hostnames: DEMO_BROKER_HOSTNAMES },
    () => issueServerCertificate(ca, DEMO_BROKER_HOSTNAMES),
    logger,
  );
  const service = await ensureIssued(
    ca,
    join(root, 'services'),
    DEMO_SERVICE_NAME,
    { role: 'service', commonName: DEMO_SERVICE_NAME },
    () => issueServiceCertificate(ca, DEMO_SERVICE_NAME),
    logger,
  );
  const devices: WorkspaceDevice[] = [];
  for (const deviceId of deviceIds) {
    const paths = await ensureIssued(
      ca,
      join(root, 'devices'),
      deviceId,
      { role: 'device', commonName: deviceId },
      () => issueDeviceCertificate(ca, deviceId),
      logger,
    );
    const stateDir = join(root, 'gateways', deviceId);
    await mkdir(stateDir, { recursive: true });
    devices.push({ deviceId, ...paths, stateDir });
  }
  const offerKeys = await ensureOfferKeys(join(root, 'fleet-keys'));

  const shippedModelDir = resolve(options.shippedModelDir ?? findShippedModelDir());
  const shipped = await readShippedModel(shippedModelDir);
  const storeDir = join(root, 'registry');
  const catalogFile = join(storeDir, 'catalog.sqlite');
  const models = await withRegistry(storeDir, catalogFile, logger, (registry) =>
    prepareDemoModels(registry, shipped, logger),
  );
  logger.info({ dataDir: root, devices: deviceIds.length, ...models }, 'demo workspace ready');
  return {
    dataDir: root,
    ca: { dir: caDir, certPath: ca.certPath, keyPath: ca.keyPath },
    broker,
    service: { ...service, name: DEMO_SERVICE_NAME },
    devices,
    offerKeys,
    registry: { storeDir, catalogFile, ...models },
    shippedModelDir,
  };
}
