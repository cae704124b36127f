import { EmberError, isEmberError } from '../../shared/errors.js';

/** An error's message, or the thrown value as text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// Worth offering again: the network, the disk, or something unforeseen; not a bad model.
function isTransient(error: unknown): boolean {
  return !(error instanceof EmberError) || error.retryable || error.code === 'EMBER_ERR_FILE_UNREADABLE';
}

function codeOf(error: unknown): string | undefined {
  return isEmberError(error) ? error.code : undefined;
}

/**
 * The report fields of an offer that was not installed: `failed` when
 * offering it again may help, `rejected` when it will not.
 */
export function installFailure(error: unknown): {
  status: 'failed' | 'rejected';
  reason: string;
  code: string | undefined;
} {
  return {
    status: isTransient(error) ? 'failed' : 'rejected',
    reason: messageOf(error),
    code: codeOf(error),
  };
}
