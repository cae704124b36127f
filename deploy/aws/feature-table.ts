import { LABEL_COLUMNS, FEATURES_PREFIX } from '../../factory/features-store/feature-columns.js';
import { FEATURE_NAMES } from '../../shared/features/feature-set.js';

/** A Glue column. */
export interface GlueColumn {
  readonly name: string;
  readonly type: string;
  readonly comment?: string;
}

const GLUE_TYPES: Record<string, string> = {
  VARCHAR: 'string',
  DOUBLE: 'double',
  BOOLEAN: 'boolean',
  FLOAT: 'float',
};

function glueType(sqlType: string): string {
  const type = GLUE_TYPES[sqlType];
  if (type === undefined) throw new Error(`no Glue type for the feature store's ${sqlType}`);
  return type;
}

/** The hive partitions of the store's tree (`class=…/run=…/data.parquet`), as Athena reads them. */
export const FEATURE_PARTITION_KEYS: readonly GlueColumn[] = [
  { name: 'class', type: 'string', comment: 'fire, nuisance or normal (folder class=…)' },
  { name: 'run', type: 'string', comment: 'the run id (folder run=…)' },
];

/**
 * The columns of the feature store's Parquet files, in order, as Glue types.
 * `class` is left out: each file carries it, but the table takes it from the
 * partition, and Athena refuses a column that is also a partition key.
 */
export function featureColumns(): GlueColumn[] {
  return [
    ...LABEL_COLUMNS.filter((c) => c.name !== 'class').map((c) => ({ name: c.name, type: glueType(c.type) })),
    ...FEATURE_NAMES.map((name) => ({ name, type: glueType('FLOAT') })),
  ];
}

/** Where a dataset's feature store lies in its bucket: `<prefix>/features/`. */
export function featureStoreLocation(bucketName: string, datasetPrefix: string): string {
  const prefix = datasetPrefix.replace(/^\/+|\/+$/g, '');
  return `s3://${bucketName}/${prefix === '' ? '' : `${prefix}/`}${FEATURES_PREFIX}/`;
}
