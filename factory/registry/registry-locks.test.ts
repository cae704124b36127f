import { sqliteCatalogs } from './model-registry.contract.js';
import { describeRegistryLockContract } from './registry-locks.contract.js';

describeRegistryLockContract('a SQLite catalogue file', sqliteCatalogs);
