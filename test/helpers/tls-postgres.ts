import { spawn, spawnSync } from 'node:child_process';
import { chmod, chown, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPostgresBin } from '../../cloud/database/throwaway-postgres.js';
import type { KeyAndCertificate } from '../../shared/pki/certificate-files.js';
import { waitFor } from './wait.js';

/** A PostgreSQL server as a managed one is reached: TCP on localhost, TLS only, a password. */
export interface TlsPostgres {
  readonly port: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * initdb with `user`'s password (SCRAM), then `postgres` on 127.0.0.1 with
 * `certificate`, accepting TCP connections over TLS only (hostssl). Runs as
 * the `postgres` user when started as root. The caller must stop() it.
 */
export async function startTlsPostgres(
  user: string,
  password: string,
  certificate: KeyAndCertificate,
): Promise<TlsPostgres> {
  const bin = findPostgresBin();
  const dir = await mkdtemp(join(tmpdir(), 'ember-pg-tls-'));
  const data = join(dir, 'data');
  await writeFile(join(dir, 'password'), `${password}\n`);
  await writeFile(join(dir, 'server.crt'), certificate.certPem);
  await writeFile(join(dir, 'server.key'), certificate.keyPem, { mode: 0o600 });
  const root = process.getuid?.() === 0;
  const id = (flag: string): number => Number(spawnSync('id', [flag, 'postgres']).stdout.toString().trim());
  const ids = root ? { uid: id('-u'), gid: id('-g') } : {};
  if (root) {
    for (const path of [dir, ...(await readdir(dir)).map((name) => join(dir, name))]) {
      await chown(path, id('-u'), id('-g'));
    }
  }
  const init = spawnSync(
    join(bin, 'initdb'),
    ['-D', data, '-U', user, `--pwfile=${join(dir, 'password')}`, '-A', 'scram-sha-256', '--no-sync'],
    { ...ids, encoding: 'utf8' },
  );
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  await writeFile(join(data, 'pg_hba.conf'), 'hostssl all all 127.0.0.1/32 scram-sha-256\n');
  if (root) await chown(join(data, 'pg_hba.conf'), id('-u'), id('-g'));
  await chmod(join(data, 'pg_hba.conf'), 0o600);
  const port = await freePort();
  const settings = [
    'listen_addresses=127.0.0.1',
    `unix_socket_directories=${dir}`,
    'ssl=on',
    `ssl_cert_file=${join(dir, 'server.crt')}`,
    `ssl_key_file=${join(dir, 'server.key')}`,
    'fsync=off',
  ];
  const child = spawn(
    join(bin, 'postgres'),
    ['-D', data, '-p', String(port), ...settings.flatMap((s) => ['-c', s])],
    { ...ids, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      'postgres to accept connections',
      () => output.includes('ready to accept connections'),
      30_000,
    );
  } catch (error) {
    await stop();
    throw new Error(`postgres did not start: ${output}`, { cause: error });
  }
  return { port, stop };
}
