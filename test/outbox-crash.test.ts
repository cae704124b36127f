import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../shared/logging.js';
import { SqliteOutbox } from '../edge/outbox/sqlite-outbox.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const child = join(root, 'test', 'fixtures', 'outbox-crash-child.js');
const KILLS = 15;

/** The child runs the built code, so a missing or stale build must fail the test loudly, never test old code. */
function assertFreshBuild(): void {
  const sources = join(root, 'edge', 'outbox');
  for (const file of readdirSync(sources)) {
    if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
    const built = join(root, 'dist', 'edge', 'outbox', file.replace(/\.ts$/, '.js'));
    if (!existsSync(built)) {
      throw new Error(`${built} is missing: run \`npx tsc -p tsconfig.build.json\` (npm test builds first)`);
    }
    if (statSync(built).mtimeMs < statSync(join(sources, file)).mtimeMs) {
      throw new Error(`${built} is older than its source: rebuild with \`npx tsc -p tsconfig.build.json\``);
    }
  }
}

interface RunResult {
  durable: string[];
  leased: string[];
}

/** Starts the child, lets it write for `runMs` after it is ready, kills it with SIGKILL, returns what it claimed. */
function runAndKill(path: string, runMs: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, path], { stdio: ['ignore', 'pipe', 'pipe'] });
    const result: RunResult = { durable: [], leased: [] };
    let buffered = '';
    let stderr = '';
    let killTimer: NodeJS.Timeout | undefined;
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    proc.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? ''; // a line cut by the kill is no claim
      for (const line of lines) {
        const [kind, id] = line.split(' ');
        if (kind === 'ready') killTimer = setTimeout(() => proc.kill('SIGKILL'), runMs);
        else if (kind === 'durable' && id !== undefined) result.durable.push(id);
        else if (kind === 'leased' && id !== undefined) result.leased.push(id);
      }
    });
    proc.on('error', reject);
    // 'close', not 'exit': the last lines the child wrote may still sit in the pipe when it exits.
    proc.on('close', (code, signal) => {
      clearTimeout(killTimer);
      if (signal === 'SIGKILL') resolve(result);
      else reject(new Error(`child exited by itself (code ${String(code)}): ${stderr}`));
    });
  });
}

describe('SqliteOutbox under kill -9', () => {
  const folder = mkdtempSync(join(tmpdir(), 'emberwatch-outbox-crash-'));
  const path = join(folder, 'outbox.db');
  const durable = new Set<string>();
  const leased = new Set<string>();

  beforeAll(async () => {
    assertFreshBuild();
    for (let kill = 0; kill < KILLS; kill++) {
      const { durable: d, leased: a } = await runAndKill(path, 30 + Math.floor(Math.random() * 250));
      for (const id of d) durable.add(id);
      for (const id of a) leased.add(id);
    }
  }, 120_000);

  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('was killed while writing, many times over', () => {
    expect(durable.size).toBeGreaterThan(KILLS * 50);
    expect(leased.size).toBeGreaterThan(0);
  });

  it('kept every message whose enqueue had resolved, except those leased for an ack, in an intact database', () => {
    const db = new Database(path, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const stored = new Set(
        (db.prepare('SELECT id FROM outbox_message').all() as { id: string }[]).map((row) => row.id),
      );
      const lost = [...durable].filter((id) => !leased.has(id) && !stored.has(id));
      expect(lost).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('reopens with counters that match the rows on disk', async () => {
    const outbox = new SqliteOutbox({ path, logger: silentLogger() });
    await outbox.start();
    try {
      const stats = await outbox.stats();
      const db = new Database(path, { readonly: true });
      const row = db.prepare('SELECT COUNT(*) AS n, SUM(bytes) AS bytes FROM outbox_message').get() as {
        n: number;
        bytes: number;
      };
      db.close();
      expect(stats.messages).toBe(row.n);
      expect(stats.bytes).toBe(row.bytes);
    } finally {
      await outbox.stop();
    }
  });
});
