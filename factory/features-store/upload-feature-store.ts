import { join } from 'node:path';
import type { Logger } from '../../shared/logging.js';
import type { ObjectStore } from '../../shared/object-store/index.js';
import { FEATURES_PREFIX } from './feature-columns.js';

const PARALLEL_UPLOADS = 8;

function contentType(key: string): string {
  return key.endsWith('.json') ? 'application/json' : 'application/vnd.apache.parquet';
}

/**
 * Copies the local `<root>/features/` files named by `keys` into `store`
 * under the same keys, then removes objects under `features/` that the new
 * store does not have (runs no longer in the dataset).
 */
export async function uploadFeatureStore(
  store: ObjectStore,
  root: string,
  keys: readonly string[],
  logger: Logger,
): Promise<void> {
  let next = 0;
  const upload = async (): Promise<void> => {
    for (let key = keys[next++]; key !== undefined; key = keys[next++]) {
      await store.putFile(key, join(root, ...key.split('/')), { contentType: contentType(key) });
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_UPLOADS, keys.length) }, upload));
  const current = new Set(keys);
  const stale = (await store.list(`${FEATURES_PREFIX}/`)).filter((key) => !current.has(key));
  for (const key of stale) await store.delete(key);
  logger.info(
    { files: keys.length, removed: stale.length, store: store.describe() },
    'feature store uploaded',
  );
}
