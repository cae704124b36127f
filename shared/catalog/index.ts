export { migrate, schemaVersion, type Migration, type MigrationResult } from './migrate.js';
export { openCatalog, type OpenCatalogOptions, type Synchronous } from './open-catalog.js';
