import { dirname, isAbsolute, resolve } from 'node:path';
import { badConfig, parseConfigSection, readConfigFile } from '../../shared/config/config-file.js';
import { isEmberError } from '../../shared/errors.js';
import { parseStoreTarget } from '../../shared/object-store/open-object-store.js';
import { CloudConfigSchema, type CloudConfig } from './cloud-config-schema.js';

export { CloudConfigSchema, type CloudConfig, type CloudConfigInput } from './cloud-config-schema.js';

/** The environment variables that override the file, and the field each one sets. */
export const CLOUD_ENVIRONMENT = {
  EMBERWATCH_BROKER_HOST: 'broker.host',
  EMBERWATCH_BROKER_PORT: 'broker.port',
  EMBERWATCH_BROKER_PROTOCOL: 'broker.protocol',
  EMBERWATCH_BROKER_SHARED_GROUP: 'broker.sharedGroup',
  EMBERWATCH_BROKER_CLIENT_ID: 'broker.clientId',
  EMBERWATCH_CLOUD_DATA_DIR: 'dataDir',
  EMBERWATCH_CLOUD_DATABASE: 'database',
  EMBERWATCH_CLOUD_HTTP_HOST: 'http.host',
  EMBERWATCH_CLOUD_HTTP_PORT: 'http.port',
  EMBERWATCH_CLOUD_PUBLIC_URL: 'http.publicBaseUrl',
} as const;

const PORTS: ReadonlySet<string> = new Set(['EMBERWATCH_BROKER_PORT', 'EMBERWATCH_CLOUD_HTTP_PORT']);
const PORT = /^\d{1,5}$/;

export interface CloudConfigContext {
  /** EMBERWATCH_* overrides; none by default. */
  readonly env?: NodeJS.ProcessEnv;
  /** Folder relative paths in the file resolve against: the config file's folder. Default: working directory. */
  readonly baseDir?: string;
  /** Folder relative paths in the environment resolve against. Default: working directory. */
  readonly cwd?: string;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** Applies the EMBERWATCH_* overrides onto the decoded file, before validation. Pure. */
export function applyCloudEnvironment(raw: unknown, env: NodeJS.ProcessEnv, cwd: string): unknown {
  const root = record(raw);
  if (root === undefined) return raw;
  const config: Record<string, unknown> = { ...root };
  for (const [name, field] of Object.entries(CLOUD_ENVIRONMENT)) {
    const value = env[name];
    if (value === undefined) continue;
    let typed: string | number = value;
    if (PORTS.has(name)) {
      if (!PORT.test(value)) throw badConfig(name, `not a port number: ${JSON.stringify(value)}`);
      typed = Number(value);
    }
    if (field === 'dataDir') typed = resolve(cwd, value);
    const [section, key] = field.split('.');
    if (section === undefined) continue;
    if (key === undefined) {
      config[section] = typed;
    } else {
      config[section] = { ...(record(config[section]) ?? {}), [key]: typed };
    }
  }
  return config;
}

function absolute(base: string, path: string): string {
  return isAbsolute(path) ? path : resolve(base, path);
}

/** A folder target becomes an absolute folder; file:// and s3:// URLs stay as they are (but must parse). */
function storeTarget(base: string, target: string, where: string): string {
  try {
    const parsed = parseStoreTarget(target, base);
    return parsed.kind === 'folder' && !/^[A-Za-z][A-Za-z0-9+.-]+:\/\//.test(target) ? parsed.root : target;
  } catch (error) {
    throw badConfig(where, isEmberError(error) ? error.message : String(error), error);
  }
}

/** Makes every relative path of a validated config absolute against `base`. Pure. */
export function resolveCloudPaths(config: CloudConfig, base: string): CloudConfig {
  const { broker, registry, fleetKey, learning, http } = config;
  return {
    ...config,
    http:
      http.tls === undefined
        ? http
        : {
            ...http,
            tls: { certPath: absolute(base, http.tls.certPath), keyPath: absolute(base, http.tls.keyPath) },
          },
    broker: {
      ...broker,
      caPath: absolute(base, broker.caPath),
      certPath: absolute(base, broker.certPath),
      keyPath: absolute(base, broker.keyPath),
    },
    dataDir: absolute(base, config.dataDir),
    ...(registry === undefined
      ? {}
      : {
          registry: {
            store: storeTarget(base, registry.store, 'registry.store'),
            ...(registry.catalogFile === undefined
              ? {}
              : { catalogFile: absolute(base, registry.catalogFile) }),
          },
        }),
    ...(fleetKey === undefined
      ? {}
      : { fleetKey: { privateKeyPath: absolute(base, fleetKey.privateKeyPath) } }),
    learning: {
      ...learning,
      ...(learning.fieldDataDir === undefined ? {} : { fieldDataDir: absolute(base, learning.fieldDataDir) }),
      ...(learning.trainingData === undefined
        ? {}
        : { trainingData: storeTarget(base, learning.trainingData, 'learning.trainingData') }),
      ...(learning.heldOutData === undefined
        ? {}
        : { heldOutData: storeTarget(base, learning.heldOutData, 'learning.heldOutData') }),
    },
  };
}

/**
 * Validates a decoded config file: applies the environment, checks the
 * schema and resolves relative paths. Throws EMBER_ERR_BAD_CONFIG naming the
 * first bad field path in one line.
 */
export function parseCloudConfig(raw: unknown, context: CloudConfigContext = {}): CloudConfig {
  const cwd = context.cwd ?? process.cwd();
  const config = parseConfigSection(CloudConfigSchema, applyCloudEnvironment(raw, context.env ?? {}, cwd));
  return resolveCloudPaths(config, context.baseDir ?? cwd);
}

/** Reads a YAML (.yaml/.yml) or JSON file, applies the environment, validates it and resolves its paths. */
export async function loadCloudConfig(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CloudConfig> {
  const raw = await readConfigFile(path);
  return parseCloudConfig(raw, { env, baseDir: dirname(resolve(path)) });
}
