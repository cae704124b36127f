import { createHash } from 'node:crypto';
import { FEATURE_NAMES } from '../../shared/features/feature-set.js';

/** Where the store lives under its root folder or bucket prefix. */
export const FEATURES_PREFIX = 'features';
export const SCHEMA_FILE = '_schema.json';
export const PARTITION_FILE = 'data.parquet';

/** The columns every Parquet file holds before the features, with their SQL types. */
export const LABEL_COLUMNS = [
  { name: 'run_id', type: 'VARCHAR', nullable: false },
  { name: 'class', type: 'VARCHAR', nullable: false },
  { name: 'fire_class', type: 'VARCHAR', nullable: true },
  { name: 'nuisance', type: 'VARCHAR', nullable: true },
  { name: 'template', type: 'VARCHAR', nullable: false },
  { name: 't_s', type: 'DOUBLE', nullable: false },
  { name: 'fire', type: 'BOOLEAN', nullable: false },
  { name: 'ignition_s', type: 'DOUBLE', nullable: true },
] as const;

/**
 * A short fingerprint of the feature names and their order: two stores with
 * the same version have the same columns meaning the same things.
 */
export function featureSetVersion(names: readonly string[] = FEATURE_NAMES): string {
  return createHash('sha256').update(names.join('\n')).digest('hex').slice(0, 16);
}

/** Double-quotes an SQL identifier. */
export function sqlIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Single-quotes an SQL string literal. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** The CREATE TABLE statement of one run's rows, features as nullable FLOAT columns. */
export function createTableSql(table: string): string {
  const labels = LABEL_COLUMNS.map(
    (c) => `${sqlIdentifier(c.name)} ${c.type}${c.nullable ? '' : ' NOT NULL'}`,
  );
  const features = FEATURE_NAMES.map((name) => `${sqlIdentifier(name)} FLOAT`);
  return `CREATE TABLE ${sqlIdentifier(table)} (${[...labels, ...features].join(', ')})`;
}

/** The store's relative key of one run's file, hive-style: class=…/run=…/data.parquet. */
export function partitionKey(runClass: string, runId: string): string {
  return `${FEATURES_PREFIX}/class=${runClass}/run=${runId}/${PARTITION_FILE}`;
}

/** What `_schema.json` says, so readers know the columns without opening a file. */
export interface FeatureStoreSchema {
  readonly schemaVersion: 1;
  readonly featureSetVersion: string;
  readonly partitionedBy: readonly string[];
  readonly columns: readonly { name: string; type: string; nullable: boolean }[];
  readonly featureNames: readonly string[];
  readonly source: { readonly dataset: string; readonly stage: string };
  readonly runs: number;
  readonly rows: number;
}

export function featureStoreSchema(
  source: FeatureStoreSchema['source'],
  counts: { runs: number; rows: number },
): FeatureStoreSchema {
  return {
    schemaVersion: 1,
    featureSetVersion: featureSetVersion(),
    partitionedBy: ['class', 'run'],
    columns: [
      ...LABEL_COLUMNS.map((c) => ({ ...c })),
      ...FEATURE_NAMES.map((name) => ({ name, type: 'FLOAT', nullable: true })),
    ],
    featureNames: [...FEATURE_NAMES],
    source,
    ...counts,
  };
}
