import { execFile, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import type { AgentConfigInput } from '../../edge/config/agent-config.js';
import type { BrokerFixture } from './broker.js';
import { waitFor } from './wait.js';

const run = promisify(execFile);

/** The files of deploy/pi/, all shipped in the package. */
export const PI_FILES = [
  'install.sh',
  'emberwatch-edge.service',
  'emberwatch.sysusers',
  'agent.yaml',
] as const;

/** A systemd unit file's directives, section by section, in order (a key may repeat). */
export type UnitFile = Map<string, [string, string][]>;

/** Parses a unit file the way systemd reads it: sections, `Key=value` lines, `#` and `;` comments. */
export function parseUnit(text: string): UnitFile {
  const unit: UnitFile = new Map();
  let section: [string, string][] | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header !== null) {
      section = [];
      unit.set(header[1] ?? '', section);
      continue;
    }
    const eq = line.indexOf('=');
    if (section === undefined || eq < 0) throw new Error(`not a unit file line: ${line}`);
    section.push([line.slice(0, eq), line.slice(eq + 1)]);
  }
  return unit;
}

/** Every value of `key` in `section`. */
export function unitValues(unit: UnitFile, section: string, key: string): string[] {
  return (unit.get(section) ?? []).filter(([k]) => k === key).map(([, v]) => v);
}

/** The `Environment=` assignments of the [Service] section. */
export function unitEnvironment(unit: UnitFile): Record<string, string> {
  const env: Record<string, string> = {};
  for (const value of unitValues(unit, 'Service', 'Environment')) {
    const eq = value.indexOf('=');
    env[value.slice(0, eq)] = value.slice(eq + 1);
  }
  return env;
}

/**
 * A temporary root with what a Debian system has before the install script
 * runs: its users and groups (dialout among them).
 */
export async function emptyRoot(dir: string): Promise<string> {
  const root = join(dir, 'root');
  await mkdir(join(root, 'etc'), { recursive: true });
  await copyFile('/etc/passwd', join(root, 'etc/passwd'));
  await copyFile('/etc/group', join(root, 'etc/group'));
  return root;
}

/** Runs the installed package's deploy/pi/install.sh into `root`. */
export async function runPiInstall(
  packageDir: string,
  root: string,
): Promise<{ stdout: string; stderr: string }> {
  return run('sh', [join(packageDir, 'deploy/pi/install.sh'), '--root', root, '--node', process.execPath]);
}

/** `systemd-analyze verify` of a unit file: its exit code and everything it said. */
export async function verifyUnit(path: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('systemd-analyze', ['verify', path]);
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failure.code ?? -1, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
  }
}

/** The line of `/etc/group`-style text naming `group`, split into its fields. */
export async function groupEntry(root: string, group: string): Promise<string[] | undefined> {
  const text = await readFile(join(root, 'etc/group'), 'utf8');
  return text
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === group);
}

/** The agent a unit's command started, until stop() (SIGTERM, as systemd stops it) returns its exit code. */
export interface UnitProcess {
  readonly statusUrl: string;
  stop(): Promise<number | null>;
}

/**
 * Runs the unit's ExecStart with its Environment= and WorkingDirectory=, the
 * way systemd would, except that /etc/emberwatch and /var/lib/emberwatch lie
 * under `root`. The config is the one the install script wrote, with only
 * what a person fills in changed (device id, the broker), pointed at
 * `broker` with this test CA's files where a device keeps them.
 */
export async function startUnitCommand(
  root: string,
  unitPath: string,
  broker: BrokerFixture,
): Promise<UnitProcess> {
  const unit = parseUnit(await readFile(unitPath, 'utf8'));
  const rooted = (path: string): string =>
    path
      .replace(/^\/etc\/emberwatch\b/, join(root, 'etc/emberwatch'))
      .replace(/^\/var\/lib\/emberwatch\b/, join(root, 'var/lib/emberwatch'));
  const configPath = join(root, 'etc/emberwatch/agent.yaml');
  const template = await readFile(join(unitPackage(unit), 'deploy/pi/agent.yaml'), 'utf8');
  const config = parse(template) as AgentConfigInput;
  const device = await broker.pki.device('gw-pi-01');
  const certs = join(root, 'etc/emberwatch/certs');
  await writeFile(join(certs, 'ca.crt'), broker.pki.ca.certPem);
  await writeFile(join(certs, 'device.crt'), device.certPem);
  await writeFile(join(certs, 'device.key'), device.keyPem, { mode: 0o600 });
  const { publicKey } = generateKeyPairSync('ed25519');
  await writeFile(
    join(root, 'etc/emberwatch/fleet-public.pem'),
    publicKey.export({ type: 'spki', format: 'pem' }),
  );
  const filled: AgentConfigInput = {
    ...config,
    deviceId: 'gw-pi-01',
    broker: {
      ...config.broker,
      host: '127.0.0.1',
      port: broker.broker.port,
      protocol: 'mqtt311',
      flowControl: 'none',
      caPath: rooted(config.broker.caPath ?? ''),
      certPath: rooted(config.broker.certPath),
      keyPath: rooted(config.broker.keyPath),
    },
    ...(config.model === undefined
      ? {}
      : {
          model: {
            ...config.model,
            dir: rooted(config.model.dir),
            fleetPublicKeyPath: rooted(config.model.fleetPublicKeyPath),
          },
        }),
    outbox: { ...config.outbox, path: rooted(config.outbox.path) },
    status: { host: '127.0.0.1', port: 0 },
  };
  await writeFile(configPath, stringify(filled));
  const workDir = rooted(unitValues(unit, 'Service', 'WorkingDirectory')[0] ?? '/');
  await mkdir(workDir, { recursive: true });
  const [command, ...args] = (unitValues(unit, 'Service', 'ExecStart')[0] ?? '').split(' ').map(rooted);
  if (command === undefined) throw new Error(`${unitPath} has no ExecStart`);
  const child = spawn(command, args, {
    cwd: workDir,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...unitEnvironment(unit) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const stop = async (): Promise<number | null> => {
    child.kill('SIGTERM');
    return exited;
  };
  try {
    await waitFor('the started line', () => stdout.includes('"status"') || child.exitCode !== null, 20_000);
    const started = JSON.parse(stdout.split('\n')[0] ?? '') as { status: string };
    return { statusUrl: started.status, stop };
  } catch (error) {
    await stop();
    throw new Error(`the unit's command did not start: ${String(error)}\n${stderr.slice(-2000)}`);
  }
}

/** The package folder the unit's ExecStart runs (`… <package>/bin/emberwatch.js …`). */
function unitPackage(unit: UnitFile): string {
  const script = (unitValues(unit, 'Service', 'ExecStart')[0] ?? '').split(' ')[1] ?? '';
  return script.replace(/\/bin\/emberwatch\.js$/, '');
}
