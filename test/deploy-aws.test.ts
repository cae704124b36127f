import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCloudConfig } from '../cloud/config/cloud-config.js';
import { featureStoreSchema } from '../factory/features-store/feature-columns.js';
import { ALERT_RULES } from '../cloud/monitoring/alert-rules.js';
import { buildApp } from '../deploy/aws/app.js';
import { CONTAINER_START, ecrImage, SECRET_FIELDS } from '../deploy/aws/cloud-container.js';
import type { EmberwatchStack } from '../deploy/aws/emberwatch-stack.js';
import { isEmberError } from '../shared/errors.js';
import {
  FLEET_TEMPLATE_NAME,
  claimMayPublish,
  claimMaySubscribe,
} from '../shared/fleet-provisioning-topics.js';
import { TOPIC_KINDS, deviceMayPublish, deviceMaySubscribe, isClientIdOf } from '../shared/topics.js';
import { PSEUDO, iotAllows, resolveCfn, type PolicyStatement } from './helpers/cfn-values.js';
import { REPO_ROOT } from './helpers/packed-package.js';

const run = promisify(execFile);

const CONTEXT = {
  cloudImage: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/emberwatch:0.1.0',
  iotEndpoint: 'abc123-ats.iot.eu-west-1.amazonaws.com',
  certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0e1f2a3b',
};

const TARGET = { account: '123456789012', region: 'eu-west-1' };

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

function ofType(template: Template, type: string): [string, Record<string, unknown>][] {
  const resources = template.toJSON()['Resources'] as Resources;
  return Object.entries(resources)
    .filter(([, r]) => r.Type === type)
    .map(([id, r]) => [id, r.Properties]);
}

function iotPolicy(template: Template, name: string): PolicyStatement[] {
  const found = ofType(template, 'AWS::IoT::Policy').find(([, p]) => p['PolicyName'] === name);
  if (found === undefined) throw new Error(`no IoT policy ${name}`);
  const document = resolveCfn(found[1]['PolicyDocument'], PSEUDO) as { Statement: PolicyStatement[] };
  return document.Statement;
}

const arn = (resource: string): string => `arn:aws:iot:eu-west-1:123456789012:${resource}`;
const idChar = fc.constantFrom(
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-:'.split(''),
);
const thingArb = fc.string({ unit: idChar, minLength: 1, maxLength: 24 });

describe('deploy/aws: the CDK app, synthesized offline', { timeout: 120_000 }, () => {
  let outdir: string;
  let stack: EmberwatchStack;
  let template: Template;

  beforeAll(async () => {
    outdir = await mkdtemp(join(tmpdir(), 'emberwatch-cdk-'));
    const app = new App({ outdir, context: CONTEXT });
    stack = buildApp(app, TARGET).stack;
    // Synthesis runs cdk-nag's AWS Solutions checks; an unacknowledged finding throws here.
    app.synth();
    template = Template.fromStack(stack);
  });

  afterAll(async () => {
    await rm(outdir, { recursive: true, force: true });
  });

  it('lets a device connect only as its own thing and use only its own topics, as the embedded broker does', () => {
    const policy = iotPolicy(template, 'EmberwatchDevice');
    expect(policy.find((s) => s.Action === 'iot:Connect')?.Condition).toEqual({
      Bool: { 'iot:Connection.Thing.IsAttached': 'true' },
    });
    // Every kind a device uses is in the policy: a new kind in shared/topics.ts must be granted here too.
    for (const kind of TOPIC_KINDS) {
      const topic = `emberwatch/v1/gw-1/${kind}`;
      const used =
        iotAllows(policy, 'gw-1', 'iot:Publish', arn(`topic/${topic}`)) ||
        iotAllows(policy, 'gw-1', 'iot:Subscribe', arn(`topicfilter/${topic}`));
      expect(used, kind).toBe(true);
    }
    fc.assert(
      fc.property(
        thingArb,
        thingArb,
        fc.constantFrom(...TOPIC_KINDS, 'other', 'model/offer/x'),
        (thing, owner, kind) => {
          const topic = `emberwatch/v1/${owner}/${kind}`;
          expect(iotAllows(policy, thing, 'iot:Publish', arn(`topic/${topic}`))).toBe(
            deviceMayPublish(thing, topic),
          );
          expect(iotAllows(policy, thing, 'iot:Subscribe', arn(`topicfilter/${topic}`))).toBe(
            deviceMaySubscribe(thing, topic),
          );
          expect(iotAllows(policy, thing, 'iot:Receive', arn(`topic/${topic}`))).toBe(
            deviceMaySubscribe(thing, topic),
          );
          expect(iotAllows(policy, thing, 'iot:Connect', arn(`client/${owner}`))).toBe(
            isClientIdOf(thing, owner),
          );
        },
      ),
    );
    expect(iotAllows(policy, 'gw-1', 'iot:Connect', arn('client/gw-1#emberwatch'))).toBe(true);
    expect(iotAllows(policy, 'gw-1', 'iot:RetainPublish', arn('topic/emberwatch/v1/gw-1/status'))).toBe(true);
    expect(iotAllows(policy, 'gw-1', 'iot:RetainPublish', arn('topic/emberwatch/v1/gw-1/anomaly'))).toBe(
      false,
    );
  });

  it('lets a claim certificate ask for a certificate and register through one template, nothing else', () => {
    const policy = iotPolicy(template, 'EmberwatchClaim');
    const topics = [
      '$aws/certificates/create/json',
      '$aws/certificates/create-from-csr/json/accepted',
      `$aws/provisioning-templates/${FLEET_TEMPLATE_NAME}/provision/json`,
      `$aws/provisioning-templates/${FLEET_TEMPLATE_NAME}/provision/json/rejected`,
      '$aws/provisioning-templates/Other/provision/json',
      'emberwatch/v1/gw-1/telemetry',
      'emberwatch/v1/gw-1/model/offer',
      '$aws/things/gw-1/shadow/update',
    ];
    for (const topic of topics) {
      expect(iotAllows(policy, 'x', 'iot:Publish', arn(`topic/${topic}`)), topic).toBe(
        claimMayPublish(FLEET_TEMPLATE_NAME, topic),
      );
      expect(iotAllows(policy, 'x', 'iot:Subscribe', arn(`topicfilter/${topic}`)), topic).toBe(
        claimMaySubscribe(FLEET_TEMPLATE_NAME, topic),
      );
    }
  });

  it('provisions with the template the embedded broker serves, naming the policy and group the stack makes', async () => {
    const [[, props] = ['', {}]] = ofType(template, 'AWS::IoT::ProvisioningTemplate');
    const file = await readFile(join(REPO_ROOT, 'deploy/aws/fleet-provisioning-template.json'), 'utf8');
    expect(props['TemplateName']).toBe(FLEET_TEMPLATE_NAME);
    expect(props['Enabled']).toBe(true);
    expect(JSON.parse(String(props['TemplateBody']))).toEqual(JSON.parse(file));
    const body = JSON.parse(file) as {
      Resources: {
        policy: { Properties: { PolicyName: string } };
        thing: { Properties: { ThingGroups: string[] } };
      };
    };
    template.hasResourceProperties('AWS::IoT::Policy', {
      PolicyName: body.Resources.policy.Properties.PolicyName,
    });
    template.hasResourceProperties('AWS::IoT::ThingGroup', {
      ThingGroupName: body.Resources.thing.Properties.ThingGroups[0],
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: 'iot.amazonaws.com' } }] },
    });
  });

  it('keeps every bucket encrypted, versioned, private and TLS-only', () => {
    const buckets = ofType(template, 'AWS::S3::Bucket');
    expect(buckets.length).toBe(4);
    for (const [id, props] of buckets) {
      expect(props['BucketEncryption'], id).toEqual({
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      });
      expect(props['VersioningConfiguration'], id).toEqual({ Status: 'Enabled' });
      expect(props['PublicAccessBlockConfiguration'], id).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    }
    const policies = ofType(template, 'AWS::S3::BucketPolicy');
    expect(policies.length).toBe(4);
    for (const [id, props] of policies) {
      expect(JSON.stringify(props['PolicyDocument']), id).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('puts a Glue table with the feature store columns over its class=/run= Parquet partitions', () => {
    const [[, props] = ['', {}]] = ofType(template, 'AWS::Glue::Table');
    const table = resolveCfn(props['TableInput'], {
      ...PSEUDO,
      [stack.getLogicalId(stack.data.datasets.node.defaultChild as never)]: 'datasets-bucket',
    }) as {
      Name: string;
      PartitionKeys: { Name: string; Type: string }[];
      StorageDescriptor: {
        Columns: { Name: string; Type: string }[];
        Location: string;
        SerdeInfo: { SerializationLibrary: string };
      };
    };
    expect(table.Name).toBe('features');
    expect(table.PartitionKeys.map((k) => `${k.Name} ${k.Type}`)).toEqual(['class string', 'run string']);
    expect(table.StorageDescriptor.Location).toBe('s3://datasets-bucket/train/features/');
    expect(table.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe(
      'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
    );
    const glue: Record<string, string> = {
      VARCHAR: 'string',
      DOUBLE: 'double',
      BOOLEAN: 'boolean',
      FLOAT: 'float',
    };
    const store = featureStoreSchema({ dataset: 'x', stage: 'validated' }, { runs: 0, rows: 0 }).columns;
    expect(table.StorageDescriptor.Columns.map((c) => `${c.Name} ${c.Type}`)).toEqual(
      store.filter((c) => c.name !== 'class').map((c) => `${c.name} ${glue[c.type] ?? '?'}`),
    );
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        ResultConfiguration: { EncryptionConfiguration: { EncryptionOption: 'SSE_S3' } },
      },
    });
  });

  it('runs the cloud as one Fargate task with a valid config, its secrets from Secrets Manager and its data on EFS', async () => {
    const [[, task] = ['', {}]] = ofType(template, 'AWS::ECS::TaskDefinition');
    const [container] = task['ContainerDefinitions'] as Record<string, unknown>[];
    expect(container?.['EntryPoint']).toEqual(['/bin/sh', '-c']);
    expect(container?.['Command']).toEqual([CONTAINER_START]);
    await run('sh', ['-n', '-c', CONTAINER_START]);
    const names = {
      'CloudLoadBalancer5A183B64.DNSName': 'emberwatch-123.eu-west-1.elb.amazonaws.com',
      [stack.getLogicalId(stack.data.models.node.defaultChild as never)]: 'models-bucket',
    };
    const env = resolveCfn(container?.['Environment'], names) as { Name: string; Value: string }[];
    const raw = JSON.parse(env.find((e) => e.Name === 'EMBERWATCH_CLOUD_CONFIG')?.Value ?? '{}') as unknown;
    const config = parseCloudConfig(raw, { baseDir: '/tmp/run' });
    expect(config.broker.host).toBe(CONTEXT.iotEndpoint);
    expect(config.broker.certPath).toBe('/tmp/run/service.crt');
    expect(config.registry?.store).toBe('s3://models-bucket/registry');
    expect(config.http.publicBaseUrl).toBe('https://emberwatch-123.eu-west-1.elb.amazonaws.com');
    expect(config.dataDir).toBe('/data');
    // Without -c cloudWorkers: no database, no shared group, one service (deploy-aws-workers.test.ts has the rest).
    expect(config.database).toBeUndefined();
    expect(config.broker.sharedGroup).toBeUndefined();
    expect(config.broker.clientId).toBeUndefined();
    expect(ofType(template, 'AWS::RDS::DBInstance')).toEqual([]);
    expect(ofType(template, 'AWS::ECS::Service').length).toBe(1);
    const secrets = resolveCfn(container?.['Secrets']) as { Name: string; ValueFrom: string }[];
    const secretId = `<${stack.getLogicalId(stack.cloud.secret.node.defaultChild as never)}>`;
    expect(secrets).toEqual(
      Object.entries(SECRET_FIELDS).map(([name, field]) => ({
        Name: name,
        ValueFrom: `${secretId}:${field}::`,
      })),
    );
    expect(JSON.stringify(env)).not.toMatch(/PRIVATE KEY/);
    // The secret's description is what an operator filling it in reads: it names every field.
    const [[, secret] = ['', {}]] = ofType(template, 'AWS::SecretsManager::Secret');
    for (const field of Object.values(SECRET_FIELDS)) expect(secret['Description']).toContain(field);
    template.hasResourceProperties('AWS::ECS::Service', {
      DesiredCount: 1,
      DeploymentConfiguration: { MaximumPercent: 100, MinimumHealthyPercent: 0 },
    });
    template.hasResourceProperties('AWS::EFS::FileSystem', { Encrypted: true });
    expect(JSON.stringify(task['Volumes'])).toContain('"TransitEncryption":"ENABLED"');
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Protocol: 'HTTPS' });
  });

  it('lets the task pull its image from the ECR repository it names, and only from that one', () => {
    const [[, task] = ['', {}]] = ofType(template, 'AWS::ECS::TaskDefinition');
    const [container] = task['ContainerDefinitions'] as Record<string, unknown>[];
    expect(resolveCfn(container?.['Image'], { ...PSEUDO, 'AWS::URLSuffix': 'amazonaws.com' })).toBe(
      CONTEXT.cloudImage,
    );
    const [executionRole] = (task['ExecutionRoleArn'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
    type Statement = { Action: string | string[]; Resource: unknown };
    const statements = ofType(template, 'AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p['Roles']).includes(`"${executionRole}"`))
      .flatMap(([, p]) => (resolveCfn(p['PolicyDocument'], PSEUDO) as { Statement: Statement[] }).Statement);
    const allowing = (action: string): Statement[] =>
      statements.filter((s) => [s.Action].flat().includes(action));
    expect(allowing('ecr:BatchGetImage').map((s) => s.Resource)).toEqual([
      'arn:aws:ecr:eu-west-1:123456789012:repository/emberwatch',
    ]);
    expect(allowing('ecr:GetAuthorizationToken').map((s) => s.Resource)).toEqual(['*']);
  });

  it('reads an ECR image address, and leaves any other registry to a plain pull', () => {
    expect(ecrImage(CONTEXT.cloudImage)).toEqual({
      account: '123456789012',
      region: 'eu-west-1',
      repository: 'emberwatch',
      tagOrDigest: '0.1.0',
    });
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(ecrImage(`123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/cloud@${digest}`)).toEqual({
      account: '123456789012',
      region: 'eu-west-1',
      repository: 'team/cloud',
      tagOrDigest: digest,
    });
    expect(ecrImage('123456789012.dkr.ecr.eu-west-1.amazonaws.com/emberwatch')?.tagOrDigest).toBe('latest');
    expect(ecrImage('public.ecr.aws/emberwatch/cloud:0.1.0')).toBeUndefined();
    expect(ecrImage('ghcr.io/emberwatch/cloud:0.1.0')).toBeUndefined();
  });

  it('alarms on every operator rule from the metrics the cloud logs, to an encrypted topic', () => {
    const alarms = ofType(template, 'AWS::CloudWatch::Alarm');
    expect(alarms.map(([, a]) => a['MetricName']).sort()).toEqual(
      ALERT_RULES.map((rule) => `OperatorAlertsActive.${rule}`).sort(),
    );
    for (const [, alarm] of alarms) {
      expect(alarm).toMatchObject({
        Namespace: 'Emberwatch',
        Statistic: 'Maximum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
      expect((alarm['AlarmActions'] as unknown[]).length).toBe(1);
    }
    expect(ofType(template, 'AWS::SNS::Topic')[0]?.[1]['KmsMasterKeyId']).toBeDefined();
  });

  it('passes cdk-nag with every acknowledged finding giving its reason', () => {
    const acknowledged = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ id, reason })),
      );
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const ack of acknowledged) expect(ack.reason.length, ack.id).toBeGreaterThan(40);
    console.log(
      `cdk-nag acknowledged: ${[...new Set(acknowledged.map((a) => a.id.replace(/\[.*$/, '')))].join(', ')}`,
    );
  });

  it('cdk-nag is live: a bucket with nothing set fails synthesis', () => {
    const app = new App({ outdir: join(outdir, 'bad') });
    const bad = new Stack(app, 'Bad');
    new s3.Bucket(bad, 'Open');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-S1'[\s\S]*AwsSolutions-S10'/);
  });

  it('names the missing setting when context is missing', () => {
    const error: unknown = (() => {
      try {
        buildApp(
          new App({ outdir: join(outdir, 'missing'), context: { ...CONTEXT, iotEndpoint: '' } }),
          TARGET,
        );
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(isEmberError(error, 'EMBER_ERR_BAD_OPTION')).toBe(true);
    expect((error as Error).message).toContain('context iotEndpoint is required');
  });
});
