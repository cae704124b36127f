import { isEmberError, type ErrorCode } from '../../shared/errors.js';

/** The HTTP status of each error code the API may meet; any other error is a 500. */
export const ERROR_STATUS: Readonly<Partial<Record<ErrorCode, number>>> = {
  EMBER_ERR_API_BAD_REQUEST: 400,
  EMBER_ERR_BAD_DEVICE_ID: 400,
  EMBER_ERR_API_UNAUTHENTICATED: 401,
  EMBER_ERR_API_FORBIDDEN: 403,
  EMBER_ERR_API_HOST_REFUSED: 421,
  EMBER_ERR_API_RATE_LIMITED: 429,
  EMBER_ERR_ACCESS_BAD_INPUT: 400,
  EMBER_ERR_ACCESS_NOT_FOUND: 404,
  EMBER_ERR_ACCESS_CONFLICT: 409,
  EMBER_ERR_REGISTRY_GATE_REFUSED: 422,
  EMBER_ERR_API_NOT_FOUND: 404,
  EMBER_ERR_INCIDENT_NOT_FOUND: 404,
  EMBER_ERR_ROLLOUT_NOT_FOUND: 404,
  EMBER_ERR_REGISTRY_NOT_FOUND: 404,
  EMBER_ERR_STORE_NOT_FOUND: 404,
  EMBER_ERR_INCIDENT_TRANSITION: 409,
  EMBER_ERR_ROLLOUT: 409,
  EMBER_ERR_REGISTRY_TRANSITION: 409,
  EMBER_ERR_BAD_OUTCOME: 422,
  EMBER_ERR_PREDICT: 422,
  EMBER_ERR_MODEL_INPUT: 422,
  EMBER_ERR_MODEL_INFERENCE: 503,
  EMBER_ERR_MODEL_CLOSED: 503,
  EMBER_ERR_REGISTRY_BUSY: 503,
  EMBER_ERR_NOT_STARTED: 503,
};

/** The JSON body of every error answer. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

export interface ErrorAnswer {
  readonly status: number;
  readonly body: ErrorBody;
  /** True when the error is not one the API expects: log it, and tell the client nothing of it. */
  readonly unexpected: boolean;
}

const GENERIC = 'internal error; the server log has the details';

/** Fastify's own client errors (bad JSON, body too large, wrong content type) keep their 4xx status. */
function clientErrorStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/** How any error thrown while answering a request becomes an HTTP answer. */
export function errorAnswer(error: unknown): ErrorAnswer {
  if (isEmberError(error)) {
    const status = ERROR_STATUS[error.code];
    if (status !== undefined) {
      return { status, body: { error: { code: error.code, message: error.message } }, unexpected: false };
    }
  }
  const clientStatus = clientErrorStatus(error);
  if (clientStatus !== undefined) {
    const message = error instanceof Error ? error.message : 'bad request';
    return {
      status: clientStatus,
      body: { error: { code: 'EMBER_ERR_API_BAD_REQUEST', message } },
      unexpected: false,
    };
  }
  return { status: 500, body: { error: { code: 'internal', message: GENERIC } }, unexpected: true };
}
