import { Duration, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as efs from 'aws-cdk-lib/aws-efs';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { DATA_DIR, SECRET_FIELDS } from './cloud-container.js';

/** What every cloud task shares: the EFS volume it mounts at /data, the image, the credentials and the logs. */
export interface CloudTaskParts {
  readonly fileSystem: efs.FileSystem;
  readonly accessPoint: efs.AccessPoint;
  readonly image: ecs.ContainerImage;
  /** The broker certificate, its key, the CA and the fleet signing key (SECRET_FIELDS). */
  readonly credentials: secretsmanager.ISecret;
  readonly logGroup: logs.ILogGroup;
}

/** What differs between the single task and each worker. */
export interface CloudTaskSpec {
  readonly config: Record<string, unknown>;
  readonly command: string;
  readonly environment?: Record<string, string>;
  readonly secrets?: Record<string, ecs.Secret>;
  /** Roles the workers share; the single task has its own. */
  readonly roles?: { readonly task: iam.IRole; readonly execution: iam.IRole };
}

/** A task definition running the cloud's container (`cloud`) with its config, volume, secrets and logs. */
export function cloudTaskDefinition(
  scope: Construct,
  id: string,
  parts: CloudTaskParts,
  spec: CloudTaskSpec,
): ecs.FargateTaskDefinition {
  const taskDefinition = new ecs.FargateTaskDefinition(scope, id, {
    cpu: 1024,
    memoryLimitMiB: 2048,
    runtimePlatform: {
      cpuArchitecture: ecs.CpuArchitecture.X86_64,
      operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
    },
    ...(spec.roles === undefined ? {} : { taskRole: spec.roles.task, executionRole: spec.roles.execution }),
    volumes: [
      {
        name: 'data',
        efsVolumeConfiguration: {
          fileSystemId: parts.fileSystem.fileSystemId,
          transitEncryption: 'ENABLED',
          authorizationConfig: { accessPointId: parts.accessPoint.accessPointId, iam: 'ENABLED' },
        },
      },
    ],
  });
  const container = taskDefinition.addContainer('cloud', {
    image: parts.image,
    entryPoint: ['/bin/sh', '-c'],
    command: [spec.command],
    user: '1000:1000',
    environment: {
      EMBERWATCH_CLOUD_CONFIG: Stack.of(scope).toJsonString(spec.config),
      ...spec.environment,
    },
    secrets: {
      ...Object.fromEntries(
        Object.entries(SECRET_FIELDS).map(([variable, field]) => [
          variable,
          ecs.Secret.fromSecretsManager(parts.credentials, field),
        ]),
      ),
      ...spec.secrets,
    },
    logging: ecs.LogDrivers.awsLogs({ logGroup: parts.logGroup, streamPrefix: 'cloud' }),
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
  container.addMountPoints({ sourceVolume: 'data', containerPath: DATA_DIR, readOnly: false });
  return taskDefinition;
}
