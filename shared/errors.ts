/**
 * Every error Emberwatch raises on purpose, with a stable code. Callers branch
 * on `code`, never on the message text.
 */
export const ErrorCodes = {
  EMBER_ERR_BAD_OPTION: 'a command-line option is missing or invalid',
  EMBER_ERR_BAD_CONFIG: 'a configuration file or field is invalid',
  EMBER_ERR_FILE_UNREADABLE: 'a file could not be read',
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
  EMBER_ERR_BAD_DEVICE_ID: 'a device id is not 1-64 characters of A-Z a-z 0-9 _ - :',
  EMBER_ERR_PKI: 'a certificate authority, key or certificate is missing, unreadable or inconsistent',
  EMBER_ERR_BROKER_LISTEN: 'the embedded MQTT broker could not listen on its address',
  EMBER_ERR_OUTBOX_OPEN: 'the outbox database could not be opened, configured or migrated',
  EMBER_ERR_OUTBOX_WRITE: 'the outbox could not commit a write (disk full, I/O error)',
  EMBER_ERR_OUTBOX_FULL:
    'the outbox quota is used up by messages that may not be evicted; the message was refused',
  EMBER_ERR_OUTBOX_HARD_LIMIT: 'the outbox reached its hard ceiling; even alarms and anomalies are refused',
  EMBER_ERR_OUTBOX_BAD_MESSAGE: 'a message offered to the outbox is invalid (priority, topic, payload)',
  EMBER_ERR_OUTBOX_RECORD_TOO_LARGE: 'a telemetry record alone exceeds the message size cap',
  EMBER_ERR_PUBLISH_TIMEOUT: 'the broker did not acknowledge a publish in time',
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
