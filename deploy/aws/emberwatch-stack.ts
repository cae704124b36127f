import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { WORKER_GROUP } from './cloud-container.js';
import { CloudService } from './cloud-service.js';
import { DataLake } from './data-lake.js';
import { FleetProvisioning } from './fleet-provisioning.js';
import { OperatorAlarms } from './operator-alarms.js';

/** What an operator chooses per deployment (CDK context, `-c name=value`). */
export interface EmberwatchSettings {
  /** The image with the emberwatch package installed, e.g. `<account>.dkr.ecr.<region>.amazonaws.com/emberwatch:0.1.0`. */
  readonly cloudImage: string;
  /** `aws iot describe-endpoint --endpoint-type iot:Data-ATS`. */
  readonly iotEndpoint: string;
  /** An ACM certificate for the dashboard's host name. */
  readonly certificateArn: string;
  /** `https://host` of the dashboard, when a DNS name points at the load balancer. */
  readonly publicBaseUrl?: string;
  /** Where the dataset Athena reads lives in the datasets bucket (default `train`). */
  readonly datasetPrefix?: string;
  /** Several cloud workers sharing an RDS PostgreSQL database; absent: one task with SQLite on EFS. */
  readonly cloudWorkers?: number;
}

/** The CloudWatch namespace of the cloud's embedded metrics. */
export const METRICS_NAMESPACE = 'Emberwatch';

/** Everything Emberwatch needs on AWS besides the devices: one stack. */
export class EmberwatchStack extends Stack {
  readonly fleet: FleetProvisioning;
  readonly data: DataLake;
  readonly cloud: CloudService;
  readonly alarms: OperatorAlarms;

  constructor(scope: Construct, id: string, settings: EmberwatchSettings, props?: StackProps) {
    super(scope, id, { description: 'Emberwatch: fleet, data lake, cloud service and alarms', ...props });
    this.fleet = new FleetProvisioning(
      this,
      'Fleet',
      settings.cloudWorkers === undefined ? {} : { sharedGroup: WORKER_GROUP },
    );
    this.data = new DataLake(this, 'Data', { datasetPrefix: settings.datasetPrefix ?? 'train' });
    this.cloud = new CloudService(this, 'Cloud', {
      image: settings.cloudImage,
      iotEndpoint: settings.iotEndpoint,
      certificateArn: settings.certificateArn,
      ...(settings.publicBaseUrl === undefined ? {} : { publicBaseUrl: settings.publicBaseUrl }),
      models: this.data.models,
      datasets: this.data.datasets,
      accessLogs: this.data.logs,
      metricsNamespace: METRICS_NAMESPACE,
      ...(settings.cloudWorkers === undefined ? {} : { workers: settings.cloudWorkers }),
    });
    this.alarms = new OperatorAlarms(this, 'Alarms', { namespace: METRICS_NAMESPACE });

    new CfnOutput(this, 'DashboardUrl', {
      value: settings.publicBaseUrl ?? `https://${this.cloud.loadBalancer.loadBalancerDnsName}`,
    });
    new CfnOutput(this, 'CredentialsSecret', { value: this.cloud.secret.secretArn });
    new CfnOutput(this, 'DatasetsBucket', { value: this.data.datasets.bucketName });
    new CfnOutput(this, 'ModelsBucket', { value: this.data.models.bucketName });
    new CfnOutput(this, 'AlarmTopic', { value: this.alarms.topic.topicArn });
    const database = this.cloud.database;
    if (database !== undefined) {
      new CfnOutput(this, 'DatabaseEndpoint', { value: database.instance.dbInstanceEndpointAddress });
      new CfnOutput(this, 'DatabaseSecret', { value: database.secret.secretArn });
    }
  }
}
