import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../edge/config/agent-config.js';
import { createTestPki } from './helpers/pki.js';
import { runCli } from './helpers/run-cli.js';

const GOOD = `deviceId: gw-config-1
sensors:
  - { id: pm, protocol: pms5003, path: /dev/ttyUSB0 }
broker: { host: 127.0.0.1, port: 8883, certPath: /x/gw.crt, keyPath: /x/gw.key }
outbox: { path: /tmp/outbox.db }
`;

const yamlFree = {
  deviceId: 'gw-json-1',
  sensors: [{ id: 'pm', protocol: 'pms5003', path: '/dev/ttyUSB0' }],
  broker: { host: '127.0.0.1', certPath: '/x/gw.crt', keyPath: '/x/gw.key' },
  outbox: { path: '/tmp/outbox.db' },
};

describe('emberwatch edge --config', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emberwatch-edge-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function file(name: string, body: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, body);
    return path;
  }

  it.each([
    ['bad-protocol.yaml', GOOD.replace('pms5003', 'pms9999'), 'sensors.0.protocol'],
    ['bad-port.yaml', GOOD.replace('port: 8883', 'port: 70000'), 'broker.port'],
    ['no-device.yaml', GOOD.replace('deviceId: gw-config-1\n', ''), 'deviceId'],
    ['extra.json', JSON.stringify({ deviceId: 'gw', sensors: [], broker: {}, outbox: {} }), 'sensors'],
    ['typo.yaml', `${GOOD}telemetryIntervall: 5\n`, 'telemetryIntervall'],
    [
      'sensor-typo.yaml',
      GOOD.replace('path: /dev/ttyUSB0 }', 'path: /dev/ttyUSB0, baudrate: 9600 }'),
      'sensors.0.baudrate: unknown setting',
    ],
    [
      'alarm-typo.yaml',
      `${GOOD}alarm:\n  low: { threshold: 0.3, raiseAfter: 3, clearAfter: 30 }\n  medium: { threshold: 0.6, raiseAfter: 3, clearAfter: 30 }\n  high: { threshold: 0.9, raiseAfter: 3, clearAfter: 60, raiseAfterS: 3 }\n  hysteresis: 0.1\n`,
      'alarm.high.raiseAfterS',
    ],
    [
      'reconnect-typo.yaml',
      GOOD.replace('port: 8883,', 'port: 8883, reconnect: { minms: 5 },'),
      'broker.reconnect.minms',
    ],
    [
      'agent.conf',
      `{ "deviceId": "gw-conf", `,
      'read as JSON because its name ends in .conf and it starts with "{"',
    ],
    ['empty.yaml', '', 'holds nothing, not a mapping of settings'],
  ])('%s: one line naming the field, exit 2', async (name, body, field) => {
    const result = await runCli(['edge', '--config', await file(name, body)]);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(field);
  });

  it('reads a file of another name as YAML unless it starts with "{", and says so', async () => {
    const config = await loadAgentConfig(await file('agent.conf', GOOD), {});
    expect(config.deviceId).toBe('gw-config-1');
    const json = await loadAgentConfig(await file('agent.cfg', JSON.stringify(yamlFree)), {});
    expect(json.deviceId).toBe('gw-json-1');
    const result = await runCli(['edge', '--config', await file('broken.conf', 'deviceId: [gw\n')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'not valid YAML (read as YAML because its name ends in .conf and it does not start with "{")',
    );
  });

  it('names the field and the file of a missing, unreadable or mismatched certificate, key or fleet key', async () => {
    const pki = await createTestPki();
    try {
      const device = await pki.device('gw-config-1');
      const other = await pki.device('gw-config-2');
      const certPath = await file('gw.crt', device.certPem);
      const keyPath = await file('gw.key', device.keyPem);
      const otherKey = await file('other.key', other.keyPem);
      const caPath = await file('ca.crt', pki.ca.certPem);
      const rsa = generateKeyPairSync('rsa', {
        modulusLength: 2048,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      });
      const rsaPath = await file('fleet-rsa.pem', rsa.publicKey);
      const missing = join(dir, 'missing.crt');
      const broker = (b: Record<string, unknown>): string =>
        GOOD.replace(
          'broker: { host: 127.0.0.1, port: 8883, certPath: /x/gw.crt, keyPath: /x/gw.key }',
          `broker: ${JSON.stringify({ host: '127.0.0.1', port: 8883, caPath, certPath, keyPath, ...b })}`,
        );
      const cases: [string, string, string][] = [
        [broker({ certPath: missing }), 'broker.certPath', `cannot read ${missing} (ENOENT)`],
        [broker({ keyPath: join(dir, 'missing.key') }), 'broker.keyPath', 'missing.key (ENOENT)'],
        [broker({ caPath: join(dir, 'missing-ca.crt') }), 'broker.caPath', 'missing-ca.crt (ENOENT)'],
        [broker({ certPath: keyPath }), 'broker.certPath', `${keyPath} holds no certificate`],
        [
          broker({ keyPath: otherKey }),
          'broker.keyPath',
          `${otherKey} is not the private key of the certificate`,
        ],
        [
          `${broker({})}model: { dir: ${join(dir, 'models')}, fleetPublicKeyPath: ${rsaPath} }\n`,
          'model.fleetPublicKeyPath',
          `${rsaPath}: public key is rsa, not ed25519`,
        ],
      ];
      for (const [index, [body, field, detail]] of cases.entries()) {
        const result = await runCli(['edge', '--config', await file(`files-${String(index)}.yaml`, body)]);
        expect(result.code).toBe(2);
        const lines = result.stderr.trim().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain(`config: ${field}: `);
        expect(lines[0]).toContain(detail);
      }
    } finally {
      await pki.remove();
    }
  }, 60_000);

  it('the example config parses, every documented setting included', async () => {
    const example = fileURLToPath(new URL('../edge/config/example.yaml', import.meta.url));
    const config = await loadAgentConfig(example, {});
    expect(config.broker.reconnect).toEqual({ minMs: 1000, maxMs: 60_000, alarmRetryMs: 1000 });
    expect(config.outbox.reserveBytes).toBe(4 * 1024 * 1024);
    expect(config.model?.maxOfferAheadS).toBe(86_400);
  });

  it('accepts broker.clientId only as the device id with a # suffix, naming the field otherwise', async () => {
    const good = await loadAgentConfig(
      await file(
        'client-good.json',
        JSON.stringify({ ...yamlFree, broker: { ...yamlFree.broker, clientId: 'gw-json-1#emberwatch' } }),
      ),
    );
    expect(good.broker.clientId).toBe('gw-json-1#emberwatch');
    const path = await file(
      'client-bad.json',
      JSON.stringify({ ...yamlFree, broker: { ...yamlFree.broker, clientId: 'gw-other#emberwatch' } }),
    );
    const result = await runCli(['edge', '--config', path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/broker\.clientId: must be gw-json-1 or gw-json-1#SUFFIX/);
  });

  it('a missing file and a missing option are exit 2 too', async () => {
    expect((await runCli(['edge', '--config', join(dir, 'absent.yaml')])).code).toBe(2);
    expect((await runCli(['edge'])).code).toBe(2);
    const help = await runCli(['edge', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('EMBERWATCH_BROKER_HOST');
  });

  it('environment overrides win over the file, and are validated', async () => {
    const path = await file(
      'good.yaml',
      `${GOOD}model: { dir: /opt/models, fleetPublicKeyPath: /x/fleet.pem }\n`,
    );
    const config = await loadAgentConfig(path, {
      EMBERWATCH_DEVICE_ID: 'gw-env-2',
      EMBERWATCH_BROKER_HOST: 'broker.local',
      EMBERWATCH_BROKER_PORT: '1883',
      EMBERWATCH_MODEL_DIR: '/var/lib/models',
    });
    expect(config).toMatchObject({
      deviceId: 'gw-env-2',
      broker: { host: 'broker.local', port: 1883 },
      model: { dir: '/var/lib/models' },
    });
    expect(config.telemetryIntervalS).toBe(10);
    expect(config.statusIntervalS).toBe(30);
    const bad = await runCli(['edge', '--config', path], undefined, 15_000, {
      ...process.env,
      EMBERWATCH_BROKER_PORT: 'eighty',
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('EMBERWATCH_BROKER_PORT');
    const noKey = await runCli(['edge', '--config', await file('plain.yaml', GOOD)], undefined, 15_000, {
      ...process.env,
      EMBERWATCH_MODEL_DIR: join(dir, 'models'),
    });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('model.fleetPublicKeyPath');
  });
});
