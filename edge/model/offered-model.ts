import { EmberError } from '../../shared/errors.js';
import { FEATURE_NAMES } from '../../shared/features/feature-set.js';
import { assertFeatureSet, decodeManifest, type ModelManifest } from '../../shared/model/manifest.js';
import { sha256Hex } from '../../shared/model/model-dir.js';
import type { ModelOffer } from '../../shared/model/model-signature.js';
import type { ObjectStore } from '../../shared/object-store/object-store.js';
import { fetchFromSource } from './model-download.js';

/** The files of an offered model, each checked against the hash that vouches for it. */
export interface OfferedModel {
  readonly manifest: ModelManifest;
  readonly manifestBytes: Uint8Array;
  readonly modelBytes: Uint8Array;
}

export interface FetchOfferedOptions {
  readonly maxManifestBytes: number;
  readonly maxModelBytes: number;
  readonly timeoutMs: number;
  readonly store?: ObjectStore | undefined;
}

/**
 * Fetches and checks the chain of trust of a verified offer: the manifest
 * must have the signed size and SHA-256, name the offered version and this
 * software's feature set; the model must have the manifest's SHA-256. The
 * model is not fetched when the manifest already fails.
 */
export async function fetchOfferedModel(
  offer: ModelOffer,
  options: FetchOfferedOptions,
): Promise<OfferedModel> {
  if (offer.size > options.maxManifestBytes) {
    throw new EmberError(
      'EMBER_ERR_BAD_OFFER',
      `offered manifest is ${offer.size} bytes, over the ${options.maxManifestBytes} limit`,
    );
  }
  const manifestBytes = await fetchFromSource(
    offer.source,
    undefined,
    { maxBytes: offer.size, timeoutMs: options.timeoutMs },
    options.store,
  );
  const manifestSha = sha256Hex(manifestBytes);
  if (manifestBytes.byteLength !== offer.size || manifestSha !== offer.sha256) {
    throw new EmberError(
      'EMBER_ERR_MODEL_CHECKSUM',
      `manifest is ${manifestBytes.byteLength} bytes with SHA-256 ${manifestSha}; the signed offer says ${offer.size} bytes, ${offer.sha256}`,
    );
  }
  const manifest = decodeManifest(manifestBytes);
  if (manifest.version !== offer.version) {
    throw new EmberError(
      'EMBER_ERR_BAD_OFFER',
      `manifest is for version ${manifest.version}, the offer for ${offer.version}`,
    );
  }
  assertFeatureSet(manifest, FEATURE_NAMES);
  const modelBytes = await fetchFromSource(
    offer.source,
    manifest.model.file,
    { maxBytes: options.maxModelBytes, timeoutMs: options.timeoutMs },
    options.store,
  );
  const modelSha = sha256Hex(modelBytes);
  if (modelSha !== manifest.model.sha256) {
    throw new EmberError(
      'EMBER_ERR_MODEL_CHECKSUM',
      `${manifest.model.file} has SHA-256 ${modelSha}; its manifest says ${manifest.model.sha256}`,
    );
  }
  return { manifest, manifestBytes, modelBytes };
}
