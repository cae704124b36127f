import type { Logger } from '../../shared/logging.js';
import type { ObjectStore } from '../../shared/object-store/object-store.js';
import type { ThermalSnapshot } from '../../shared/schemas/messages.js';
import type { ReadingOf } from '../../shared/schemas/readings.js';
import { encodeThermalPng } from './thermal-png.js';

/** PNGs up to this size travel inside the anomaly message. */
export const INLINE_SNAPSHOT_MAX_BYTES = 48 * 1024;

/**
 * The false-colour picture of `frame` for an anomaly message: inline base64
 * below 48 KB, otherwise stored under `key` when a store is configured, else
 * left out. Rendering failures are logged and give null: the alarm matters
 * more than its picture.
 */
export async function thermalSnapshot(
  frame: ReadingOf<'mcu90640'> | undefined,
  key: string,
  store: ObjectStore | undefined,
  log: Logger,
): Promise<ThermalSnapshot> {
  if (frame === undefined) return null;
  try {
    const png = encodeThermalPng(frame, 4);
    if (png.length < INLINE_SNAPSHOT_MAX_BYTES) return { pngBase64: png.toString('base64') };
    if (store === undefined) return null;
    await store.put(key, png, { contentType: 'image/png' });
    return { objectKey: key };
  } catch (error) {
    log.warn({ err: error }, 'thermal snapshot failed; the anomaly goes without it');
    return null;
  }
}

/** Output pixels per sensor pixel of the status preview: 64 × 48, a few KB, fit to send every interval. */
export const PREVIEW_SCALE = 2;

/**
 * A small false-colour PNG of `frame` as base64 for the periodic health
 * status; undefined without a frame or when rendering fails (logged).
 */
export function thermalPreview(frame: ReadingOf<'mcu90640'> | undefined, log: Logger): string | undefined {
  if (frame === undefined) return undefined;
  try {
    const png = encodeThermalPng(frame, PREVIEW_SCALE);
    return png.toString('base64');
  } catch (error) {
    log.warn({ err: error }, 'thermal preview failed; the status goes without it');
    return undefined;
  }
}
