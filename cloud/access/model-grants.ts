import { createHmac, timingSafeEqual } from 'node:crypto';
import { isDeviceId } from '../../shared/topics.js';

/**
 * Short-lived signed URLs for devices to fetch a model: the grant
 * `<deviceId>.<expires s>.<HMAC-SHA256>` is a path segment, so the manifest
 * URL `…/v1/device-models/<grant>/<version>/manifest.json` and the model
 * file the device resolves beside it (`…/<grant>/<version>/model.onnx`)
 * carry the same grant. It names one version and expires with the offer;
 * it opens nothing else, so a device's credential can do nothing an
 * operator can.
 */
export class ModelGrants {
  readonly #key: Buffer;
  readonly #now: () => number;

  /** `key`: at least 32 bytes of secret, kept by the cloud only. */
  constructor(key: string | Buffer, now: () => number = Date.now) {
    this.#key = Buffer.isBuffer(key) ? key : Buffer.from(key, 'utf8');
    if (this.#key.length < 32) throw new RangeError('a model grant key needs at least 32 bytes');
    this.#now = now;
  }

  /** A grant for `deviceId` to read `version`'s files until `expiresAt` (ms since the epoch). */
  grant(version: string, deviceId: string, expiresAt: number): string {
    const expires = Math.ceil(expiresAt / 1000);
    return `${deviceId}.${expires}.${this.#mac(version, deviceId, expires)}`;
  }

  /** The device the grant was made for, when it is genuine, unexpired and for `version`. */
  deviceOf(grant: string, version: string): string | undefined {
    const parts = grant.split('.');
    if (parts.length !== 3) return undefined;
    const [deviceId = '', expiresText = '', mac = ''] = parts;
    if (!isDeviceId(deviceId) || !/^\d{1,12}$/.test(expiresText)) return undefined;
    const expires = Number(expiresText);
    if (expires * 1000 <= this.#now()) return undefined;
    const expected = Buffer.from(this.#mac(version, deviceId, expires), 'base64url');
    const given = Buffer.from(mac, 'base64url');
    return given.length === expected.length && timingSafeEqual(given, expected) ? deviceId : undefined;
  }

  #mac(version: string, deviceId: string, expires: number): string {
    return createHmac('sha256', this.#key)
      .update(`emberwatch-model-files\n${version}\n${deviceId}\n${expires}`)
      .digest('base64url');
  }
}

/** The manifest URL of `version` for one device under the public base URL. */
export function grantedManifestUrl(publicBaseUrl: string, grant: string, version: string): string {
  const base = publicBaseUrl.replace(/\/+$/, '');
  return `${base}/v1/device-models/${encodeURIComponent(grant)}/${encodeURIComponent(version)}/manifest.json`;
}
