import { posix } from 'node:path';
import { EmberError } from '../../shared/errors.js';
import type { ModelSource } from '../../shared/model/model-signature.js';
import type { ObjectStore } from '../../shared/object-store/object-store.js';

/** Limits of one download. */
export interface DownloadLimits {
  /** The body may not exceed this many bytes. */
  readonly maxBytes: number;
  /** Connect, headers and body together must finish within this. */
  readonly timeoutMs: number;
}

function downloadError(what: string, message: string, cause?: unknown): EmberError {
  return new EmberError('EMBER_ERR_MODEL_DOWNLOAD', `${what}: ${message}`, { cause, retryable: true });
}

function tooLarge(what: string, limit: number): EmberError {
  // Not retryable: the same offer will be just as large next time.
  return new EmberError('EMBER_ERR_MODEL_DOWNLOAD', `${what} is larger than ${limit} bytes`);
}

/** GETs `url` with a deadline and a size cap, reading the body in chunks so an oversized one is cut off early. */
export async function fetchLimited(url: string, limits: DownloadLimits): Promise<Uint8Array> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, { signal, redirect: 'follow' });
  } catch (error) {
    throw downloadError(
      url,
      signal.aborted ? `timed out after ${limits.timeoutMs} ms` : 'unreachable',
      error,
    );
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw downloadError(url, `HTTP ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > limits.maxBytes || response.body === null) {
    await response.body?.cancel();
    if (response.body === null) throw downloadError(url, 'empty response');
    throw tooLarge(url, limits.maxBytes);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = (await reader.read()) as { done: boolean; value?: Uint8Array };
      if (done || value === undefined) break;
      total += value.byteLength;
      if (total > limits.maxBytes) {
        await reader.cancel();
        throw tooLarge(url, limits.maxBytes);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof EmberError) throw error;
    throw downloadError(
      url,
      signal.aborted ? `timed out after ${limits.timeoutMs} ms` : 'body cut off',
      error,
    );
  }
  return Buffer.concat(chunks, total);
}

/** Reads an object with a size cap; the store API has no ranged read, so the cap applies after the fact. */
async function getLimited(store: ObjectStore, key: string, limits: DownloadLimits): Promise<Uint8Array> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(downloadError(key, `timed out after ${limits.timeoutMs} ms`));
    }, limits.timeoutMs);
  });
  try {
    const bytes = await Promise.race([store.get(key), deadline]);
    if (bytes.byteLength > limits.maxBytes) throw tooLarge(key, limits.maxBytes);
    return bytes;
  } catch (error) {
    if (error instanceof EmberError && error.code === 'EMBER_ERR_MODEL_DOWNLOAD') throw error;
    throw downloadError(`${store.describe()}/${key}`, 'not readable', error);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Fetches files of one offered model: `file` undefined means the manifest at
 * the source itself, otherwise a file beside it (same URL folder or the same
 * key prefix). The manifest schema only allows plain file names, so nothing
 * can point outside the model's folder.
 */
export async function fetchFromSource(
  source: ModelSource,
  file: string | undefined,
  limits: DownloadLimits,
  store: ObjectStore | undefined,
): Promise<Uint8Array> {
  if ('url' in source) {
    const url = file === undefined ? source.url : new URL(file, source.url).href;
    return fetchLimited(url, limits);
  }
  if (store === undefined) {
    throw new EmberError(
      'EMBER_ERR_BAD_OFFER',
      `offer names object key ${source.objectKey} but this device has no object store`,
    );
  }
  const key = file === undefined ? source.objectKey : posix.join(posix.dirname(source.objectKey), file);
  return getLimited(store, key, limits);
}
