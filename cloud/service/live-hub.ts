import type { Logger } from '../../shared/logging.js';
import type { LiveEvent } from '../api/api-ports.js';

/**
 * Fans live events out to every subscriber (the dashboard's event streams).
 * A listener that throws is logged and kept: one broken stream must not
 * silence the others or the component that published.
 */
export class LiveHub {
  readonly #listeners = new Set<(event: LiveEvent) => void>();
  readonly #log: Logger;

  constructor(logger: Logger) {
    this.#log = logger.child({ component: 'live' });
  }

  subscribe(listener: (event: LiveEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  publish(event: LiveEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#log.warn({ err: error, type: event.type }, 'a live event listener failed');
      }
    }
  }

  get listeners(): number {
    return this.#listeners.size;
  }
}
