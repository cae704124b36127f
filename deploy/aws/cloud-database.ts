import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** The database the workers share, and the role they sign in as. */
export const DATABASE_NAME = 'emberwatch';
export const DATABASE_USER = 'emberwatch';

export interface CloudDatabaseProps {
  readonly vpc: ec2.IVpc;
  /** The workers' security group: the only one that may reach the database. */
  readonly clients: ec2.ISecurityGroup;
}

/**
 * The PostgreSQL the cloud workers share (incidents, fleet, rollouts,
 * leases): RDS for PostgreSQL, Multi-AZ, encrypted, in the private
 * subnets, TLS only (`rds.force_ssl`), its password generated into
 * Secrets Manager. A stack deletion leaves a snapshot, and deletion
 * protection refuses it until an operator lifts it.
 */
export class CloudDatabase extends Construct {
  readonly instance: rds.DatabaseInstance;
  readonly secret: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: CloudDatabaseProps) {
    super(scope, id);
    const engine = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 });
    const parameters = new rds.ParameterGroup(this, 'Parameters', {
      engine,
      description: 'Emberwatch: TLS only',
      parameters: { 'rds.force_ssl': '1' },
    });
    this.instance = new rds.DatabaseInstance(this, 'Instance', {
      engine,
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MEDIUM),
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [
        new ec2.SecurityGroup(this, 'SecurityGroup', { vpc: props.vpc, allowAllOutbound: false }),
      ],
      publiclyAccessible: false,
      multiAz: true,
      credentials: rds.Credentials.fromGeneratedSecret(DATABASE_USER),
      databaseName: DATABASE_NAME,
      parameterGroup: parameters,
      storageEncrypted: true,
      storageType: rds.StorageType.GP3,
      allocatedStorage: 20,
      maxAllocatedStorage: 200,
      backupRetention: Duration.days(7),
      deletionProtection: true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
      autoMinorVersionUpgrade: true,
      cloudwatchLogsExports: ['postgresql'],
    });
    this.instance.connections.allowDefaultPortFrom(props.clients, 'the Emberwatch cloud workers');
    const secret = this.instance.secret;
    if (secret === undefined) throw new Error('deploy/aws: the database has no generated secret');
    this.secret = secret;
    this.#acknowledge();
  }

  /** What cdk-nag finds that is deliberate here, each with its reason. */
  #acknowledge(): void {
    Validations.of(this.instance).acknowledge({
      id: 'AwsSolutions-RDS11',
      reason:
        'The database is in private subnets and its security group admits the cloud workers alone; ' +
        'a non-default port would hide nothing from them and surprise every PostgreSQL tool.',
    });
    // The generated secret is the instance's child (instance.secret is its attachment).
    Validations.of(this.instance).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The workers receive the password as an ECS secret when their task starts; a rotation would ' +
        'lock every running worker out at its next reconnection. Rotate by hand and restart the workers.',
    });
  }
}
