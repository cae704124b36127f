import { EmberError } from '../errors.js';

/** What the AWS SDK puts on the errors it throws, read without trusting their shape. */
export interface S3ErrorFacts {
  /** The S3 error code ('NoSuchKey', 'SlowDown') or Node's error name. */
  name: string;
  status: number | undefined;
  /** Set by the SDK when it judged the error transient. */
  sdkRetryable: boolean;
  /** Node.js system error code for network failures ('ECONNREFUSED'). */
  systemCode: string | undefined;
  message: string;
}

const NOT_FOUND_NAMES = new Set(['NoSuchKey', 'NotFound']);
const TRANSIENT_NAMES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'ServiceUnavailable',
  'TimeoutError',
]);
const TRANSIENT_SYSTEM_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

function property(value: object, name: string): unknown {
  return (value as Record<string, unknown>)[name];
}

/** Extracts the facts that decide the mapping; pure. */
export function s3ErrorFacts(error: unknown): S3ErrorFacts {
  if (typeof error !== 'object' || error === null) {
    return {
      name: 'Error',
      status: undefined,
      sdkRetryable: false,
      systemCode: undefined,
      message: String(error),
    };
  }
  const metadata = property(error, '$metadata');
  const status =
    typeof metadata === 'object' && metadata !== null ? property(metadata, 'httpStatusCode') : undefined;
  const name = property(error, 'name');
  const code = property(error, 'code');
  const message = property(error, 'message');
  return {
    name: typeof name === 'string' ? name : 'Error',
    status: typeof status === 'number' ? status : undefined,
    sdkRetryable: typeof property(error, '$retryable') === 'object' && property(error, '$retryable') !== null,
    systemCode: typeof code === 'string' ? code : undefined,
    message: typeof message === 'string' && message !== '' ? message : String(name),
  };
}

/**
 * Turns an AWS SDK error into an EmberError: a missing object becomes
 * EMBER_ERR_STORE_NOT_FOUND, anything else EMBER_ERR_STORE, retryable when the
 * server was busy or unreachable (the SDK has already retried by then).
 */
export function storeErrorFromS3(error: unknown, action: string, where: string): EmberError {
  const facts = s3ErrorFacts(error);
  if (NOT_FOUND_NAMES.has(facts.name) || (facts.status === 404 && facts.name !== 'NoSuchBucket')) {
    return new EmberError('EMBER_ERR_STORE_NOT_FOUND', `no object ${where}`, { cause: error });
  }
  const retryable =
    facts.sdkRetryable ||
    TRANSIENT_NAMES.has(facts.name) ||
    (facts.status !== undefined && (facts.status >= 500 || facts.status === 429)) ||
    (facts.systemCode !== undefined && TRANSIENT_SYSTEM_CODES.has(facts.systemCode));
  const detail =
    facts.name === 'NoSuchBucket' ? 'the bucket does not exist' : `${facts.name}: ${facts.message}`;
  return new EmberError('EMBER_ERR_STORE', `cannot ${action} ${where}: ${detail}`, {
    cause: error,
    retryable,
  });
}
