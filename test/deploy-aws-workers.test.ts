import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App, type CfnElement, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCloudConfig, type CloudConfig } from '../cloud/config/cloud-config.js';
import { SyncPostgres } from '../cloud/database/sync-postgres.js';
import { ingestFilters } from '../cloud/ingest/ingest-connection.js';
import { ensureCloudSecrets } from '../cloud/service/cloud-secrets.js';
import { buildApp } from '../deploy/aws/app.js';
import {
  cloudConfigFor,
  DATA_DIR,
  DATABASE_SECRET_FIELDS,
  RDS_CA_BUNDLE,
  SHARED_KEY_VARIABLES,
  WORKER_START,
} from '../deploy/aws/cloud-container.js';
import type { EmberwatchStack } from '../deploy/aws/emberwatch-stack.js';
import { isEmberError } from '../shared/errors.js';
import { PSEUDO, iotAllows, resolveCfn, type PolicyStatement } from './helpers/cfn-values.js';
import { createTestPki } from './helpers/pki.js';
import { startTlsPostgres } from './helpers/tls-postgres.js';

const run = promisify(execFile);

const CONTEXT = {
  cloudImage: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/emberwatch:0.1.0',
  iotEndpoint: 'abc123-ats.iot.eu-west-1.amazonaws.com',
  certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0e1f2a3b',
  cloudWorkers: '3',
};
const TARGET = { account: '123456789012', region: 'eu-west-1' };
const WORKERS = 3;

type Resource = {
  Type: string;
  Properties: Record<string, unknown>;
  DependsOn?: string[];
  DeletionPolicy?: string;
};

describe('deploy/aws: -c cloudWorkers=3, synthesized offline', { timeout: 120_000 }, () => {
  let outdir: string;
  let stack: EmberwatchStack;
  let resources: Record<string, Resource>;
  const ofType = (type: string): [string, Resource][] =>
    Object.entries(resources).filter(([, r]) => r.Type === type);
  const only = (type: string): [string, Resource] => {
    const found = ofType(type);
    expect(found.length, type).toBe(1);
    return found[0] as [string, Resource];
  };
  // Through the element's own id: the database's generated secret overrides the one its path gives.
  const logicalId = (construct: { node: { defaultChild?: unknown } }): string =>
    String(stack.resolve((construct.node.defaultChild as CfnElement).logicalId));

  beforeAll(async () => {
    outdir = await mkdtemp(join(tmpdir(), 'emberwatch-cdk-workers-'));
    const app = new App({ outdir, context: CONTEXT });
    stack = buildApp(app, TARGET).stack;
    // Synthesis runs cdk-nag's AWS Solutions checks; an unacknowledged finding throws here.
    app.synth();
    resources = Template.fromStack(stack).toJSON()['Resources'] as Record<string, Resource>;
  });

  afterAll(async () => {
    await rm(outdir, { recursive: true, force: true });
  });

  it('keeps the shared state in one encrypted, Multi-AZ, TLS-only PostgreSQL in the private subnets', () => {
    const [id, db] = only('AWS::RDS::DBInstance');
    expect(db.Properties).toMatchObject({
      Engine: 'postgres',
      StorageEncrypted: true,
      MultiAZ: true,
      PubliclyAccessible: false,
      DeletionProtection: true,
      DBName: 'emberwatch',
      MasterUsername: 'emberwatch',
    });
    expect(db.Properties['BackupRetentionPeriod']).toBeGreaterThanOrEqual(7);
    expect(db.DeletionPolicy).toBe('Snapshot');
    const [, parameters] = only('AWS::RDS::DBParameterGroup');
    expect(parameters.Properties['Parameters']).toEqual({ 'rds.force_ssl': '1' });
    expect(db.Properties['DBParameterGroupName']).toEqual({ Ref: only('AWS::RDS::DBParameterGroup')[0] });
    const [, subnetGroup] = only('AWS::RDS::DBSubnetGroup');
    const subnets = (subnetGroup.Properties['SubnetIds'] as { Ref: string }[]).map((s) => s.Ref);
    expect(subnets.length).toBe(2);
    for (const subnet of subnets) {
      const tags = resources[subnet]?.Properties['Tags'] as { Key: string; Value: string }[];
      expect(tags.find((t) => t.Key === 'aws-cdk:subnet-type')?.Value, subnet).toBe('Private');
    }
    // The password is generated into Secrets Manager and only referenced by the template.
    const secretId = logicalId(stack.cloud.database?.instance.node.findChild('Secret') as never);
    expect(resources[secretId]?.Properties['GenerateSecretString']).toMatchObject({
      GenerateStringKey: 'password',
    });
    expect(JSON.stringify(db.Properties['MasterUserPassword'])).toContain(`{"Ref":"${secretId}"}`);
    expect(id).toBe(logicalId(stack.cloud.database?.instance as never));
  });

  it('lets only the workers reach the database, on its port', () => {
    const dbGroup = logicalId(stack.cloud.database?.instance.connections.securityGroups[0] as never);
    const workers = logicalId(stack.cloud.workerGroup as never);
    expect(resources[dbGroup]?.Properties['SecurityGroupIngress']).toBeUndefined();
    const rules = ofType('AWS::EC2::SecurityGroupIngress').filter(
      ([, r]) =>
        JSON.stringify(r.Properties['GroupId']) === JSON.stringify({ 'Fn::GetAtt': [dbGroup, 'GroupId'] }),
    );
    expect(rules.map(([, r]) => r.Properties)).toEqual([
      expect.objectContaining({
        IpProtocol: 'tcp',
        SourceSecurityGroupId: { 'Fn::GetAtt': [workers, 'GroupId'] },
        FromPort: { 'Fn::GetAtt': [logicalId(stack.cloud.database?.instance as never), 'Endpoint.Port'] },
      }),
    ]);
    for (const [id, service] of ofType('AWS::ECS::Service')) {
      const network = service.Properties['NetworkConfiguration'] as {
        AwsvpcConfiguration: { SecurityGroups: unknown[]; AssignPublicIp: string };
      };
      expect(network.AwsvpcConfiguration.SecurityGroups, id).toEqual([
        { 'Fn::GetAtt': [workers, 'GroupId'] },
      ]);
      expect(network.AwsvpcConfiguration.AssignPublicIp, id).toBe('DISABLED');
    }
  });

  it('runs one service per worker behind one target group, replaced one worker at a time', () => {
    const services = ofType('AWS::ECS::Service');
    expect(services.length).toBe(WORKERS);
    const ids = stack.cloud.services.map((s) => logicalId(s));
    expect(services.map(([id]) => id).sort()).toEqual([...ids].sort());
    const [group, targetGroup] = only('AWS::ElasticLoadBalancingV2::TargetGroup');
    ids.forEach((id, index) => {
      const service = resources[id] as Resource;
      expect(service.Properties).toMatchObject({
        DesiredCount: 1,
        // A worker's old task stops before its new one starts: never two processes on one client id.
        DeploymentConfiguration: { MaximumPercent: 100, MinimumHealthyPercent: 0 },
        LoadBalancers: [{ ContainerName: 'cloud', ContainerPort: 8080, TargetGroupArn: { Ref: group } }],
      });
      // The chain: CloudFormation updates worker i+1 once worker i is stable again.
      const previous = ids[index - 1];
      if (previous !== undefined) expect(service.DependsOn).toContain(previous);
      for (const later of ids.slice(index)) expect(service.DependsOn ?? []).not.toContain(later);
    });
    // Sign-ins are in the database: any worker may answer any browser, so no stickiness.
    const attributes = (targetGroup.Properties['TargetGroupAttributes'] ?? []) as {
      Key: string;
      Value: string;
    }[];
    expect(attributes).not.toContainEqual({ Key: 'stickiness.enabled', Value: 'true' });
  });

  it('gives each worker its own client id, folder and the database, the password from its secret', () => {
    const dbId = logicalId(stack.cloud.database?.instance as never);
    const names = {
      [`${dbId}.Endpoint.Address`]: 'db.example.eu-west-1.rds.amazonaws.com',
      [`${dbId}.Endpoint.Port`]: '5432',
      'CloudLoadBalancer5A183B64.DNSName': 'emberwatch-123.eu-west-1.elb.amazonaws.com',
      [logicalId(stack.data.models)]: 'models-bucket',
    };
    const policy = resolveCfn(
      ofType('AWS::IoT::Policy').find(([, p]) => p.Properties['PolicyName'] === 'EmberwatchService')?.[1]
        .Properties['PolicyDocument'],
      PSEUDO,
    ) as { Statement: PolicyStatement[] };
    const arn = 'arn:aws:iot:eu-west-1:123456789012';
    const attachment = logicalId(stack.cloud.database?.secret as never);
    const configs: CloudConfig[] = [];
    for (const taskDefinition of stack.cloud.taskDefinitions) {
      const task = resources[logicalId(taskDefinition)] as Resource;
      const [container] = task.Properties['ContainerDefinitions'] as Record<string, unknown>[];
      expect(container?.['Command']).toEqual([WORKER_START]);
      const env = resolveCfn(container?.['Environment'], names) as { Name: string; Value: string }[];
      const text = env.find((e) => e.Name === 'EMBERWATCH_CLOUD_CONFIG')?.Value ?? '{}';
      const config = parseCloudConfig(JSON.parse(text) as unknown, { baseDir: '/tmp/run' });
      configs.push(config);
      expect(config.database).toBe(
        `postgres://db.example.eu-west-1.rds.amazonaws.com:5432/emberwatch?sslmode=verify-full&sslrootcert=${RDS_CA_BUNDLE}`,
      );
      expect(config.broker).toMatchObject({ protocol: 'mqtt5', sharedGroup: 'cloud', sessionExpiryS: 3600 });
      expect(env.find((e) => e.Name === 'EMBERWATCH_DATA_DIR')?.Value).toBe(config.dataDir);
      // The registry's catalogue is in the shared database: no per-worker file to go stale.
      expect(config.registry).toEqual({ store: expect.stringMatching(/^s3:\/\/.+\/registry$/) as unknown });
      // Field data is the learning lease holder's to write, and every next holder's to read.
      expect(config.learning.fieldDataDir).toBe(`${DATA_DIR}/field-data`);
      // IoT Core authorizes a shared subscription as its own filter: the policy names the group's.
      for (const filter of ingestFilters('mqtt5', config.broker.sharedGroup)) {
        expect(filter.startsWith('$share/cloud/'), filter).toBe(true);
        expect(
          iotAllows(policy.Statement, 'x', 'iot:Subscribe', `${arn}:topicfilter/${filter}`),
          filter,
        ).toBe(true);
        const topic = filter.replace('+', 'gw-1');
        expect(iotAllows(policy.Statement, 'x', 'iot:Receive', `${arn}:topic/${topic}`), topic).toBe(true);
      }
      expect(
        iotAllows(
          policy.Statement,
          'x',
          'iot:Subscribe',
          `${arn}:topicfilter/$share/other/emberwatch/v1/+/anomaly`,
        ),
      ).toBe(false);
      const clientId = config.broker.clientId ?? '';
      expect(
        iotAllows(
          policy.Statement,
          'x',
          'iot:Connect',
          `arn:aws:iot:eu-west-1:123456789012:client/${clientId}`,
        ),
      ).toBe(true);
      const secrets = resolveCfn(container?.['Secrets']) as { Name: string; ValueFrom: string }[];
      for (const [variable, field] of Object.entries(DATABASE_SECRET_FIELDS)) {
        expect(secrets).toContainEqual({ Name: variable, ValueFrom: `<${attachment}>:${field}::` });
      }
      for (const variable of Object.values(SHARED_KEY_VARIABLES)) {
        const from = secrets.find((s) => s.Name === variable)?.ValueFrom ?? '';
        const key = resources[from.slice(1, -1)];
        expect(key?.Properties['GenerateSecretString'], variable).toEqual({
          ExcludePunctuation: true,
          PasswordLength: 64,
        });
      }
      expect(text).not.toMatch(/PGPASSWORD|password/i);
    }
    // No two workers share a client id (they would throw each other off) or a folder (two SQLite writers).
    expect(new Set(configs.map((c) => c.broker.clientId)).size).toBe(WORKERS);
    expect(new Set(configs.map((c) => c.dataDir)).size).toBe(WORKERS);
    expect(resources[attachment]?.Properties['TargetId']).toEqual({ Ref: dbId });
  });

  it('starts a worker: its secrets.json holds the shared keys the cloud reads, and a missing CA is one line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'emberwatch-worker-start-'));
    try {
      const bin = join(dir, 'bin');
      await mkdir(bin);
      // Stands in for the installed command: keeps what it was started with.
      await writeFile(
        join(bin, 'emberwatch'),
        '#!/bin/sh\nprintf "%s\\n" "$@" > "$OUT/args"\ncp "$3" "$OUT/config.json"\n',
      );
      await chmod(join(bin, 'emberwatch'), 0o755);
      const keys = { webhookSecret: 'a'.repeat(64), csrfKey: 'b'.repeat(64), modelGrantKey: 'c'.repeat(64) };
      const env = {
        PATH: `${bin}:${process.env['PATH'] ?? ''}`,
        TMPDIR: dir,
        OUT: dir,
        EMBERWATCH_DATA_DIR: join(dir, 'data', 'worker-2'),
        EMBERWATCH_CLOUD_CONFIG: '{"dataDir":"x"}',
        EMBERWATCH_BROKER_CA: 'ca',
        EMBERWATCH_SERVICE_CERT: 'cert',
        EMBERWATCH_SERVICE_KEY: 'key',
        EMBERWATCH_FLEET_KEY: 'fleet',
        ...Object.fromEntries(
          Object.entries(SHARED_KEY_VARIABLES).map(([field, v]) => [v, keys[field as keyof typeof keys]]),
        ),
      };
      const missing = await run('sh', ['-c', WORKER_START], { env }).catch(
        (e: unknown) => e as { code: number; stderr: string },
      );
      expect(missing).toMatchObject({ code: 1 });
      expect((missing as { stderr: string }).stderr.trim().split('\n')).toEqual([
        `emberwatch: ${RDS_CA_BUNDLE} is not in the image; the database's certificate cannot be checked`,
      ]);
      // The same script with the bundle where this machine can put one.
      const bundle = join(dir, 'rds-global-bundle.pem');
      await writeFile(bundle, 'bundle');
      await run('sh', ['-c', WORKER_START.replaceAll(RDS_CA_BUNDLE, bundle)], { env });
      expect(await readFile(join(dir, 'config.json'), 'utf8')).toBe(env.EMBERWATCH_CLOUD_CONFIG);
      expect((await readFile(join(dir, 'args'), 'utf8')).split('\n').slice(0, 2)).toEqual([
        'cloud',
        '--config',
      ]);
      const file = join(env.EMBERWATCH_DATA_DIR, 'secrets.json');
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(await ensureCloudSecrets(env.EMBERWATCH_DATA_DIR)).toEqual(keys);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('lets the execution role read the secrets the workers get, and the task role none', () => {
    type Statement = { Action: string | string[]; Resource: unknown };
    const statementsOf = (roleId: string): Statement[] =>
      ofType('AWS::IAM::Policy')
        .filter(([, p]) => JSON.stringify(p.Properties['Roles']).includes(`"${roleId}"`))
        .flatMap(([, p]) => (p.Properties['PolicyDocument'] as { Statement: Statement[] }).Statement);
    const reading = (roleId: string): string[] =>
      statementsOf(roleId)
        .filter((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'))
        .map((s) => String(resolveCfn(s.Resource)));
    const [task] = stack.cloud.taskDefinitions;
    const executionRole = logicalId(task?.executionRole as never);
    const handedOver = new Set<string>();
    for (const taskDefinition of stack.cloud.taskDefinitions) {
      const definition = resources[logicalId(taskDefinition)] as Resource;
      expect(definition.Properties['ExecutionRoleArn']).toEqual({ 'Fn::GetAtt': [executionRole, 'Arn'] });
      const [container] = definition.Properties['ContainerDefinitions'] as Record<string, unknown>[];
      for (const secret of resolveCfn(container?.['Secrets']) as { ValueFrom: string }[]) {
        handedOver.add(secret.ValueFrom.replace(/:.*$/, ''));
      }
    }
    expect(handedOver.size).toBe(5);
    expect(reading(executionRole).sort()).toEqual([...handedOver].sort());
    expect(reading(logicalId(task?.taskRole as never))).toEqual([]);
  });

  it("reaches the database with a worker's URL from both PostgreSQL clients: TLS checked, credentials from the environment", async () => {
    const pki = await createTestPki();
    const password = 'generated-password-0123';
    const server = await startTlsPostgres('emberwatch', password, pki.server);
    const saved = { PGUSER: process.env['PGUSER'], PGPASSWORD: process.env['PGPASSWORD'] };
    try {
      await writeFile(join(pki.dir, 'rds-ca.pem'), pki.ca.certPem);
      await writeFile(join(pki.dir, 'foreign-ca.pem'), pki.foreignCa.certPem);
      const config = cloudConfigFor({
        iotEndpoint: CONTEXT.iotEndpoint,
        publicBaseUrl: 'https://emberwatch.example',
        modelsBucket: 'models-bucket',
        metricsNamespace: 'Emberwatch',
        worker: {
          index: 1,
          databaseHost: 'localhost',
          databasePort: String(server.port),
          databaseName: 'postgres',
        },
      });
      // The CA bundle where this machine has one, instead of the image's path.
      const url = (ca: string): string =>
        String(config['database']).replace(RDS_CA_BUNDLE, join(pki.dir, ca));
      process.env['PGUSER'] = 'emberwatch';
      process.env['PGPASSWORD'] = password;
      const query = 'SELECT current_user AS who, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()';
      const sync = new SyncPostgres(url('rds-ca.pem'), 'deploy test');
      sync.open();
      expect(sync.prepare(query).get()).toEqual({ who: 'emberwatch', ssl: true });
      sync.close();
      const client = new pg.Client({ connectionString: url('rds-ca.pem') });
      await client.connect();
      expect((await client.query(query)).rows).toEqual([{ who: 'emberwatch', ssl: true }]);
      await client.end();
      // A server whose certificate the bundle does not vouch for is refused by both.
      expect(() => new SyncPostgres(url('foreign-ca.pem'), 'deploy test').open()).toThrow(
        /certificate verify failed/,
      );
      const foreign = new pg.Client({ connectionString: url('foreign-ca.pem') });
      await expect(foreign.connect()).rejects.toThrow(/certificate/);
      process.env['PGPASSWORD'] = 'not-the-password';
      expect(() => new SyncPostgres(url('rds-ca.pem'), 'deploy test').open()).toThrow(
        /password authentication failed/,
      );
    } finally {
      if (saved.PGUSER === undefined) delete process.env['PGUSER'];
      else process.env['PGUSER'] = saved.PGUSER;
      if (saved.PGPASSWORD === undefined) delete process.env['PGPASSWORD'];
      else process.env['PGPASSWORD'] = saved.PGPASSWORD;
      await server.stop();
      await pki.remove();
    }
  });

  it('passes cdk-nag with every acknowledged finding giving its reason', () => {
    const acknowledged = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ id, reason })),
      );
    const ids = [...new Set(acknowledged.map((a) => a.id.replace(/\[.*$/, '').replace(/^.*::/, '')))];
    // The database's own: its port, and its generated secret and the shared keys left unrotated.
    expect(ids).toEqual(expect.arrayContaining(['AwsSolutions-RDS11', 'AwsSolutions-SMG4']));
    console.log(`cdk-nag acknowledged with workers: ${ids.join(', ')}`);
    for (const ack of acknowledged) expect(ack.reason.length, ack.id).toBeGreaterThan(40);
  });

  it('refuses a worker count it cannot make, naming the setting', () => {
    for (const value of ['1', 'three', '17', '2.5']) {
      const error: unknown = (() => {
        try {
          buildApp(
            new App({ outdir: join(outdir, `bad-${value}`), context: { ...CONTEXT, cloudWorkers: value } }),
            TARGET,
          );
          return undefined;
        } catch (e) {
          return e;
        }
      })();
      expect(isEmberError(error, 'EMBER_ERR_BAD_OPTION'), value).toBe(true);
      expect((error as Error).message).toContain('context cloudWorkers must be a whole number from 2 to 16');
    }
  });
});
