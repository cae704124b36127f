import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import type { TestPki } from './pki.js';

/** A mosquitto process of our own on 127.0.0.1 with one mutual-TLS listener. */
export interface MosquittoProcess {
  readonly port: number;
  /** `mqtts://127.0.0.1:port` (or mqtt:// for a password listener) for MQTT.js. */
  readonly url: string;
  /** Everything mosquitto wrote to stderr so far, for failure messages. */
  output(): string;
  /** Sends SIGTERM and waits for the process to exit (SIGKILL after 2 s). */
  stop(): Promise<void>;
}

export interface MosquittoOptions {
  /** A fixed port, e.g. to restart on the port of a stopped instance; a free one by default. */
  readonly port?: number;
  /** QoS 1 messages queued per client beyond the in-flight window; mosquitto's default, 1000, drops the rest. */
  readonly maxQueuedMessages?: number;
}

/** Debian installs the broker in /usr/sbin, which is not on an ordinary user's PATH. */
export function findMosquitto(): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  return dirs
    .filter((dir) => dir !== '')
    .map((dir) => join(dir, 'mosquitto'))
    .find((path) => existsSync(path));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts mosquitto on a free port with a TLS listener that requires a client
 * certificate from `pki`'s CA and takes the certificate CN as the user name.
 * No system service is involved; the caller must `stop()` it.
 */
export async function startMosquitto(
  pki: TestPki,
  options: MosquittoOptions = {},
): Promise<MosquittoProcess> {
  const binary = findMosquitto();
  if (binary === undefined) throw new Error('mosquitto not found: apt-get install -y mosquitto');
  const files = {
    conf: join(pki.dir, 'mosquitto.conf'),
    ca: join(pki.dir, 'mosquitto-ca.crt'),
    cert: join(pki.dir, 'mosquitto-server.crt'),
    key: join(pki.dir, 'mosquitto-server.key'),
  };
  await writeFile(files.ca, pki.ca.certPem);
  await writeFile(files.cert, pki.server.certPem);
  await writeFile(files.key, pki.server.keyPem, { mode: 0o600 });
  const port = options.port ?? (await freePort());
  const conf = [
    // Started as root, mosquitto would switch to the `mosquitto` user, which cannot read our 0600 key.
    `user ${userInfo().username}`,
    'persistence false',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    `max_queued_messages ${options.maxQueuedMessages ?? 10_000}`,
    `listener ${port} 127.0.0.1`,
    `cafile ${files.ca}`,
    `certfile ${files.cert}`,
    `keyfile ${files.key}`,
    'require_certificate true',
    'use_identity_as_username true',
    'allow_anonymous false',
    '',
  ].join('\n');
  await writeFile(files.conf, conf);
  return runMosquitto(binary, files.conf, port, `mqtts://127.0.0.1:${port}`);
}

/** Runs mosquitto on `conf` and waits until it accepts connections on `port`. */
async function runMosquitto(
  binary: string,
  conf: string,
  port: number,
  url: string,
): Promise<MosquittoProcess> {
  const child: ChildProcess = spawn(binary, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const state = { running: true };
  void exited.then(() => (state.running = false));

  const deadline = Date.now() + 5000;
  while (!(await accepts(port))) {
    if (!state.running || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`mosquitto did not start on port ${port}: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }

  return {
    port,
    url,
    output: () => stderr,
    async stop() {
      if (!state.running) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Who may use a password listener. */
export interface MosquittoUser {
  readonly username: string;
  readonly password: string;
}

/**
 * Starts mosquitto on a free port with a plain listener that takes only
 * `user` (a password file made by mosquitto_passwd), as the broker a home
 * automation hub runs on a LAN usually is.
 */
export async function startPasswordMosquitto(dir: string, user: MosquittoUser): Promise<MosquittoProcess> {
  const binary = findMosquitto();
  if (binary === undefined) throw new Error('mosquitto not found: apt-get install -y mosquitto');
  const passwords = join(dir, 'mosquitto-passwords');
  await writeFile(passwords, '', { mode: 0o600 });
  await new Promise<void>((resolve, reject) => {
    const child = spawn('mosquitto_passwd', ['-b', passwords, user.username, user.password], {
      stdio: 'ignore',
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`mosquitto_passwd exited ${code}`)),
    );
  });
  const port = await freePort();
  const conf = join(dir, 'mosquitto-password.conf');
  await writeFile(
    conf,
    [
      `user ${userInfo().username}`,
      'persistence false',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      `listener ${port} 127.0.0.1`,
      `password_file ${passwords}`,
      'allow_anonymous false',
      '',
    ].join('\n'),
  );
  return runMosquitto(binary, conf, port, `mqtt://127.0.0.1:${port}`);
}
