import { SERVICE_CLIENT_PREFIX } from './fleet-provisioning.js';

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

/** The MQTT 5 shared subscription group the workers split the devices' messages in. */
export const WORKER_GROUP = 'cloud';

/**
 * How long IoT Core keeps a worker's session while it is away, seconds:
 * IoT Core's default maximum (an account setting, up to 7 days).
 */
export const WORKER_SESSION_EXPIRY_S = 3600;

/**
 * The CA bundle libpq checks the database's certificate against
 * (`sslmode=verify-full`): RDS's, which the image must carry
 * (https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem).
 */
export const RDS_CA_BUNDLE = '/etc/ssl/certs/rds-global-bundle.pem';

/** Environment variable → field of the database's generated secret; libpq reads both itself. */
export const DATABASE_SECRET_FIELDS = { PGUSER: 'username', PGPASSWORD: 'password' } as const;

/**
 * Field of the cloud's `secrets.json` → the environment variable that
 * brings it: every worker must sign webhooks, CSRF tokens and model URLs
 * with the same keys, whichever worker the load balancer picks.
 */
export const SHARED_KEY_VARIABLES = {
  webhookSecret: 'EMBERWATCH_WEBHOOK_SECRET',
  csrfKey: 'EMBERWATCH_CSRF_KEY',
  modelGrantKey: 'EMBERWATCH_MODEL_GRANT_KEY',
} as const;

/**
 * A worker's command: the shared keys into its `secrets.json` (the
 * cloud reads it as its own), a one-line refusal when the image lacks
 * the database's CA, then the same start as one task.
 */
export const WORKER_START = CONTAINER_START.replace(
  'exec emberwatch cloud',
  [
    `[ -r ${RDS_CA_BUNDLE} ] || { echo "emberwatch: ${RDS_CA_BUNDLE} is not in the image; the database's certificate cannot be checked" >&2; exit 1; }`,
    'mkdir -p "$EMBERWATCH_DATA_DIR"',
    `printf '{"webhookSecret":"%s","csrfKey":"%s","modelGrantKey":"%s"}\\n' ${Object.values(
      SHARED_KEY_VARIABLES,
    )
      .map((variable) => `"$${variable}"`)
      .join(' ')} > "$EMBERWATCH_DATA_DIR/secrets.json"`,
    'exec emberwatch cloud',
  ].join('\n'),
);

/** One of several workers sharing a PostgreSQL database (numbered from 1). */
export interface WorkerInputs {
  readonly index: number;
  readonly databaseHost: string;
  readonly databasePort: string;
  readonly databaseName: string;
}

export interface CloudConfigInputs {
  readonly iotEndpoint: string;
  readonly publicBaseUrl: string;
  readonly modelsBucket: string;
  readonly metricsNamespace: string;
  /** Absent: the single task, every store in SQLite on EFS. */
  readonly worker?: WorkerInputs;
}

/** A worker's MQTT client id: fixed per worker, so a replaced task takes over its session. */
export function workerClientId(index: number): string {
  return `${SERVICE_CLIENT_PREFIX}-${index}`;
}

/** A worker's own folder on the EFS volume: only that worker's task ever writes in it. */
export function workerDataDir(index: number): string {
  return `${DATA_DIR}/worker-${index}`;
}

/** The cloud configuration file's content on AWS (cloud/config/example.yaml explains each field). */
export function cloudConfigFor(inputs: CloudConfigInputs): Record<string, unknown> {
  const worker = inputs.worker;
  const dataDir = worker === undefined ? DATA_DIR : workerDataDir(worker.index);
  return {
    broker: {
      host: inputs.iotEndpoint,
      port: 8883,
      protocol: 'mqtt5',
      caPath: 'ca.crt',
      certPath: 'service.crt',
      keyPath: 'service.key',
      ...(worker === undefined
        ? {}
        : {
            sharedGroup: WORKER_GROUP,
            clientId: workerClientId(worker.index),
            sessionExpiryS: WORKER_SESSION_EXPIRY_S,
          }),
    },
    dataDir,
    // User and password come from the environment (PGUSER, PGPASSWORD), never from this file.
    ...(worker === undefined
      ? {}
      : {
          database:
            `postgres://${worker.databaseHost}:${worker.databasePort}/${worker.databaseName}` +
            `?sslmode=verify-full&sslrootcert=${RDS_CA_BUNDLE}`,
        }),
    // The load balancer ends TLS; the task listens on its own network interface only.
    http: { host: '0.0.0.0', port: 8080, publicBaseUrl: inputs.publicBaseUrl },
    // Workers keep the registry's catalogue in the database they share; one task keeps a SQLite file.
    registry: {
      store: `s3://${inputs.modelsBucket}/registry`,
      ...(worker === undefined ? { catalogFile: `${dataDir}/registry/catalog.db` } : {}),
    },
    fleetKey: { privateKeyPath: 'fleet-private.pem' },
    alerts: { cloudWatchNamespace: inputs.metricsNamespace },
    // One folder for every worker: only the holder of the learning lease writes field data, and the
    // next holder's retraining must find what the last one collected.
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
