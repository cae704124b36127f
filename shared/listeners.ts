/**
 * The listeners of one kind of event: components expose `onX(listener)`
 * returning the function that stops listening, and the wiring module of a
 * process is the only place that calls them.
 */
export class Listeners<Args extends unknown[]> {
  readonly #listeners = new Set<(...args: Args) => void>();

  /** Adds a listener; returns the function that removes it. */
  add(listener: (...args: Args) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Calls every listener in the order they were added. */
  emit(...args: Args): void {
    for (const listener of this.#listeners) listener(...args);
  }
}
