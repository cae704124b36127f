/** The two files of a registered model version the HTTP API serves. */
export interface ServedModelFiles {
  readonly model: Uint8Array;
  /** manifest.json exactly as offers describe it (encodeManifest). */
  readonly manifest: Uint8Array;
}

/**
 * Keeps the served files of the last few model versions after their first
 * read. A registered version never changes, and in a rollout every device
 * fetches the same two files: reading and hashing them from the store per
 * request made the registry the busiest part of the cloud. Failed reads are
 * not kept, so a version registered later is found.
 */
export class ModelFileCache {
  readonly #load: (version: string) => Promise<ServedModelFiles>;
  readonly #limit: number;
  readonly #entries = new Map<string, Promise<ServedModelFiles>>();

  /** `limit`: how many versions to keep, the least recently served dropped first; default 4. */
  constructor(load: (version: string) => Promise<ServedModelFiles>, limit = 4) {
    this.#load = load;
    this.#limit = Math.max(1, limit);
  }

  get(version: string): Promise<ServedModelFiles> {
    const known = this.#entries.get(version);
    if (known !== undefined) {
      this.#entries.delete(version);
      this.#entries.set(version, known);
      return known;
    }
    const loading = this.#load(version);
    this.#entries.set(version, loading);
    loading.catch(() => {
      if (this.#entries.get(version) === loading) this.#entries.delete(version);
    });
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#limit) break;
      this.#entries.delete(oldest);
    }
    return loading;
  }

  /** Versions kept now, least recently served first. */
  versions(): string[] {
    return [...this.#entries.keys()];
  }
}
