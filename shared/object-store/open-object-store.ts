import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmberError } from '../errors.js';
import { FolderStore } from './folder-store.js';
import { objectKeyProblem } from './object-key.js';
import type { ObjectStore } from './object-store.js';
import { S3Store, type S3Credentials, type S3StoreOptions } from './s3-store.js';

/** A parsed store target: a folder or a place in a bucket. */
export type StoreTarget = { kind: 'folder'; root: string } | { kind: 's3'; bucket: string; prefix: string };

/** How to reach S3 when the target is an s3:// URL; each field falls back to the environment. */
export interface S3ConnectionOptions {
  endpoint?: string;
  region?: string;
  credentials?: S3Credentials;
  forcePathStyle?: boolean;
}

export interface OpenObjectStoreOptions {
  s3?: S3ConnectionOptions;
  /** Read for EMBERWATCH_S3_ENDPOINT, AWS_REGION and AWS_* credentials; process.env by default. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Folder that relative folder targets are resolved against; the working directory by default. */
  cwd?: string;
}

const HELP = "use a folder, 'file:///absolute/path' or 's3://bucket/prefix'";
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]+):\/\//;
// S3's rules for bucket names, without the ones only AWS enforces (IP-like names).
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function badTarget(target: string, problem: string, cause?: unknown): EmberError {
  return new EmberError(
    'EMBER_ERR_STORE_BAD_TARGET',
    `object store ${JSON.stringify(target)} ${problem}; ${HELP}`,
    cause === undefined ? {} : { cause },
  );
}

function parseS3(target: string): StoreTarget {
  const rest = target.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const prefix = slash === -1 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
  if (!BUCKET.test(bucket)) throw badTarget(target, `names no valid bucket (${JSON.stringify(bucket)})`);
  const problem = prefix === '' ? undefined : objectKeyProblem(prefix);
  if (problem !== undefined) throw badTarget(target, `has a prefix that ${problem}`);
  return { kind: 's3', bucket, prefix };
}

/** Parses 'DIR', 'file:///abs' or 's3://bucket/prefix'; pure apart from resolving relative folders against `cwd`. */
export function parseStoreTarget(target: string, cwd: string = process.cwd()): StoreTarget {
  if (target.trim() === '') throw badTarget(target, 'is empty');
  const scheme = SCHEME.exec(target)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: 'folder', root: resolve(cwd, target) };
  if (scheme === 's3') return parseS3(target);
  if (scheme !== 'file') throw badTarget(target, `has an unsupported scheme '${scheme}:'`);
  let root: string;
  try {
    root = fileURLToPath(target);
  } catch (error) {
    throw badTarget(target, 'is not a valid file URL', error);
  }
  if (!isAbsolute(root)) throw badTarget(target, 'is not an absolute file URL');
  return { kind: 'folder', root };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function credentialsFromEnv(
  target: string,
  env: Readonly<Record<string, string | undefined>>,
): S3Credentials | undefined {
  const accessKeyId = nonEmpty(env['AWS_ACCESS_KEY_ID']);
  const secretAccessKey = nonEmpty(env['AWS_SECRET_ACCESS_KEY']);
  if (accessKeyId === undefined && secretAccessKey === undefined) return undefined;
  if (accessKeyId === undefined || secretAccessKey === undefined) {
    throw badTarget(target, 'needs both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither');
  }
  const sessionToken = nonEmpty(env['AWS_SESSION_TOKEN']);
  return sessionToken === undefined
    ? { accessKeyId, secretAccessKey }
    : { accessKeyId, secretAccessKey, sessionToken };
}

/** The S3 settings for an s3:// target: options first, then the environment; pure. */
export function resolveS3StoreOptions(
  target: string,
  location: { bucket: string; prefix: string },
  options: OpenObjectStoreOptions = {},
): S3StoreOptions {
  const env = options.env ?? process.env;
  const endpoint = options.s3?.endpoint ?? nonEmpty(env['EMBERWATCH_S3_ENDPOINT']);
  if (endpoint !== undefined && !/^https?:\/\/[^/]/.test(endpoint)) {
    throw badTarget(target, `has an endpoint that is not an http(s) URL (${JSON.stringify(endpoint)})`);
  }
  const region =
    options.s3?.region ?? nonEmpty(env['AWS_REGION']) ?? nonEmpty(env['AWS_DEFAULT_REGION']) ?? 'us-east-1';
  const credentials = options.s3?.credentials ?? credentialsFromEnv(target, env);
  return {
    bucket: location.bucket,
    prefix: location.prefix,
    region,
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(credentials === undefined ? {} : { credentials }),
    forcePathStyle: options.s3?.forcePathStyle ?? endpoint !== undefined,
  };
}

/**
 * The object store a target names: a folder for a path or file:// URL, S3 for
 * s3://bucket/prefix. Does no I/O; the first operation reaches the store.
 */
export function openObjectStore(target: string, options: OpenObjectStoreOptions = {}): ObjectStore {
  const parsed = parseStoreTarget(target, options.cwd);
  if (parsed.kind === 'folder') return new FolderStore(parsed.root);
  return new S3Store(resolveS3StoreOptions(target, parsed, options));
}
