import { thermalPng } from '../../shared/charts/thermal-image.js';
import type { Logger } from '../../shared/logging.js';
import type { ObjectStore } from '../../shared/object-store/object-store.js';
import type { ThermalSnapshot } from '../../shared/schemas/messages.js';
import type { ReadingOf } from '../../shared/schemas/readings.js';

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
    const png = await thermalPng(frame, { scale: 4, legend: false });
    if (png.length < INLINE_SNAPSHOT_MAX_BYTES) return { pngBase64: png.toString('base64') };
    if (store === undefined) return null;
    await store.put(key, png, { contentType: 'image/png' });
    return { objectKey: key };
  } catch (error) {
    log.warn({ err: error }, 'thermal snapshot failed; the anomaly goes without it');
    return null;
  }
}
