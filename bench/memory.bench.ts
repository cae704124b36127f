import { fork, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateOfferKeys } from '../shared/model/model-signature.js';
import { DEFAULT_KIT } from '../simulators/devices/kit.js';
import { startKit } from '../simulators/devices/start-kit.js';
import { startBenchBroker } from './bench-broker.js';
import type { MemorySample } from './memory-child.js';

/**
 * Memory of a whole edge agent in its own process: five emulated modules
 * (one of each protocol, the camera at 4 Hz) on ptys, the shipped ONNX model
 * (models/default) installed as the active model, the embedded broker over
 * mutual TLS. Emulated time runs SCALE× so minutes pass in seconds; the RSS
 * is the child's own (kit and broker live in this process).
 *
 * The child starts as `emberwatch edge` does (young generation capped before
 * the agent loads, memory-child.ts) but without the command line's other
 * modules. It runs as started plainly, then with settings a service unit
 * may add (edge/README.md): glibc's arena cap, which keeps the native
 * threads (aws-crt's event loop, onnxruntime) from holding an arena each,
 * with it one libuv worker thread instead of four (deploy/pi's unit sets
 * both), and V8's semi-space limit. Each figure is printed on its own, the plain one first.
 */
const SCALE = 10;
const WARM_UP_S = 8;
const RUN_S = 40;
const DEVICE = 'gw-bench-memory';
const MB = 1024 * 1024;

/** How the agent process is started. */
interface Variant {
  readonly label: string;
  readonly env: Readonly<Record<string, string>>;
  readonly execArgv: readonly string[];
}

const VARIANTS: readonly Variant[] = [
  { label: 'as started by hand', env: {}, execArgv: [] },
  { label: 'MALLOC_ARENA_MAX=2', env: { MALLOC_ARENA_MAX: '2' }, execArgv: [] },
  // What deploy/pi's unit and the Greengrass recipe set.
  {
    label: 'MALLOC_ARENA_MAX=2, UV_THREADPOOL_SIZE=1',
    env: { MALLOC_ARENA_MAX: '2', UV_THREADPOOL_SIZE: '1' },
    execArgv: [],
  },
  {
    label: 'MALLOC_ARENA_MAX=2, --max-semi-space-size=2',
    env: { MALLOC_ARENA_MAX: '2' },
    execArgv: ['--max-semi-space-size=2'],
  },
];

function request(child: ChildProcess): Promise<MemorySample> {
  return new Promise((resolve) => {
    child.once('message', (message) => resolve(message as MemorySample));
    child.send('sample');
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Copies the shipped model into a fresh models folder as its active model, as an installed offer would leave it. */
function installDefaultModel(root: string): string {
  const source = fileURLToPath(new URL('../../models/default', import.meta.url));
  const manifest = JSON.parse(readFileSync(join(source, 'manifest.json'), 'utf8')) as { version: string };
  mkdirSync(join(root, 'versions'), { recursive: true });
  cpSync(source, join(root, 'versions', 'default'), { recursive: true });
  const entry = { dir: 'default', version: manifest.version, offerId: 'bundled' };
  writeFileSync(join(root, 'state.json'), JSON.stringify({ active: entry, previous: null }));
  return manifest.version;
}

/** This process's environment without the settings a variant decides on. */
function inheritedEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env['MALLOC_ARENA_MAX'];
  delete env['UV_THREADPOOL_SIZE'];
  delete env['NODE_OPTIONS'];
  return env;
}

function line(label: string, s: MemorySample, emulatedS: number): string {
  const rss = (s.rssBytes / MB).toFixed(1);
  const heap = (s.heapUsedBytes / MB).toFixed(1);
  const heapTotal = (s.heapTotalBytes / MB).toFixed(1);
  const external = (s.externalBytes / MB).toFixed(1);
  return (
    `${label.padEnd(64)} ${rss} MB RSS  (heap ${heap} of ${heapTotal} MB, external ${external} MB; ` +
    `${String(Math.round(emulatedS))} emulated s, ${String(s.steps)} steps, ` +
    `${String(s.readings['mcu90640'] ?? 0)} thermal frames, model ${s.model}; target ≤ 120 MB)`
  );
}

export async function benchMemory(): Promise<string[]> {
  const lines: string[] = [];
  for (const variant of VARIANTS) lines.push(...(await measureVariant(variant)));
  return lines;
}

async function measureVariant(variant: Variant): Promise<string[]> {
  const broker = await startBenchBroker();
  const kit = await startKit(DEFAULT_KIT, { speed: SCALE });
  let child: ChildProcess | undefined;
  try {
    const modelsDir = join(broker.dir, 'models');
    const version = installDefaultModel(modelsDir);
    const keyPath = join(broker.dir, 'fleet.pem');
    writeFileSync(keyPath, generateOfferKeys().publicKeyPem);
    const files = await broker.deviceFiles(DEVICE);
    const config = {
      deviceId: DEVICE,
      sensors: kit.devices.map((d) => ({ id: d.id, protocol: d.protocol, path: d.path, baud: d.baud })),
      broker: { host: '127.0.0.1', port: broker.port, ...files, flowControl: 'none' },
      model: { dir: modelsDir, fleetPublicKeyPath: keyPath },
      outbox: { path: join(broker.dir, 'outbox.db') },
      status: { host: '127.0.0.1', port: 0 },
    };
    const configPath = join(broker.dir, 'agent.json');
    writeFileSync(configPath, JSON.stringify(config));
    const started = fork(
      fileURLToPath(new URL('./memory-child.js', import.meta.url)),
      [configPath, String(SCALE)],
      {
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
        env: { ...inheritedEnv(), ...variant.env },
        execArgv: [...variant.execArgv],
      },
    );
    child = started;
    await new Promise<void>((resolve, reject) => {
      started.once('message', () => resolve());
      started.once('exit', (code) => reject(new Error(`memory child exited (code ${String(code)})`)));
    });
    const t0 = performance.now();
    await sleep(WARM_UP_S * 1000);
    const warm = await request(started);
    const warmS = ((performance.now() - t0) / 1000) * SCALE;
    await sleep((RUN_S - WARM_UP_S) * 1000);
    const later = await request(started);
    const laterS = ((performance.now() - t0) / 1000) * SCALE;
    if (later.model !== version)
      throw new Error(`memory bench: the agent ran ${later.model}, not ${version}`);
    return [
      line(`edge agent RSS after warm-up, ${variant.label}`, warm, warmS),
      line(`edge agent RSS later, ${variant.label}`, later, laterS),
    ];
  } finally {
    if (child !== undefined && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.send('stop');
      await exited;
    }
    await kit.stop();
    await broker.close();
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  for (const text of await benchMemory()) console.log(text);
}
