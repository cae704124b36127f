export type { ObjectStore, PutOptions } from './object-store.js';
export {
  assertKeyPrefix,
  assertObjectKey,
  compareKeys,
  MAX_KEY_BYTES,
  objectKeyProblem,
} from './object-key.js';
export { FolderStore } from './folder-store.js';
export { S3Store, type S3Credentials, type S3StoreOptions } from './s3-store.js';
export {
  openObjectStore,
  parseStoreTarget,
  resolveS3StoreOptions,
  type OpenObjectStoreOptions,
  type S3ConnectionOptions,
  type StoreTarget,
} from './open-object-store.js';
