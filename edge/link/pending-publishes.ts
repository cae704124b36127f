/**
 * Publishes awaiting their PUBACK, so that all of them can be failed at once
 * when the connection drops: the MQTT clients would otherwise settle them
 * only at the next connect attempt or after the operation timeout.
 */
export class PendingPublishes {
  readonly #rejecters = new Set<(error: Error) => void>();

  get size(): number {
    return this.#rejecters.size;
  }

  /** Settles like `publish`, unless rejectAll() comes first; a late outcome is then ignored. */
  track(publish: Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const abandon = (error: Error): void => {
        this.#rejecters.delete(abandon);
        reject(error);
      };
      this.#rejecters.add(abandon);
      publish.then(
        () => {
          this.#rejecters.delete(abandon);
          resolve();
        },
        (error: unknown) => {
          this.#rejecters.delete(abandon);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  rejectAll(error: Error): void {
    for (const abandon of [...this.#rejecters]) abandon(error);
  }
}
