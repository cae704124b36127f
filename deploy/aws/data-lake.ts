import { Aws, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { FEATURE_PARTITION_KEYS, featureColumns, featureStoreLocation } from './feature-table.js';

/** Settings of the buckets and the catalogue. */
export interface DataLakeProps {
  /** Where `emberwatch generate --out s3://<datasets>/<prefix>` put the dataset whose features Athena reads. */
  readonly datasetPrefix: string;
}

/** Encrypted, versioned, private, TLS only, logged: every bucket of the stack. */
function privateBucket(scope: Construct, id: string, logs: s3.IBucket | undefined): s3.Bucket {
  return new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    versioned: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: RemovalPolicy.RETAIN,
    ...(logs === undefined
      ? {}
      : { serverAccessLogsBucket: logs, serverAccessLogsPrefix: `${id.toLowerCase()}/` }),
  });
}

/**
 * The data side: S3 buckets for datasets (and their feature stores) and for
 * the model registry, a Glue table over the feature store's Parquet
 * partitions, and an Athena workgroup to query it, so that SQL a data
 * scientist runs with `emberwatch query` locally runs on AWS too.
 */
export class DataLake extends Construct {
  readonly logs: s3.Bucket;
  readonly datasets: s3.Bucket;
  readonly models: s3.Bucket;
  readonly queryResults: s3.Bucket;
  readonly database: glue.CfnDatabase;
  readonly features: glue.CfnTable;
  readonly workgroup: athena.CfnWorkGroup;

  constructor(scope: Construct, id: string, props: DataLakeProps) {
    super(scope, id);
    this.logs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
    });
    Validations.of(this.logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access log bucket; logging it into itself would loop.',
    });
    this.datasets = privateBucket(this, 'Datasets', this.logs);
    this.models = privateBucket(this, 'Models', this.logs);
    this.queryResults = privateBucket(this, 'QueryResults', this.logs);

    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: { name: 'emberwatch', description: 'Emberwatch datasets' },
    });
    this.features = new glue.CfnTable(this, 'FeaturesTable', {
      catalogId: Aws.ACCOUNT_ID,
      databaseName: 'emberwatch',
      tableInput: {
        name: 'features',
        description: 'One row per second of every run: the feature store of emberwatch features',
        tableType: 'EXTERNAL_TABLE',
        parameters: { classification: 'parquet', EXTERNAL: 'TRUE' },
        partitionKeys: [...FEATURE_PARTITION_KEYS],
        storageDescriptor: {
          columns: featureColumns(),
          location: featureStoreLocation(this.datasets.bucketName, props.datasetPrefix),
          inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
          serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
        },
      },
    });
    this.features.addResourceDependency(this.database);

    this.workgroup = new athena.CfnWorkGroup(this, 'Workgroup', {
      name: 'emberwatch',
      description: 'Queries over the Emberwatch feature store',
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        resultConfiguration: {
          outputLocation: `s3://${this.queryResults.bucketName}/athena/`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });
  }
}
