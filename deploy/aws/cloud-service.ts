import { Aws, type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { cloudConfigFor, CONTAINER_START, ecrImage, SECRET_FIELDS } from './cloud-container.js';

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
}

/**
 * The cloud process (`emberwatch cloud`) as one Fargate task behind an
 * HTTPS load balancer: its SQLite stores on an encrypted EFS volume (one
 * task at a time: SQLite wants a single writer), the model registry in S3,
 * its broker certificate and the fleet's signing key from Secrets Manager.
 */
export class CloudService extends Construct {
  readonly vpc: ec2.Vpc;
  readonly service: ecs.FargateService;
  readonly secret: secretsmanager.Secret;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly logGroup: logs.LogGroup;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  #bucketArns: string[] = [];

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
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: 1024,
      memoryLimitMiB: 2048,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
      volumes: [
        {
          name: 'data',
          efsVolumeConfiguration: {
            fileSystemId: fileSystem.fileSystemId,
            transitEncryption: 'ENABLED',
            authorizationConfig: { accessPointId: accessPoint.accessPointId, iam: 'ENABLED' },
          },
        },
      ],
    });
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: this.vpc,
      internetFacing: true,
      dropInvalidHeaderFields: true,
    });
    this.loadBalancer.logAccessLogs(props.accessLogs, 'load-balancer');
    const publicBaseUrl = props.publicBaseUrl ?? `https://${this.loadBalancer.loadBalancerDnsName}`;

    const container = this.taskDefinition.addContainer('cloud', {
      image: this.#image(props.image),
      entryPoint: ['/bin/sh', '-c'],
      command: [CONTAINER_START],
      user: '1000:1000',
      environment: {
        EMBERWATCH_CLOUD_CONFIG: Stack.of(this).toJsonString(
          cloudConfigFor({
            iotEndpoint: props.iotEndpoint,
            publicBaseUrl,
            modelsBucket: props.models.bucketName,
            metricsNamespace: props.metricsNamespace,
          }),
        ),
      },
      secrets: Object.fromEntries(
        Object.entries(SECRET_FIELDS).map(([variable, field]) => [
          variable,
          ecs.Secret.fromSecretsManager(this.secret, field),
        ]),
      ),
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'cloud' }),
      portMappings: [{ containerPort: 8080 }],
      healthCheck: {
        command: [
          'CMD-SHELL',
          'node -e "fetch(\'http://127.0.0.1:8080/healthz\').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"',
        ],
        interval: Duration.seconds(30),
        startPeriod: Duration.seconds(60),
      },
    });
    container.addMountPoints({ sourceVolume: 'data', containerPath: '/data', readOnly: false });

    this.service = new ecs.FargateService(this, 'Service', {
      cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: 1,
      // Never two writers on the SQLite files: the old task stops before the new one starts.
      minHealthyPercent: 0,
      maxHealthyPercent: 100,
      circuitBreaker: { rollback: true },
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    });
    fileSystem.connections.allowDefaultPortFrom(this.service);
    fileSystem.grant(
      this.taskDefinition.taskRole,
      'elasticfilesystem:ClientMount',
      'elasticfilesystem:ClientWrite',
    );
    props.models.grantReadWrite(this.taskDefinition.taskRole);
    props.datasets.grantRead(this.taskDefinition.taskRole);
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
      targets: [this.service],
      healthCheck: { path: '/healthz', healthyHttpCodes: '200' },
      deregistrationDelay: Duration.seconds(15),
    });
    this.loadBalancer.addRedirect({ sourcePort: 80, targetPort: 443 });
    this.#suppress();
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
    const executionRole = this.taskDefinition.executionRole;
    if (this.#pullsFromEcr && executionRole !== undefined) {
      Validations.of(executionRole).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'ecr:GetAuthorizationToken, which every image pull needs, has no resource-level permissions: ' +
          'IAM takes only *. The pull itself (ecr:BatchGetImage and the layers) names the repository.',
      });
    }
    Validations.of(this.loadBalancer).acknowledge({
      id: 'AwsSolutions-EC23',
      reason:
        'The dashboard and the signed model downloads serve operators and gateways wherever they are; ' +
        'the listener is HTTPS only (80 redirects) and every API call is authenticated.',
    });
    const grants =
      'The registry reads, writes and removes any model key in its bucket, and training reads any ' +
      "dataset object: bucket/* and the S3 action groups are grantReadWrite's and grantRead's scope.";
    const wildcards = [
      ...['GetObject*', 'GetBucket*', 'List*', 'DeleteObject*', 'Abort*'].map((a) => `Action::s3:${a}`),
      ...this.#bucketArns.map((arn) => `Resource::${arn}/*`),
    ];
    for (const finding of wildcards) {
      Validations.of(this.taskDefinition).acknowledge({
        id: `AwsSolutions-IAM5[${finding}]`,
        reason: grants,
      });
    }
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason:
        'EMBERWATCH_CLOUD_CONFIG holds the non-secret configuration (endpoint, bucket, URLs); the ' +
        'certificate, key and signing key come from Secrets Manager as ECS secrets.',
    });
  }
}
