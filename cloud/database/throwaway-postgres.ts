import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** Debian's postgresql-15 package; `EMBERWATCH_POSTGRES_BIN` names another bin folder. */
export function findPostgresBin(): string {
  const configured = process.env.EMBERWATCH_POSTGRES_BIN;
  if (configured !== undefined && configured !== '') return configured;
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql') : [];
  const newest = versions.filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a))[0];
  if (newest === undefined) {
    throw new Error('no PostgreSQL server found in /usr/lib/postgresql: apt-get install -y postgresql');
  }
  return `/usr/lib/postgresql/${newest}/bin`;
}

/**
 * A PostgreSQL server of its own: a fresh data folder, a Unix socket only,
 * no system service involved. For the tests and benchmarks, and for trying
 * the cloud on PostgreSQL without setting a server up.
 */
export interface ThrowawayPostgres {
  /** A URL to database `name` as the server's superuser. */
  url(database?: string): string;
  /** A new, empty database; `drop()` ends its connections and removes it. */
  createDatabase(prefix?: string): Promise<ThrowawayDatabase>;
  /** Everything the server wrote so far, for failure messages. */
  output(): string;
  /** Fast shutdown, then the data folder is removed. */
  stop(): Promise<void>;
}

export interface ThrowawayDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

const SUPERUSER = 'ember';

/** PostgreSQL refuses to run as root: under root the server runs as the package's `postgres` user. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string): number => Number(spawnSync('id', [flag, 'postgres']).stdout.toString().trim());
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || uid <= 0)
    throw new Error('running as root, but there is no `postgres` user to run PostgreSQL as');
  return { uid, gid };
}

async function chownTree(path: string, user: { uid: number; gid: number }): Promise<void> {
  await chown(path, user.uid, user.gid);
  for (const entry of await readdir(path, { withFileTypes: true })) {
    if (entry.isDirectory()) await chownTree(join(path, entry.name), user);
    else await chown(join(path, entry.name), user.uid, user.gid);
  }
}

/**
 * initdb into a temporary folder and starts `postgres` on a socket in it
 * (no TCP), tuned for throwaway data (no fsync). Resolves once it accepts
 * connections; the caller must `stop()` it. A process exiting without
 * stop() still takes the server down (the exit hook below).
 */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const bin = findPostgresBin();
  const dir = await mkdtemp(join(tmpdir(), 'ember-pg-'));
  const data = join(dir, 'data');
  const user = serverUser();
  if (user !== undefined) await chownTree(dir, user);
  const ids = user === undefined ? {} : { uid: user.uid, gid: user.gid };
  const init = spawnSync(
    join(bin, 'initdb'),
    ['-D', data, '-U', SUPERUSER, '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
    { ...ids, encoding: 'utf8' },
  );
  if (init.status !== 0) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (${String(init.status)}): ${init.stderr || String(init.error)}`);
  }
  const settings = [
    'listen_addresses=',
    'fsync=off',
    'synchronous_commit=off',
    'full_page_writes=off',
    'max_connections=200',
  ];
  const child = spawn(
    join(bin, 'postgres'),
    ['-D', data, '-k', dir, '-p', '5432', ...settings.flatMap((s) => ['-c', s])],
    {
      ...ids,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const url = (database = 'postgres'): string =>
    `postgresql://${SUPERUSER}@/${database}?host=${encodeURIComponent(dir)}`;
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    await stopProcess(child, 'SIGINT');
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await untilAccepting(url(), child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, createDatabase: (prefix) => createDatabase(url, prefix), output: () => output, stop };
}

/** A server someone else runs, given by a URL to a role that may create databases; stop() leaves it running. */
export function existingPostgres(configured: string): ThrowawayPostgres {
  const url = (database = 'postgres'): string => {
    const parsed = new URL(configured);
    parsed.pathname = `/${database}`;
    return parsed.toString();
  };
  return {
    url,
    createDatabase: (prefix) => createDatabase(url, prefix),
    output: () => '',
    stop: async () => {},
  };
}

async function untilAccepting(url: string, child: ChildProcess, output: () => string): Promise<void> {
  // Generous: initdb's server starts in a second on an idle machine, far slower on a loaded one.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited (${String(child.exitCode)}): ${output()}`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline)
        throw new Error(`postgres did not accept connections within 60 s: ${output()}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function stopProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

async function admin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function createDatabase(
  url: (database?: string) => string,
  prefix = 'ember_test',
): Promise<ThrowawayDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await admin(url(), (client) => client.query(`CREATE DATABASE ${name}`));
  let dropped = false;
  return {
    url: url(name),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      await admin(url(), (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
