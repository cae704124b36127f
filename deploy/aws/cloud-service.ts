import { Aws, type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, type IConstruct } from 'constructs';
import {
  cloudConfigFor,
  CONTAINER_START,
  DATABASE_SECRET_FIELDS,
  ecrImage,
  SHARED_KEY_VARIABLES,
  WORKER_START,
  workerDataDir,
  type CloudConfigInputs,
} from './cloud-container.js';
import { CloudDatabase, DATABASE_NAME } from './cloud-database.js';
import { cloudTaskDefinition, type CloudTaskParts } from './cloud-task.js';

/** What the cloud service is built from. */
export interface CloudServiceProps {
  /** An image with the emberwatch package installed (its command on PATH), e.g. in ECR. */
  readonly image: string;
  /** The account's IoT Core data endpoint (`aws iot describe-endpoint --endpoint-type iot:Data-ATS`). */
  readonly iotEndpoint: string;
  /** ACM certificate of the dashboard's host name. */
  readonly certificateArn: string;
  /** `https://host` people and devices reach the API at; the load balancer's name when absent. */
  readonly publicBaseUrl?: string;
  readonly models: s3.IBucket;
  readonly datasets: s3.IBucket;
  readonly accessLogs: s3.IBucket;
  readonly metricsNamespace: string;
  /** Several workers sharing a PostgreSQL database; absent: one task, SQLite on EFS. */
  readonly workers?: number;
}

/** Where cdk-nag's findings on one task land: its definition and roles. */
interface NagScope {
  readonly task: ecs.FargateTaskDefinition;
  readonly taskRole: IConstruct;
  readonly executionRole: IConstruct | undefined;
}

/**
 * The cloud process (`emberwatch cloud`) behind an HTTPS load balancer:
 * by default one Fargate task, its SQLite stores on an encrypted EFS
 * volume (one task at a time: SQLite wants a single writer); with
 * `workers`, that many workers sharing an RDS PostgreSQL database, each
 * with a folder of its own on the volume. The model registry in S3, the
 * broker certificate and the fleet's signing key from Secrets Manager.
 */
export class CloudService extends Construct {
  readonly vpc: ec2.Vpc;
  /** One service, or one per worker. */
  readonly services: ecs.FargateService[] = [];
  readonly taskDefinitions: ecs.FargateTaskDefinition[] = [];
  readonly secret: secretsmanager.Secret;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly logGroup: logs.LogGroup;
  /** With workers: their database, security group and the keys they share. */
  readonly database: CloudDatabase | undefined;
  readonly workerGroup: ec2.SecurityGroup | undefined;
  readonly sharedKeys: secretsmanager.Secret[] = [];
  #bucketArns: string[] = [];
  #nagScopes: NagScope[] = [];

  constructor(scope: Construct, id: string, props: CloudServiceProps) {
    super(scope, id);
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 1,
      flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs) } },
      gatewayEndpoints: { s3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    });
    const cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: this.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    const fileSystem = new efs.FileSystem(this, 'Data', {
      vpc: this.vpc,
      encrypted: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecyclePolicy: efs.LifecyclePolicy.AFTER_30_DAYS,
    });
    const accessPoint = fileSystem.addAccessPoint('CloudData', {
      path: '/emberwatch',
      createAcl: { ownerUid: '1000', ownerGid: '1000', permissions: '0700' },
      posixUser: { uid: '1000', gid: '1000' },
    });

    this.secret = new secretsmanager.Secret(this, 'Credentials', {
      description:
        'Emberwatch cloud: caCert (the Amazon root CA), serviceCert and serviceKey (its IoT Core ' +
        'certificate, policy EmberwatchService) and fleetKey (the Ed25519 key that signs model offers), ' +
        'as JSON fields',
      secretObjectValue: {},
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'A certificate registered in IoT Core and the fleet signing key whose public half every device ' +
        'holds cannot be rotated by a Lambda; they are replaced by hand (docs/deploy.md).',
    });

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: this.vpc,
      internetFacing: true,
      dropInvalidHeaderFields: true,
    });
    this.loadBalancer.logAccessLogs(props.accessLogs, 'load-balancer');
    const publicBaseUrl = props.publicBaseUrl ?? `https://${this.loadBalancer.loadBalancerDnsName}`;
    const configInputs = {
      iotEndpoint: props.iotEndpoint,
      publicBaseUrl,
      modelsBucket: props.models.bucketName,
      metricsNamespace: props.metricsNamespace,
    };
    const parts: CloudTaskParts = {
      fileSystem,
      accessPoint,
      image: this.#image(props.image),
      credentials: this.secret,
      logGroup: this.logGroup,
    };

    let taskRole: iam.IRole;
    if (props.workers === undefined) {
      const taskDefinition = cloudTaskDefinition(this, 'Task', parts, {
        config: cloudConfigFor(configInputs),
        command: CONTAINER_START,
      });
      const service = new ecs.FargateService(this, 'Service', {
        cluster,
        taskDefinition,
        desiredCount: 1,
        // Never two writers on the SQLite files: the old task stops before the new one starts.
        minHealthyPercent: 0,
        maxHealthyPercent: 100,
        circuitBreaker: { rollback: true },
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      });
      fileSystem.connections.allowDefaultPortFrom(service);
      this.services.push(service);
      this.taskDefinitions.push(taskDefinition);
      taskRole = taskDefinition.taskRole;
      // The single task's roles are its definition's children.
      this.#nagScopes.push({
        task: taskDefinition,
        taskRole: taskDefinition,
        executionRole: taskDefinition.executionRole,
      });
    } else {
      this.workerGroup = new ec2.SecurityGroup(this, 'Workers', {
        vpc: this.vpc,
        description: 'Emberwatch cloud workers',
      });
      fileSystem.connections.allowDefaultPortFrom(this.workerGroup);
      this.database = new CloudDatabase(this, 'Database', { vpc: this.vpc, clients: this.workerGroup });
      taskRole = this.#workers(
        props.workers,
        { cluster, group: this.workerGroup, database: this.database },
        parts,
        configInputs,
      );
    }
    fileSystem.grant(taskRole, 'elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite');
    props.models.grantReadWrite(taskRole);
    props.datasets.grantRead(taskRole);
    // How cdk-nag names the buckets' ARNs in its findings: <LogicalId.Arn>.
    this.#bucketArns = [props.models, props.datasets].map((bucket) => {
      const stack = Stack.of(bucket);
      return `<${String(stack.resolve(stack.getLogicalId(bucket.node.defaultChild as CfnElement)))}.Arn>`;
    });

    const listener = this.loadBalancer.addListener('Https', {
      port: 443,
      certificates: [acm.Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn)],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
    });
    listener.addTargets('Cloud', {
      port: 8080,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: this.services,
      healthCheck: { path: '/healthz', healthyHttpCodes: '200' },
      deregistrationDelay: Duration.seconds(15),
    });
    this.loadBalancer.addRedirect({ sourcePort: 80, targetPort: 443 });
    this.#suppress();
  }

  /**
   * Several workers: one Fargate service of one task each, so every worker
   * keeps a fixed MQTT client id (its session, and the messages queued in
   * it, survive the task's replacement) and a folder of its own on EFS (one
   * writer per file, as with the single task). The services replace
   * their tasks one after another, so the others keep running. Returns the
   * task role they share.
   */
  #workers(
    count: number,
    { cluster, group, database }: { cluster: ecs.Cluster; group: ec2.SecurityGroup; database: CloudDatabase },
    parts: CloudTaskParts,
    inputs: Omit<CloudConfigInputs, 'worker'>,
  ): iam.IRole {
    const principal = new iam.ServicePrincipal('ecs-tasks.amazonaws.com');
    const roles = {
      task: new iam.Role(this, 'WorkerTaskRole', { assumedBy: principal }),
      execution: new iam.Role(this, 'WorkerExecutionRole', { assumedBy: principal }),
    };
    const secrets: Record<string, ecs.Secret> = {};
    for (const [variable, field] of Object.entries(DATABASE_SECRET_FIELDS)) {
      secrets[variable] = ecs.Secret.fromSecretsManager(database.secret, field);
    }
    for (const [field, variable] of Object.entries(SHARED_KEY_VARIABLES)) {
      const key = new secretsmanager.Secret(this, `SharedKey-${field}`, {
        description: `Emberwatch cloud: ${field} of every worker's secrets.json`,
        generateSecretString: { passwordLength: 64, excludePunctuation: true },
      });
      this.sharedKeys.push(key);
      secrets[variable] = ecs.Secret.fromSecretsManager(key);
    }
    const instance = database.instance;
    let previous: ecs.FargateService | undefined;
    for (let index = 1; index <= count; index += 1) {
      const taskDefinition = cloudTaskDefinition(this, `Worker${index}Task`, parts, {
        config: cloudConfigFor({
          ...inputs,
          worker: {
            index,
            databaseHost: instance.dbInstanceEndpointAddress,
            databasePort: instance.dbInstanceEndpointPort,
            databaseName: DATABASE_NAME,
          },
        }),
        command: WORKER_START,
        environment: { EMBERWATCH_DATA_DIR: workerDataDir(index) },
        secrets,
        roles,
      });
      const service = new ecs.FargateService(this, `Worker${index}`, {
        cluster,
        taskDefinition,
        desiredCount: 1,
        // One process per client id and per folder: its old task stops before the new one starts.
        minHealthyPercent: 0,
        maxHealthyPercent: 100,
        circuitBreaker: { rollback: true },
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        securityGroups: [group],
      });
      // CloudFormation replaces one worker at a time: the others carry the load meanwhile.
      if (previous !== undefined) service.node.addDependency(previous);
      previous = service;
      this.services.push(service);
      this.taskDefinitions.push(taskDefinition);
      this.#nagScopes.push({ task: taskDefinition, taskRole: roles.task, executionRole: roles.execution });
    }
    return roles.task;
  }

  /**
   * An image in ECR through its repository, so the execution role is granted the pull (with
   * fromRegistry it has no ECR permission and the task never starts); any other registry as is.
   */
  #image(uri: string): ecs.ContainerImage {
    const ecrUri = ecrImage(uri);
    if (ecrUri === undefined) return ecs.ContainerImage.fromRegistry(uri);
    const repository = ecr.Repository.fromRepositoryAttributes(this, 'ImageRepository', {
      repositoryName: ecrUri.repository,
      repositoryArn: `arn:${Aws.PARTITION}:ecr:${ecrUri.region}:${ecrUri.account}:repository/${ecrUri.repository}`,
    });
    const image = ecs.ContainerImage.fromEcrRepository(repository, ecrUri.tagOrDigest);
    this.#pullsFromEcr = true;
    return image;
  }

  #pullsFromEcr = false;

  /** What cdk-nag finds that is deliberate here, each with its reason. */
  #suppress(): void {
    Validations.of(this.loadBalancer).acknowledge({
      id: 'AwsSolutions-EC23',
      reason:
        'The dashboard and the signed model downloads serve operators and gateways wherever they are; ' +
        'the listener is HTTPS only (80 redirects) and every API call is authenticated.',
    });
    for (const key of this.sharedKeys) {
      Validations.of(key).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'The workers read the key when their task starts, and a rotation would break the signatures ' +
          'made before it (webhook receivers, model URLs in flight); rotate by hand and restart them.',
      });
    }
    const grants =
      'The registry reads, writes and removes any model key in its bucket, and training reads any ' +
      "dataset object: bucket/* and the S3 action groups are grantReadWrite's and grantRead's scope.";
    const wildcards = [
      ...['GetObject*', 'GetBucket*', 'List*', 'DeleteObject*', 'Abort*'].map((a) => `Action::s3:${a}`),
      ...this.#bucketArns.map((arn) => `Resource::${arn}/*`),
    ];
    for (const scope of this.#nagScopes) {
      if (this.#pullsFromEcr && scope.executionRole !== undefined) {
        Validations.of(scope.executionRole).acknowledge({
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason:
            'ecr:GetAuthorizationToken, which every image pull needs, has no resource-level permissions: ' +
            'IAM takes only *. The pull itself (ecr:BatchGetImage and the layers) names the repository.',
        });
      }
      for (const finding of wildcards) {
        Validations.of(scope.taskRole).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason: grants });
      }
      Validations.of(scope.task).acknowledge({
        id: 'AwsSolutions-ECS2',
        reason:
          'EMBERWATCH_CLOUD_CONFIG holds the non-secret configuration (endpoint, bucket, URLs; for a ' +
          'worker its id and folder); the certificate, keys and passwords come from Secrets Manager.',
      });
    }
  }
}
