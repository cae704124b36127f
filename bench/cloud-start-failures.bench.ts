import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCa } from '../shared/pki/certificate-authority.js';
import { issueServiceCertificate } from '../shared/pki/issue-certificate.js';
import { startBenchBroker } from './bench-broker.js';
import { isMain, runStandalone, type BenchOptions } from './bench-options.js';
import { figure, type Figure } from './figure.js';

const CLI = fileURLToPath(new URL('../../bin/emberwatch.js', import.meta.url));

/** Runs `emberwatch cloud --config` until it exits by itself: exit code, milliseconds, last stderr line. */
function timeCloud(configPath: string): Promise<{ code: number | null; ms: number; line: string }> {
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, 'cloud', '--config', configPath], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, EMBERWATCH_LOG_LEVEL: 'fatal' },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      clearTimeout(killer);
      const line = stderr.trim().split('\n').at(-1) ?? '';
      resolve({ code, ms: performance.now() - started, line });
    });
  });
}

/**
 * The four fatal start-up problems of `emberwatch cloud`, each timed from
 * spawn to exit (target: under 10 s, with exit 1, or 2 for a bad config
 * file), three rounds each, with the default `broker.startTimeoutS` (5 s).
 * Node's own start-up is in every figure.
 */
export async function benchCloudStartFailures(_options?: BenchOptions): Promise<Figure[]> {
  const broker = await startBenchBroker();
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  try {
    const ca = await ensureCa(join(broker.dir, 'ca'));
    const service = await issueServiceCertificate(ca, 'cloud', { days: 1 });
    const files = {
      caPath: join(broker.dir, 'broker-ca.crt'),
      certPath: join(broker.dir, 'cloud.crt'),
      keyPath: join(broker.dir, 'cloud.key'),
    };
    writeFileSync(files.certPath, service.certPem);
    writeFileSync(files.keyPath, service.keyPem, { mode: 0o600 });
    const device = await broker.deviceFiles('gw-bench-1');
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const base = { host: '127.0.0.1', port: broker.port, protocol: 'mqtt311', ...files };
    // A bad config file is a bad option (exit 2); the others fail at start-up (exit 1).
    const cases: [string, Record<string, unknown>, number][] = [
      ['broker unreachable', { broker: { ...base, port: closedPort } }, 1],
      ['CA file missing', { broker: { ...base, caPath: join(broker.dir, 'missing.crt') } }, 2],
      [
        'HTTP port taken',
        { broker: base, http: { host: '127.0.0.1', port: (blocker.address() as AddressInfo).port } },
        1,
      ],
      [
        'device certificate as service certificate',
        { broker: { ...base, ...device, caPath: files.caPath } },
        1,
      ],
    ];
    const figures: Figure[] = [];
    for (const [name, config, expected] of cases) {
      const path = join(broker.dir, `${name.replace(/\W+/g, '-')}.json`);
      writeFileSync(
        path,
        JSON.stringify({
          http: { host: '127.0.0.1', port: 0 },
          dataDir: join(broker.dir, `data-${name.replace(/\W+/g, '-')}`),
          ...config,
        }),
      );
      const results = [];
      for (let round = 0; round < 3; round++) results.push(await timeCloud(path));
      const codes = [...new Set(results.map((r) => String(r.code)))].join(', ');
      figures.push(
        figure('cloud-start-failures', {
          name: `emberwatch cloud, ${name}: spawn → exit`,
          unit: 's',
          values: results.map((r) => (r.code === expected ? r.ms / 1000 : Number.NaN)),
          goal: { op: '<=', value: 10 },
          note: `exit ${codes} (expected ${String(expected)}): ${(results[0]?.line ?? '').slice(0, 100)}`,
        }),
      );
    }
    return figures;
  } finally {
    await new Promise((resolve) => blocker.close(resolve));
    await broker.close();
  }
}

if (isMain(import.meta.url)) await runStandalone(benchCloudStartFailures);
