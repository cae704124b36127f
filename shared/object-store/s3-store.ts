import { createReadStream, createWriteStream } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { EmberError } from '../errors.js';
import { writeFileAtomically } from './atomic-file.js';
import { assertKeyPrefix, assertObjectKey, compareKeys } from './object-key.js';
import type { ObjectStore, PutOptions } from './object-store.js';
import { storeErrorFromS3 } from './s3-errors.js';

/** Static credentials; without them the SDK's default chain (env, profile, instance role) applies. */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Where and how to reach the bucket. */
export interface S3StoreOptions {
  bucket: string;
  /** Keys live under this folder of the bucket ('' or 'datasets/v1'). */
  prefix?: string;
  /** An S3-compatible server (MinIO, s3rver); AWS when absent. */
  endpoint?: string;
  region?: string;
  credentials?: S3Credentials;
  /** 'endpoint/bucket/key' URLs instead of 'bucket.endpoint/key'; most S3-compatibles need it. */
  forcePathStyle?: boolean;
}

const TEXT = 'text/plain; charset=utf-8';
const BINARY = 'application/octet-stream';

/** An {@link ObjectStore} in an S3 bucket, under an optional prefix. */
export class S3Store implements ObjectStore {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #endpoint: string | undefined;

  constructor(options: S3StoreOptions) {
    const prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
    if (prefix !== '') assertObjectKey(prefix);
    this.#bucket = options.bucket;
    this.#prefix = prefix === '' ? '' : `${prefix}/`;
    this.#endpoint = options.endpoint;
    // The client only connects on the first request.
    this.#client = new S3Client({
      region: options.region ?? 'us-east-1',
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
      forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
      // Newer SDKs add CRC checksums to every upload by default; s3rver and other
      // S3-compatibles then store the aws-chunked framing as the object body.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  describe(): string {
    const url = `s3://${this.#bucket}/${this.#prefix}`;
    return this.#endpoint === undefined ? url : `${url} at ${this.#endpoint}`;
  }

  async put(key: string, body: Uint8Array | string, options: PutOptions = {}): Promise<void> {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const contentType = options.contentType ?? (typeof body === 'string' ? TEXT : BINARY);
    await this.#send('put', key, (Key) =>
      this.#client.send(
        new PutObjectCommand({ Bucket: this.#bucket, Key, Body: bytes, ContentType: contentType }),
      ),
    );
  }

  async putFile(key: string, sourcePath: string, options: PutOptions = {}): Promise<void> {
    let size: number;
    try {
      const stats = await stat(sourcePath);
      if (!stats.isFile()) throw new Error('not a regular file');
      size = stats.size;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new EmberError('EMBER_ERR_FILE_UNREADABLE', `cannot read ${sourcePath}: ${reason}`, {
        cause: error,
      });
    }
    // A known length lets a plain PutObject stream the file (up to S3's 5 GB single-put limit).
    await this.#send('put', key, (Key) =>
      this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key,
          Body: createReadStream(sourcePath),
          ContentLength: size,
          ContentType: options.contentType ?? BINARY,
        }),
      ),
    );
  }

  async get(key: string): Promise<Uint8Array> {
    return this.#send('get', key, async (Key) => {
      const output = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key }));
      if (output.Body === undefined) return new Uint8Array(0);
      return output.Body.transformToByteArray();
    });
  }

  async getText(key: string): Promise<string> {
    return Buffer.from(await this.get(key)).toString('utf8');
  }

  async getToFile(key: string, destinationPath: string): Promise<void> {
    await this.#send('get', key, async (Key) => {
      const output = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key }));
      const body = output.Body;
      await writeFileAtomically(resolve(destinationPath), async (temporary) => {
        if (body instanceof Readable) {
          await pipeline(body, createWriteStream(temporary, { flags: 'wx' }));
        } else {
          await writeFile(
            temporary,
            body === undefined ? new Uint8Array(0) : await body.transformToByteArray(),
            {
              flag: 'wx',
            },
          );
        }
      });
    });
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.#send('check', key, (Key) =>
        this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key })),
      );
      return true;
    } catch (error) {
      if (error instanceof EmberError && error.code === 'EMBER_ERR_STORE_NOT_FOUND') return false;
      throw error;
    }
  }

  async list(prefix: string): Promise<string[]> {
    assertKeyPrefix(prefix);
    const keys: string[] = [];
    let continuationToken: string | undefined;
    try {
      do {
        const page = await this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.#bucket,
            Prefix: this.#prefix + prefix,
            ContinuationToken: continuationToken,
          }),
        );
        for (const object of page.Contents ?? []) {
          if (object.Key?.startsWith(this.#prefix) === true) keys.push(object.Key.slice(this.#prefix.length));
        }
        continuationToken = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      } while (continuationToken !== undefined);
    } catch (error) {
      throw storeErrorFromS3(error, 'list', `${prefix}* in ${this.describe()}`);
    }
    // AWS already lists in this order; some S3-compatibles (s3rver among them) do not.
    return keys.sort(compareKeys);
  }

  async delete(key: string): Promise<void> {
    await this.#send('delete', key, (Key) =>
      this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key })),
    );
  }

  close(): Promise<void> {
    this.#client.destroy();
    return Promise.resolve();
  }

  async #send<T>(action: string, key: string, request: (fullKey: string) => Promise<T>): Promise<T> {
    assertObjectKey(key);
    try {
      return await request(this.#prefix + key);
    } catch (error) {
      if (error instanceof EmberError) throw error;
      throw storeErrorFromS3(error, action, `${key} in ${this.describe()}`);
    }
  }
}
