import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmberError } from '../../shared/errors.js';

/** One file the dashboard is made of, held in memory: a handful of small files. */
export interface DashboardAsset {
  readonly contentType: string;
  readonly bytes: Uint8Array;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** The chart library, served beside the dashboard's own files. */
const UPLOT_FILES = ['uPlot.iife.min.js', 'uPlot.min.css'] as const;

/**
 * Where the dashboard's static files are. tsc compiles only .ts, so they
 * stay in the source tree: beside this module when it runs from the
 * sources, three levels up from dist/cloud/dashboard/ when it runs from a
 * build in the same checkout.
 */
export function defaultStaticDir(): string {
  const candidates = [
    new URL('./static/', import.meta.url),
    new URL('../../../cloud/dashboard/static/', import.meta.url),
  ];
  const found = candidates
    .map((url) => fileURLToPath(url))
    .find((dir) => existsSync(join(dir, 'index.html')));
  return found ?? fileURLToPath(candidates[0] ?? new URL('./static/', import.meta.url));
}

async function read(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new EmberError('EMBER_ERR_FILE_UNREADABLE', `dashboard: cannot read ${path}`, { cause: error });
  }
}

/**
 * Reads the dashboard into memory, keyed by the URL path it is served at:
 * `/` for index.html, `/assets/<name>` for every other file of the static
 * folder and for uPlot. Only these paths exist, so no request can name a
 * file outside them.
 */
export async function loadDashboardAssets(
  staticDir = defaultStaticDir(),
): Promise<Map<string, DashboardAsset>> {
  const assets = new Map<string, DashboardAsset>();
  let names: string[];
  try {
    names = await readdir(staticDir);
  } catch (error) {
    throw new EmberError('EMBER_ERR_FILE_UNREADABLE', `dashboard: cannot list ${staticDir}`, {
      cause: error,
    });
  }
  for (const name of names.sort()) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (contentType === undefined) continue;
    const bytes = await read(join(staticDir, name));
    assets.set(name === 'index.html' ? '/' : `/assets/${name}`, { contentType, bytes });
  }
  if (!assets.has('/')) {
    throw new EmberError('EMBER_ERR_FILE_UNREADABLE', `dashboard: ${staticDir} has no index.html`);
  }
  const require = createRequire(import.meta.url);
  for (const name of UPLOT_FILES) {
    const contentType = CONTENT_TYPES[extname(name)] ?? 'application/octet-stream';
    assets.set(`/assets/${name}`, { contentType, bytes: await read(require.resolve(`uplot/dist/${name}`)) });
  }
  return assets;
}
