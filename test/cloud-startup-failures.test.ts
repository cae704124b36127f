import { spawn } from 'node:child_process';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerSection, freePort, writeServiceFiles, type ServiceFiles } from './helpers/cloud-bed.js';
import { assertFreshBuild } from './helpers/fresh-build.js';
import { embeddedLinkBroker, type LinkBroker } from './helpers/link-brokers.js';
import { CLI } from './helpers/run-cli.js';

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  /** Standard error without pino's JSON log lines: what a person reads. */
  readonly lines: string[];
  readonly ms: number;
}

/** Runs `emberwatch cloud` and waits for it to end by itself (killed after `boundMs`, which then fails the test). */
function runCloud(
  configPath: string,
  options: { env?: NodeJS.ProcessEnv; onStarted?: (kill: (s: NodeJS.Signals) => void) => void } = {},
  boundMs = 20_000,
): Promise<Exit> {
  const begun = Date.now();
  const child = spawn(process.execPath, [CLI, 'cloud', '--config', configPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, EMBERWATCH_LOG_LEVEL: 'warn', ...options.env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    if (stdout.includes('"cloud":"started"')) options.onStarted?.((s) => child.kill(s));
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), boundMs);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const lines = stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('{'));
      resolve({ code, signal, stdout, lines, ms: Date.now() - begun });
    });
  });
}

describe('emberwatch cloud: fatal start-up problems end the process with one line', () => {
  let broker: LinkBroker;
  let dir: string;
  let files: ServiceFiles;
  let blocker: Server;
  const config = async (
    name: string,
    edit: (c: Record<string, unknown>) => void | Promise<void>,
  ): Promise<string> => {
    const raw: Record<string, unknown> = {
      broker: brokerSection(broker, files),
      dataDir: `data-${name}`,
      http: { host: '127.0.0.1', port: 0 },
    };
    await edit(raw);
    const path = join(dir, `${name}.json`);
    await writeFile(path, JSON.stringify(raw));
    return path;
  };

  beforeAll(async () => {
    assertFreshBuild(['cli', 'cloud', 'factory', 'shared']);
    broker = await embeddedLinkBroker();
    dir = await mkdtemp(join(tmpdir(), 'emberwatch-cloud-start-'));
    files = await writeServiceFiles(broker, dir);
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => blocker.close(resolve));
    await broker.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    [
      'the broker is unreachable',
      async (c: Record<string, unknown>) => {
        c['broker'] = { ...(c['broker'] as object), port: await freePort() };
      },
      /^emberwatch ingest: no connection to 127\.0\.0\.1:\d+ within 5000 ms \(last attempt: .*ECONNREFUSED.*\)$/,
      1,
    ],
    [
      'the CA file is missing',
      (c: Record<string, unknown>) => {
        c['broker'] = { ...(c['broker'] as object), caPath: join(dir, 'no-such-ca.crt') };
      },
      // A file the config names that is not there is the config's fault: exit 2, naming the field.
      /^emberwatch cloud: config: broker\.caPath: cannot read .*no-such-ca\.crt \(ENOENT\)$/,
      2,
    ],
    [
      'the HTTP port is taken',
      (c: Record<string, unknown>) => {
        c['http'] = { host: '127.0.0.1', port: (blocker.address() as AddressInfo).port };
      },
      /^emberwatch cloud API cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/,
      1,
    ],
    [
      'the PostgreSQL database is unreachable',
      (c: Record<string, unknown>) => {
        c['database'] = `postgresql://ember@/emberwatch?host=${encodeURIComponent(join(dir, 'no-server'))}`;
      },
      // Access (users, tokens, sessions) is the first store to start on PostgreSQL.
      /^emberwatch access store: cannot connect to PostgreSQL: .+$/,
      1,
    ],
    [
      "a device's certificate is the service certificate",
      async (c: Record<string, unknown>) => {
        const device = await broker.pki.device('gw-stolen-1');
        await writeFile(join(dir, 'device.crt'), device.certPem);
        await writeFile(join(dir, 'device.key'), device.keyPem, { mode: 0o600 });
        c['broker'] = {
          ...(c['broker'] as object),
          certPath: join(dir, 'device.crt'),
          keyPath: join(dir, 'device.key'),
        };
      },
      /^emberwatch service certificate .*device\.crt is a device certificate \(CN=gw-stolen-1, OU=device\); the cloud connects as a service and needs OU=service$/,
      1,
    ],
  ])(
    '%s: one line, and the exit code that problem calls for',
    async (name, edit, line, code) => {
      const path = await config(name.replace(/\W+/g, '-'), edit);
      const exit = await runCloud(path);
      expect(exit.code, exit.lines.join('\n')).toBe(code);
      expect(exit.lines).toHaveLength(1);
      expect(exit.lines[0]).toMatch(line);
      expect(exit.stdout).not.toContain('"cloud":"started"');
    },
    30_000,
  );

  it('exits within its stop bound even while still stopping after SIGTERM', async () => {
    const path = await config('bound', () => undefined);
    const exit = await runCloud(path, {
      env: { EMBERWATCH_STOP_TIMEOUT_S: '0.001' },
      onStarted: (kill) => kill('SIGTERM'),
    });
    expect(exit.code).toBe(143);
    expect(exit.lines).toEqual(['emberwatch: did not stop within 0.001 s of SIGTERM; exiting']);
  }, 30_000);
});
