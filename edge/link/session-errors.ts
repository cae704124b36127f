import { EmberError } from '../../shared/errors.js';
import { reasonOf } from './mqtt-session.js';

/*
 * The errors both protocol sessions (mqtt311-session.ts, mqtt5-session.ts)
 * throw, so the link sees the same codes and messages whichever client it runs.
 */

/** The client is not there: start() was not called, or stop() was. */
export function requireStarted<Client>(client: Client | undefined, what: string): Client {
  if (client === undefined) throw new EmberError('EMBER_ERR_NOT_STARTED', `link: ${what} not started`);
  return client;
}

/** A publish the client could not complete (no PUBACK, connection lost): retryable. */
export function publishFailed(topic: string, cause: unknown): EmberError {
  return new EmberError('EMBER_ERR_LINK_PUBLISH', `publish to ${topic} failed: ${reasonOf(cause)}`, {
    cause,
    retryable: true,
  });
}

/** A subscribe the client could not complete: retryable. */
export function subscribeFailed(cause: unknown): EmberError {
  return new EmberError('EMBER_ERR_LINK_SUBSCRIBE', `subscribe failed: ${reasonOf(cause)}`, {
    cause,
    retryable: true,
  });
}

/** The broker's SUBACK refused these filters. */
export function subscriptionsRefused(filters: readonly string[]): EmberError {
  return new EmberError('EMBER_ERR_LINK_SUBSCRIBE', `the broker refused ${filters.join(', ')}`);
}
