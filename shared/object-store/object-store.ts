/** Options for storing one object. */
export interface PutOptions {
  /** MIME type kept by stores that record one (S3); the folder store ignores it. */
  contentType?: string;
}

/**
 * Blob storage behind one interface: a folder on this machine or an S3 bucket.
 *
 * Keys are '/'-separated relative paths (see `assertObjectKey`). A key may not
 * also be the folder of other keys ('runs/1' and 'runs/1/meta.json' cannot both
 * exist), because the folder store could not hold both; S3 could, but code that
 * relies on it would break on a laptop.
 */
export interface ObjectStore {
  /** Stores `body` under `key`, replacing any object there; readers see the old or the new object, never a mix. */
  put(key: string, body: Uint8Array | string, options?: PutOptions): Promise<void>;
  /** Streams a local file into the store without holding it in memory. */
  putFile(key: string, sourcePath: string, options?: PutOptions): Promise<void>;
  /** The object's bytes; throws EMBER_ERR_STORE_NOT_FOUND when there is none. */
  get(key: string): Promise<Uint8Array>;
  /** The object decoded as UTF-8; throws EMBER_ERR_STORE_NOT_FOUND when there is none. */
  getText(key: string): Promise<string>;
  /** Streams the object into a local file, replaced atomically; throws EMBER_ERR_STORE_NOT_FOUND. */
  getToFile(key: string, destinationPath: string): Promise<void>;
  /** Whether an object is stored under `key`. */
  exists(key: string): Promise<boolean>;
  /**
   * Every key that starts with `prefix` (a plain string prefix, as in S3: 'runs/1'
   * matches 'runs/1/a' and 'runs/10/a'), in UTF-8 byte order; '' lists everything.
   */
  list(prefix: string): Promise<string[]>;
  /** Removes the object; removing a key that holds nothing is not an error. */
  delete(key: string): Promise<void>;
  /** A URL-like name for logs, e.g. 'file:///var/lib/emberwatch' or 's3://bucket/prefix'. */
  describe(): string;
  /** Releases connections; the store must not be used afterwards. */
  close(): Promise<void>;
}
