import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { brokerCommand } from '../cli/commands/broker.js';
import { provisionCommand } from '../cli/commands/provision.js';
import { exitCodeFor, type CommandIo } from '../cli/options.js';
import { isEmberError } from '../shared/errors.js';
import { deviceTopics } from '../shared/topics.js';
import { waitFor } from './helpers/wait.js';

/** Runs a command in-process, as cli/main.ts would, capturing standard output. */
function harness(stopSignal: Promise<void> = new Promise(() => undefined)): {
  io: CommandIo;
  lines: () => Record<string, unknown>[];
} {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const io: CommandIo = { stdin: new PassThrough(), stdout, stderr: new PassThrough(), stopSignal };
  const lines = (): Record<string, unknown>[] =>
    text
      .split('\n')
      .filter((l) => l.trim() !== '' && l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { io, lines };
}

function workdir(): string {
  return mkdtempSync(join(tmpdir(), 'emberwatch-cli-'));
}

describe('emberwatch provision', () => {
  it('creates the CA on first use and writes device.key (0600), device.crt and ca.crt', async () => {
    const dir = workdir();
    const { io, lines } = harness();
    const args = ['--device', 'gw-7', '--ca', join(dir, 'ca'), '--out', join(dir, 'gw-7')];
    expect(await provisionCommand.run(args, io)).toBe(0);
    expect(lines()).toEqual([
      {
        deviceId: 'gw-7',
        certificate: join(dir, 'gw-7', 'device.crt'),
        key: join(dir, 'gw-7', 'device.key'),
        ca: join(dir, 'gw-7', 'ca.crt'),
      },
    ]);
    expect(statSync(join(dir, 'gw-7', 'device.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'ca', 'ca.key')).mode & 0o777).toBe(0o600);
    const cert = new X509Certificate(readFileSync(join(dir, 'gw-7', 'device.crt')));
    const caCert = new X509Certificate(readFileSync(join(dir, 'gw-7', 'ca.crt')));
    expect(cert.subject).toContain('CN=gw-7\nOU=device');
    expect(cert.verify(caCert.publicKey)).toBe(true);
  });

  it('reuses the files when run again for the same device, and refuses to overwrite another device', async () => {
    const dir = workdir();
    const base = ['--ca', join(dir, 'ca'), '--out', join(dir, 'out')];
    await provisionCommand.run(['--device', 'gw-1', ...base], harness().io);
    const before = readFileSync(join(dir, 'out', 'device.key'), 'utf8');
    expect(await provisionCommand.run(['--device', 'gw-1', ...base], harness().io)).toBe(0);
    expect(readFileSync(join(dir, 'out', 'device.key'), 'utf8')).toBe(before);
    const error: unknown = await provisionCommand
      .run(['--device', 'gw-2', ...base], harness().io)
      .catch((e: unknown) => e);
    expect(isEmberError(error, 'EMBER_ERR_PKI')).toBe(true);
    expect((error as Error).message).toMatch(/cannot be reused \(it belongs to device gw-1\)/);
    expect(readFileSync(join(dir, 'out', 'device.key'), 'utf8')).toBe(before);
  });

  it('rejects a bad device id with one line and exit code 2', async () => {
    const dir = workdir();
    const error: unknown = await provisionCommand
      .run(['--device', 'gw/1', '--out', join(dir, 'out'), '--ca', join(dir, 'ca')], harness().io)
      .catch((e: unknown) => e);
    expect(isEmberError(error, 'EMBER_ERR_BAD_OPTION')).toBe(true);
    expect(exitCodeFor(error)).toBe(2);
    expect((error as Error).message).toBe(
      'provision: --device: a device id is 1-64 characters of A-Z a-z 0-9 _ - :',
    );
  });

  it('requires --out', async () => {
    const error: unknown = await provisionCommand
      .run(['--device', 'gw-1'], harness().io)
      .catch((e: unknown) => e);
    expect(exitCodeFor(error)).toBe(2);
    expect((error as Error).message).toMatch(/^provision: --out:/);
  });

  it('prints its usage with --help', async () => {
    const { io } = harness();
    let text = '';
    io.stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    expect(await provisionCommand.run(['--help'], io)).toBe(0);
    expect(text).toMatch(/^emberwatch provision --device ID --out DIR/);
  });
});

describe('emberwatch broker', () => {
  it('serves devices provisioned from the same CA, prints {url, port, ca}, and stops on the stop signal', async () => {
    const dir = workdir();
    await provisionCommand.run(
      ['--device', 'gw-9', '--ca', join(dir, 'ca'), '--out', join(dir, 'gw-9')],
      harness().io,
    );
    let stop = (): void => undefined;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const { io, lines } = harness(stopped);
    const running = brokerCommand.run(
      ['--port', '0', '--ca', join(dir, 'ca'), '--data', join(dir, 'broker')],
      io,
    );
    await waitFor('the broker line', () => lines().length > 0);
    const [line] = lines();
    const port = line?.['port'] as number;
    expect(line).toEqual({ url: `mqtts://127.0.0.1:${port}`, port, ca: join(dir, 'ca', 'ca.crt') });
    expect(statSync(join(dir, 'broker', 'server.key')).mode & 0o777).toBe(0o600);

    const files = (name: string): Buffer => readFileSync(join(dir, 'gw-9', name));
    const client = await mqtt.connectAsync(`mqtts://127.0.0.1:${port}`, {
      protocolVersion: 4,
      reconnectPeriod: 0,
      clientId: 'gw-9',
      key: files('device.key'),
      cert: files('device.crt'),
      ca: files('ca.crt'),
    });
    await client.publishAsync(deviceTopics('gw-9').telemetry, '{}', { qos: 1 });
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    stop();
    expect(await running).toBe(0);
    await closed;
    await client.endAsync(true);
  });

  it('reuses its server certificate on the next run', async () => {
    const dir = workdir();
    const args = ['--port', '0', '--ca', join(dir, 'ca'), '--data', join(dir, 'broker')];
    expect(await brokerCommand.run(args, harness(Promise.resolve()).io)).toBe(0);
    const first = readFileSync(join(dir, 'broker', 'server.crt'), 'utf8');
    expect(await brokerCommand.run(args, harness(Promise.resolve()).io)).toBe(0);
    expect(readFileSync(join(dir, 'broker', 'server.crt'), 'utf8')).toBe(first);
    // A certificate that is not the CA's is replaced rather than served.
    writeFileSync(join(dir, 'broker', 'server.crt'), readFileSync(join(dir, 'ca', 'ca.crt')));
    expect(await brokerCommand.run(args, harness(Promise.resolve()).io)).toBe(0);
    expect(readFileSync(join(dir, 'broker', 'server.crt'), 'utf8')).not.toBe(first);
  });

  it('rejects a bad port with exit code 2', async () => {
    const error: unknown = await brokerCommand
      .run(['--port', 'eighty'], harness().io)
      .catch((e: unknown) => e);
    expect(exitCodeFor(error)).toBe(2);
    expect((error as Error).message).toMatch(/^broker: --port:/);
  });
});
