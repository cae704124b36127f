import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../edge/config/agent-config.js';
import { runCli } from './helpers/run-cli.js';

const GOOD = `deviceId: gw-config-1
sensors:
  - { id: pm, protocol: pms5003, path: /dev/ttyUSB0 }
broker: { host: 127.0.0.1, port: 8883, certPath: /x/gw.crt, keyPath: /x/gw.key }
outbox: { path: /tmp/outbox.db }
`;

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
  ])('%s: one line naming the field, exit 2', async (name, body, field) => {
    const result = await runCli(['edge', '--config', await file(name, body)]);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(field);
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
