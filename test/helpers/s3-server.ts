import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const S3RVER_PROCESS = fileURLToPath(new URL('./s3rver-process.js', import.meta.url));
const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

/** A running S3-compatible server with one empty bucket. */
export interface S3TestServer {
  endpoint: string;
  bucket: string;
  region: string;
  /** s3rver accepts only this key pair, and checks signatures made with it. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  stop(): Promise<void>;
}

function readPort(child: ChildProcess): Promise<number> {
  const stdout = child.stdout;
  if (stdout === null) return Promise.reject(new Error('s3rver has no standard output'));
  const lines = createInterface({ input: stdout });
  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('s3rver did not start in time')), START_TIMEOUT_MS);
    const fail = (reason: string) => {
      clearTimeout(timer);
      reject(new Error(reason));
    };
    child.once('exit', (code) => fail(`s3rver exited with code ${String(code)} before listening`));
    child.once('error', (error) => fail(`s3rver could not start: ${error.message}`));
    lines.once('line', (line) => {
      clearTimeout(timer);
      lines.close();
      const parsed: unknown = JSON.parse(line);
      if (
        typeof parsed === 'object' &&
        parsed !== null &&
        'port' in parsed &&
        typeof parsed.port === 'number'
      ) {
        resolve(parsed.port);
      } else {
        reject(new Error(`s3rver printed ${line}`));
      }
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.stdin?.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** Starts s3rver on 127.0.0.1, port 0, in a child process storing into a fresh temporary folder. */
export async function startS3Server(bucket = 'emberwatch-test'): Promise<S3TestServer> {
  const directory = await mkdtemp(join(tmpdir(), 'ember-s3rver-'));
  const objects = join(directory, 'objects');
  const staging = join(directory, 'staging');
  await mkdir(objects);
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', '--no-deprecation', S3RVER_PROCESS, objects, bucket, staging],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  let port: number;
  try {
    port = await readPort(child);
  } catch (error) {
    await stopChild(child);
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    async stop() {
      try {
        await stopChild(child);
      } finally {
        await rm(directory, { recursive: true, force: true });
      }
    },
  };
}

/** The environment a process needs to reach `server` through an s3:// target, as a user would set it. */
export function s3Environment(server: S3TestServer): Record<string, string> {
  return {
    EMBERWATCH_S3_ENDPOINT: server.endpoint,
    AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
    AWS_REGION: server.region,
  };
}
