/**
 * Every error Emberwatch raises on purpose, with a stable code. Callers branch
 * on `code`, never on the message text.
 */
export const ErrorCodes = {
  EMBER_ERR_BAD_OPTION: 'a command-line option is missing or invalid',
  EMBER_ERR_BAD_CONFIG: 'a configuration file or field is invalid',
  EMBER_ERR_FILE_UNREADABLE: 'a file could not be read',
  EMBER_ERR_FILE_UNWRITABLE: 'a file could not be written',
  EMBER_ERR_UNKNOWN_PROTOCOL: 'no codec exists for the protocol named',
  EMBER_ERR_BAD_FRAME_VALUES: 'values cannot be encoded into a frame',
  EMBER_ERR_SERIAL_OPEN: 'a serial port could not be opened',
  EMBER_ERR_SERIAL_CLOSED: 'a serial port closed while in use',
  EMBER_ERR_SERIAL_WRITE: 'a write to a serial port failed',
  EMBER_ERR_PTY: 'a pseudo-terminal pair could not be created',
  EMBER_ERR_NOT_STARTED: 'a component was used before start() or after stop()',
  EMBER_ERR_BAD_SCENARIO: 'a scenario or its parameters are invalid',
  EMBER_ERR_BAD_RUN: 'a generated run failed validation',
  EMBER_ERR_BAD_CHART: 'a chart or thermal image specification is invalid',
  EMBER_ERR_RENDER: 'an image could not be rendered or composed',
  EMBER_ERR_STORE: 'an object store operation failed',
  EMBER_ERR_BAD_TRAINING_DATA: 'training data (features, labels, weights, groups) is inconsistent',
  EMBER_ERR_BAD_HYPERPARAMETERS: 'model training hyperparameters are invalid',
  EMBER_ERR_BAD_MODEL: 'a trained model is malformed or does not fit its input',
  EMBER_ERR_STORE_NOT_FOUND: 'no object is stored under the key asked for',
  EMBER_ERR_STORE_BAD_KEY: 'an object key or prefix is not a safe relative path',
  EMBER_ERR_STORE_BAD_TARGET: 'an object store target is not a folder, file:// URL or s3:// URL',
  EMBER_ERR_CATALOG_OPEN: 'a SQLite database could not be opened or configured',
  EMBER_ERR_CATALOG_MIGRATION: 'a schema migration is invalid or failed',
  EMBER_ERR_CATALOG_TOO_NEW: 'a database schema is newer than this software knows',
  EMBER_ERR_DATABASE: 'a PostgreSQL connection or statement failed',
  EMBER_ERR_BAD_DEVICE_ID: 'a device id is not 1-64 characters of A-Z a-z 0-9 _ - :',
  EMBER_ERR_PKI: 'a certificate authority, key or certificate is missing, unreadable or inconsistent',
  EMBER_ERR_PROVISIONING: 'fleet provisioning refused a request or could not complete it',
  EMBER_ERR_BROKER_LISTEN: 'the embedded MQTT broker could not listen on its address',
  EMBER_ERR_OUTBOX_OPEN: 'the outbox database could not be opened, configured or migrated',
  EMBER_ERR_OUTBOX_WRITE: 'the outbox could not commit a write (disk full, I/O error)',
  EMBER_ERR_OUTBOX_FULL:
    'the outbox quota is used up by messages that may not be evicted; the message was refused',
  EMBER_ERR_OUTBOX_HARD_LIMIT: 'the outbox reached its hard ceiling; even alarms and anomalies are refused',
  EMBER_ERR_OUTBOX_BAD_MESSAGE: 'a message offered to the outbox is invalid (priority, topic, payload)',
  EMBER_ERR_OUTBOX_RECORD_TOO_LARGE: 'a telemetry record alone exceeds the message size cap',
  EMBER_ERR_PUBLISH_TIMEOUT: 'the broker did not acknowledge a publish in time',
  EMBER_ERR_LINK_OFFLINE: 'the MQTT link is down or dropped before the PUBACK; a retry may succeed',
  EMBER_ERR_LINK_PUBLISH: 'the broker refused a publish (negative PUBACK) or the MQTT client failed it',
  EMBER_ERR_LINK_SUBSCRIBE: 'the broker refused a subscription of the MQTT link',
  EMBER_ERR_MODEL_MANIFEST: 'a model manifest is missing, unreadable or fails its schema',
  EMBER_ERR_MODEL_FEATURES: 'a model was trained on another feature set than the one this software computes',
  EMBER_ERR_MODEL_CHECKSUM: 'a model or manifest does not match the SHA-256 it was announced with',
  EMBER_ERR_MODEL_LOAD:
    'ONNX Runtime could not load a model, or it lacks the input or output its manifest names',
  EMBER_ERR_MODEL_REFERENCE: 'a model does not reproduce the reference probabilities of its manifest',
  EMBER_ERR_MODEL_INPUT: 'a feature vector given to a model has the wrong length',
  EMBER_ERR_MODEL_INFERENCE: 'running a model failed or gave a probability outside [0, 1]',
  EMBER_ERR_MODEL_CLOSED: 'a model was used after close()',
  EMBER_ERR_BAD_OFFER: 'a model offer is malformed, not for this device, or inconsistent with its manifest',
  EMBER_ERR_OFFER_SIGNATURE: 'a model offer is unsigned, signed by an unknown key, or altered after signing',
  EMBER_ERR_OFFER_STALE:
    'a model offer has expired, or is no higher in sequence than one the device already accepted (a replay)',
  EMBER_ERR_OFFER_FUTURE: "a model offer is dated too far ahead of the device's clock (a clock fault)",
  EMBER_ERR_SIGNING_KEY: 'a key is not a valid Ed25519 key in PEM form',
  EMBER_ERR_MODEL_DOWNLOAD: 'a model could not be fetched (network, HTTP status, timeout or size limit)',
  EMBER_ERR_MODEL_INSTALL: 'a model could not be written to, or read back from, the models folder',
  EMBER_ERR_REGISTRY_BAD_INPUT:
    'a model, manifest, evaluation, experiment or decision offered to the registry is invalid',
  EMBER_ERR_REGISTRY_CHECKSUM: 'model bytes do not match the sha256 their manifest states',
  EMBER_ERR_REGISTRY_CONFLICT: 'a different model is already registered under that version',
  EMBER_ERR_REGISTRY_NOT_FOUND: 'no model is registered under the version asked for',
  EMBER_ERR_REGISTRY_TRANSITION: 'a model cannot move from its current status to the one asked for',
  EMBER_ERR_REGISTRY_GATE_REFUSED: 'the approval gate did not pass the model, or its verdict is stale',
  EMBER_ERR_REGISTRY_BUSY:
    'another registry kept the model locked longer than a registration or decision waits',
  EMBER_ERR_REGISTRY_CORRUPT: 'a stored registry object is unreadable or fails its schema',
  EMBER_ERR_FEATURES_WRITE: 'feature rows could not be computed, written as Parquet or uploaded',
  EMBER_ERR_FEATURES_QUERY: 'an SQL query over the feature store failed',
  EMBER_ERR_EVALUATION: 'a dataset could not be evaluated: no validated runs, or a run failed to score',
  EMBER_ERR_BAD_CSV: 'a CSV file is empty, has an unknown column, a non-numeric cell or time going backwards',
  EMBER_ERR_STATUS_LISTEN: "the edge agent's status server could not listen on its address",
  EMBER_ERR_BAD_DEVICE_CONFIG: 'a configuration message from the cloud is malformed or fails its schema',
  EMBER_ERR_CLOUD_BROKER: 'the cloud could not connect or subscribe to the broker',
  EMBER_ERR_CLOUD_MESSAGE: 'a message from a device fails its schema or is on an unknown topic',
  EMBER_ERR_INCIDENT_NOT_FOUND: 'no incident exists with the id asked for',
  EMBER_ERR_INCIDENT_TRANSITION: 'an incident cannot move from its current state to the one asked for',
  EMBER_ERR_WEBHOOK: 'a webhook did not accept a notification after every retry',
  EMBER_ERR_BAD_OUTCOME: 'an outcome reported for an incident is malformed or contradicts the incident',
  EMBER_ERR_ROLLOUT:
    'a model rollout could not start or continue (no model, no devices, one already running)',
  EMBER_ERR_ROLLOUT_NOT_FOUND: 'no rollout exists with the id asked for',
  EMBER_ERR_API_LISTEN: "the cloud's HTTP server could not listen on its address",
  EMBER_ERR_API_BAD_REQUEST: 'an HTTP request to the cloud API is malformed or fails its schema',
  EMBER_ERR_PREDICT: 'a prediction request could not be scored (too few readings, model failure)',
  EMBER_ERR_API_NOT_FOUND: 'the cloud API has no route, device, incident or model file at the path asked for',
  EMBER_ERR_API_UNAUTHENTICATED: 'a cloud API request carries no valid session, API token or signed URL',
  EMBER_ERR_API_FORBIDDEN: 'the caller of a cloud API request lacks the role, or the CSRF token, it needs',
  EMBER_ERR_API_HOST_REFUSED: 'a cloud API request names a Host that is not on the allow-list',
  EMBER_ERR_API_RATE_LIMITED: 'too many requests (sign-in attempts) from one address; try again later',
  EMBER_ERR_ACCESS_BAD_INPUT: 'a user name, password, role or token name is invalid',
  EMBER_ERR_ACCESS_CONFLICT: 'a user or token with that name or id already exists',
  EMBER_ERR_ACCESS_NOT_FOUND: 'no user or API token exists with the name or id asked for',
  EMBER_ERR_CLOUD_START: 'the cloud could not start: a file, certificate, port or broker it needs is wrong',
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export interface EmberErrorOptions {
  cause?: unknown;
  /** True when trying the same operation again may succeed. */
  retryable?: boolean;
}

/** The one error class of the project: a code from {@link ErrorCodes} and a one-line message. */
export class EmberError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: EmberErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EmberError';
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

export function isEmberError(error: unknown, code?: ErrorCode): error is EmberError {
  return error instanceof EmberError && (code === undefined || error.code === code);
}
