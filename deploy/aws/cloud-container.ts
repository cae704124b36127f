/**
 * What the cloud's container runs: its configuration (no secrets in it) and
 * the start command that puts the secrets ECS hands over as environment
 * variables into files for `emberwatch cloud`. Pure: the stack and the
 * tests read the same values.
 */

/** Environment variable → field of the Secrets Manager secret's JSON. */
export const SECRET_FIELDS = {
  EMBERWATCH_BROKER_CA: 'caCert',
  EMBERWATCH_SERVICE_CERT: 'serviceCert',
  EMBERWATCH_SERVICE_KEY: 'serviceKey',
  EMBERWATCH_FLEET_KEY: 'fleetKey',
} as const;

/**
 * The container's command (`/bin/sh -c`): credentials into owner-only files
 * in a fresh folder beside the config, then `exec` so the cloud is PID 1's
 * child no more and gets ECS's SIGTERM itself. The config's file paths are
 * relative, so they resolve against that folder.
 */
export const CONTAINER_START = [
  'set -eu',
  'umask 077',
  'dir=$(mktemp -d)',
  'printf "%s\\n" "$EMBERWATCH_BROKER_CA" > "$dir/ca.crt"',
  'printf "%s\\n" "$EMBERWATCH_SERVICE_CERT" > "$dir/service.crt"',
  'printf "%s\\n" "$EMBERWATCH_SERVICE_KEY" > "$dir/service.key"',
  'printf "%s\\n" "$EMBERWATCH_FLEET_KEY" > "$dir/fleet-private.pem"',
  'printf "%s" "$EMBERWATCH_CLOUD_CONFIG" > "$dir/cloud.json"',
  'exec emberwatch cloud --config "$dir/cloud.json"',
].join('\n');

/** Where the task keeps its SQLite files: the EFS volume. */
export const DATA_DIR = '/data';

export interface CloudConfigInputs {
  readonly iotEndpoint: string;
  readonly publicBaseUrl: string;
  readonly modelsBucket: string;
  readonly metricsNamespace: string;
}

/** The cloud configuration file's content on AWS (cloud/config/example.yaml explains each field). */
export function cloudConfigFor(inputs: CloudConfigInputs): Record<string, unknown> {
  return {
    broker: {
      host: inputs.iotEndpoint,
      port: 8883,
      protocol: 'mqtt5',
      caPath: 'ca.crt',
      certPath: 'service.crt',
      keyPath: 'service.key',
    },
    dataDir: DATA_DIR,
    // The load balancer ends TLS; the task listens on its own network interface only.
    http: { host: '0.0.0.0', port: 8080, publicBaseUrl: inputs.publicBaseUrl },
    registry: {
      store: `s3://${inputs.modelsBucket}/registry`,
      catalogFile: `${DATA_DIR}/registry/catalog.db`,
    },
    fleetKey: { privateKeyPath: 'fleet-private.pem' },
    alerts: { cloudWatchNamespace: inputs.metricsNamespace },
    learning: { fieldDataDir: `${DATA_DIR}/field-data` },
  };
}

/** An image in a private ECR repository: the task's execution role must be allowed to pull it. */
export interface EcrImage {
  readonly account: string;
  readonly region: string;
  readonly repository: string;
  /** A tag, or a digest `sha256:…`. */
  readonly tagOrDigest: string;
}

const ECR_IMAGE =
  /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([a-z0-9][a-z0-9._/-]*)(?::([\w][\w.-]{0,127})|@(sha256:[a-f0-9]{64}))?$/;

/** Reads `<account>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag|@digest]`; undefined for any other registry. */
export function ecrImage(uri: string): EcrImage | undefined {
  const match = ECR_IMAGE.exec(uri);
  if (match === null) return undefined;
  const [, account = '', region = '', repository = '', tag, digest] = match;
  return { account, region, repository, tagOrDigest: digest ?? tag ?? 'latest' };
}
