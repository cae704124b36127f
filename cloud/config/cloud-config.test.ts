import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { isEmberError } from '../../shared/errors.js';
import { loadCloudConfig, parseCloudConfig } from './cloud-config.js';

const GOOD = `broker:
  host: broker.local
  caPath: pki/ca.crt
  certPath: pki/cloud.crt
  keyPath: /etc/emberwatch/cloud.key
dataDir: data
zones:
  kitchen: [gw-1, gw-2]
registry: { store: models, catalogFile: models/catalog.db }
fleetKey: { privateKeyPath: fleet.pem }
response:
  notify: [{ url: 'https://hooks.example.org/fire', headers: { x-team: ops }, secret: s3cret }]
  repeatEveryS: 60
learning: { trainingData: 's3://learning-bucket/synthetic', heldOutData: held-out, fieldDataDir: field }
`;

function badConfigMessage(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (isEmberError(error, 'EMBER_ERR_BAD_CONFIG')) return error.message;
    throw error;
  }
  throw new Error('no error');
}

describe('cloud config', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emberwatch-cloud-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads YAML, fills defaults and resolves relative paths against the file', async () => {
    const path = join(dir, 'cloud.yaml');
    await writeFile(path, GOOD);
    const config = await loadCloudConfig(path, {});
    expect(config.broker).toEqual({
      host: 'broker.local',
      port: 8883,
      protocol: 'auto',
      caPath: join(dir, 'pki/ca.crt'),
      certPath: join(dir, 'pki/cloud.crt'),
      keyPath: '/etc/emberwatch/cloud.key',
    });
    expect(config.dataDir).toBe(join(dir, 'data'));
    expect(config.http).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(config.zones).toEqual({ kitchen: ['gw-1', 'gw-2'] });
    expect(config.registry).toEqual({
      store: join(dir, 'models'),
      catalogFile: join(dir, 'models/catalog.db'),
    });
    expect(config.fleetKey).toEqual({ privateKeyPath: join(dir, 'fleet.pem') });
    expect(config.response.notify[0]?.headers).toEqual({ 'x-team': 'ops' });
    expect(config.response.escalateAfterS).toBe(300);
    // URLs are not paths; folders resolve against the file.
    expect(config.learning).toEqual({
      trainingData: 's3://learning-bucket/synthetic',
      heldOutData: join(dir, 'held-out'),
      fieldDataDir: join(dir, 'field'),
    });
    expect(config.rollout).toEqual({ canaryShare: 0.1 });
    expect(config.alerts.offlineAfterS).toBe(300);
  });

  it('needs no registry catalogue file when the database keeps the catalogue', () => {
    const shared = GOOD.replace(', catalogFile: models/catalog.db', '').replace(
      'dataDir: data\n',
      'dataDir: data\ndatabase: postgres://db.local/ember\n',
    );
    const config = parseCloudConfig(parseYaml(shared), { baseDir: dir });
    expect(config.database).toBe('postgres://db.local/ember');
    expect(config.registry).toEqual({ store: join(dir, 'models') });
    const message = badConfigMessage(() =>
      parseCloudConfig(parseYaml(GOOD.replace(', catalogFile: models/catalog.db', '')), { baseDir: dir }),
    );
    expect(message).toBe(
      'config: registry.catalogFile: needed unless database: keeps the catalogue in PostgreSQL',
    );
  });

  it('loads the sample file', async () => {
    const sample = fileURLToPath(new URL('./example.yaml', import.meta.url));
    const config = await loadCloudConfig(sample, {});
    expect(config.zones['kitchen']).toEqual(['gw-kitchen-01', 'gw-kitchen-02']);
    expect(config.rollout.canaryShare).toBe(0.1);
  });

  it('lets the environment override the file, and validates it', () => {
    const raw = {
      broker: { host: 'a', caPath: 'c', certPath: 'c', keyPath: 'k' },
      dataDir: 'd',
      http: { port: 1 },
    };
    const config = parseCloudConfig(raw, {
      env: {
        EMBERWATCH_BROKER_HOST: 'broker.env',
        EMBERWATCH_BROKER_PORT: '1883',
        EMBERWATCH_BROKER_SHARED_GROUP: 'workers',
        EMBERWATCH_BROKER_CLIENT_ID: 'emberwatch-cloud-2',
        EMBERWATCH_CLOUD_HTTP_PORT: '9090',
        EMBERWATCH_CLOUD_DATA_DIR: 'var/cloud',
        EMBERWATCH_CLOUD_PUBLIC_URL: 'https://ember.example.org',
        EMBERWATCH_CLOUD_DATABASE: 'postgresql://ember@db.internal:5433/emberwatch?sslmode=require',
      },
      baseDir: '/etc/emberwatch',
      cwd: '/srv',
    });
    expect(config.broker).toMatchObject({
      host: 'broker.env',
      port: 1883,
      sharedGroup: 'workers',
      clientId: 'emberwatch-cloud-2',
    });
    expect(config.broker.caPath).toBe('/etc/emberwatch/c');
    expect(config.http).toEqual({
      host: '127.0.0.1',
      port: 9090,
      publicBaseUrl: 'https://ember.example.org',
    });
    expect(config.dataDir).toBe('/srv/var/cloud');
    expect(config.database).toBe('postgresql://ember@db.internal:5433/emberwatch?sslmode=require');
    expect(
      badConfigMessage(() => parseCloudConfig(raw, { env: { EMBERWATCH_CLOUD_HTTP_PORT: 'http' } })),
    ).toBe('config: EMBERWATCH_CLOUD_HTTP_PORT: not a port number: "http"');
  });

  it.each([
    ['broker.port', (c: string) => c.replace('host: broker.local', 'host: broker.local\n  port: 70000')],
    [
      'broker.protocol',
      (c: string) => c.replace('host: broker.local', 'host: broker.local\n  protocol: mqtt4'),
    ],
    ['broker.sharedGroup', (c: string) => c.replace('host: broker.local', 'host: b\n  sharedGroup: a/b')],
    ['dataDir', (c: string) => c.replace('dataDir: data\n', '')],
    ['database', (c: string) => c.replace('dataDir: data\n', 'dataDir: data\ndatabase: mysql://db/ember\n')],
    ['zones.kitchen.1', (c: string) => c.replace('[gw-1, gw-2]', "[gw-1, 'gw 2']")],
    ['zones.hall.0', (c: string) => c.replace('kitchen: [gw-1, gw-2]', 'kitchen: [gw-1]\n  hall: [gw-1]')],
    ['response.notify.0.url', (c: string) => c.replace('https://hooks', 'ftp://hooks')],
    ['registry.store', (c: string) => c.replace('store: models', "store: 'gs://bucket'")],
    ['registry.catalogFile', (c: string) => c.replace(', catalogFile: models/catalog.db', '')],
    ['brokr', (c: string) => `${c}brokr: {}\n`],
  ])('a bad %s is one line naming it', (field, edit) => {
    const message = badConfigMessage(() => parseCloudConfig(parseYaml(edit(GOOD)), { baseDir: dir }));
    expect(message).toMatch(new RegExp(`^config: ${field.replaceAll('.', '\\.')}: `));
    expect(message).not.toContain('\n');
  });

  it('names the file when it cannot be read or parsed', async () => {
    const missing = join(dir, 'absent.yaml');
    await expect(loadCloudConfig(missing, {})).rejects.toThrow(`config: ${missing}: cannot read: ENOENT`);
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{"broker": ');
    await expect(loadCloudConfig(broken, {})).rejects.toThrow(/^config: .*broken\.json: not valid JSON/);
  });
});
