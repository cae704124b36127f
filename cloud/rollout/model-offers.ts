import { EmberError, isEmberError } from '../../shared/errors.js';
import type { ModelManifest } from '../../shared/model/manifest.js';
import { encodeManifest, sha256Hex } from '../../shared/model/model-dir.js';
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import {
  keyIdOf,
  ModelOffer,
  offerSigningPayload,
  type ModelSource,
} from '../../shared/model/model-signature.js';
import { ModelRollback, rollbackSigningPayload } from '../../shared/model/model-rollback.js';
import { modelKeys } from '../../factory/registry/registry-layout.js';
import type { z } from 'zod';

/** The part of the registry that serves a model's files. */
export interface ModelFiles {
  fetchModel(version: string): Promise<{ bytes: Uint8Array; manifest: ModelManifest }>;
}

/** The only model file name a registry folder holds (registry-layout.ts). */
export const MODEL_FILE = 'model.onnx';

/**
 * The manifest.json bytes of a registered model exactly as the registry
 * stored them (pretty JSON and a newline, encodeManifest): what the HTTP API
 * serves at /v1/models/{version}/manifest.json, what a device reads under
 * the object key, and what every offer's size and sha256 describe.
 */
export async function manifestBytes(registry: ModelFiles, version: string): Promise<Uint8Array> {
  const { manifest } = await registry.fetchModel(version);
  return encodeManifest(manifest);
}

/** Where devices fetch a version: the public API when it has a base URL, else the registry's object key. */
export function modelSource(version: string, publicBaseUrl?: string): ModelSource {
  if (publicBaseUrl === undefined) return { objectKey: modelKeys(version).manifest };
  const base = publicBaseUrl.replace(/\/+$/, '');
  return { url: `${base}/v1/models/${encodeURIComponent(version)}/manifest.json` };
}

/** What every offer of one version shares. */
export interface PreparedModel {
  readonly version: string;
  readonly sha256: string;
  readonly size: number;
  readonly source: ModelSource;
  /** A device's own source: a signed URL valid until its offer expires. Overrides `source`. */
  readonly sourceFor?: (deviceId: string, expiresAt: number) => ModelSource;
}

/** Signs a device's manifest URL of a version, valid until `expiresAt` (ms); see cloud/access/model-grants.ts. */
export type ModelUrlSigner = (version: string, deviceId: string, expiresAt: number) => string;

/**
 * Reads a version from the registry (checking its model bytes) and works out
 * what its offers say. Throws EMBER_ERR_ROLLOUT when the version is not
 * registered or names a model file other than the one the registry keeps.
 */
export async function prepareModel(
  registry: ModelFiles,
  version: string,
  publicBaseUrl?: string,
  signUrl?: ModelUrlSigner,
): Promise<PreparedModel> {
  let manifest: ModelManifest;
  try {
    manifest = (await registry.fetchModel(version)).manifest;
  } catch (error) {
    if (!isEmberError(error)) throw error;
    throw new EmberError('EMBER_ERR_ROLLOUT', `model ${version} cannot be offered: ${error.message}`, {
      cause: error,
    });
  }
  if (manifest.model.file !== MODEL_FILE) {
    throw new EmberError(
      'EMBER_ERR_ROLLOUT',
      `model ${version} names its file ${manifest.model.file}; the registry serves only ${MODEL_FILE}`,
    );
  }
  const bytes = encodeManifest(manifest);
  return {
    version,
    sha256: sha256Hex(bytes),
    size: bytes.byteLength,
    source: modelSource(version, publicBaseUrl),
    ...(publicBaseUrl === undefined || signUrl === undefined
      ? {}
      : {
          sourceFor: (deviceId: string, expiresAt: number) => ({
            url: signUrl(version, deviceId, expiresAt),
          }),
        }),
  };
}

/**
 * Signs offers with the fleet's Ed25519 key exactly as signOffer does, but
 * parses the key once: a rollout signs one offer per device.
 */
export class OfferSigner {
  readonly #key: KeyObject;
  readonly keyId: string;

  /** Throws EMBER_ERR_SIGNING_KEY unless `privateKeyPem` is an Ed25519 private key. */
  constructor(privateKeyPem: string) {
    this.keyId = keyIdOf(privateKeyPem);
    this.#key = createPrivateKey(privateKeyPem);
  }

  /**
   * One signed offer of a prepared model to one device, number `sequence` of
   * those made to it, valid from `issuedAt` (ms) for `ttlMs`.
   */
  offerTo(
    model: PreparedModel,
    to: { readonly deviceId: string; readonly offerId: string; readonly sequence: number },
    issuedAt: number,
    ttlMs: number,
  ): ModelOffer {
    const expiresAt = Math.floor(issuedAt + ttlMs);
    const unsigned = {
      schemaVersion: 3 as const,
      id: to.offerId,
      deviceId: to.deviceId,
      sequence: to.sequence,
      version: model.version,
      sha256: model.sha256,
      size: model.size,
      source: model.sourceFor?.(to.deviceId, expiresAt) ?? model.source,
      issuedAt: Math.floor(issuedAt),
      expiresAt,
      keyId: this.keyId,
    };
    const signature = sign(null, offerSigningPayload(unsigned), this.#key).toString('base64');
    return parsedOrThrow(ModelOffer, { ...unsigned, signature }, 'offer');
  }

  /** A signed order to one device to take the model of offer `offerId` (version `version`) out of service. */
  rollbackOf(
    to: { readonly deviceId: string; readonly offerId: string; readonly version: string },
    rollbackId: string,
    issuedAt: number,
  ): ModelRollback {
    const unsigned = {
      schemaVersion: 1 as const,
      kind: 'rollback' as const,
      id: rollbackId,
      deviceId: to.deviceId,
      offerId: to.offerId,
      version: to.version,
      issuedAt: Math.floor(issuedAt),
      keyId: this.keyId,
    };
    const signature = sign(null, rollbackSigningPayload(unsigned), this.#key).toString('base64');
    return parsedOrThrow(ModelRollback, { ...unsigned, signature }, 'rollback');
  }
}

function parsedOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new EmberError(
      'EMBER_ERR_BAD_OFFER',
      `${what}.${issue?.path.map(String).join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}
