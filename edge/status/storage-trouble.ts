import { dirname } from 'node:path';
import type { StorageState } from '../outbox/outbox-storage.js';

/**
 * Whether the outbox's storage is in trouble, and a person's words for it:
 * writes failing, the disk so full that the space kept for alarms is in use,
 * or messages held in memory because they could not be stored. Pure.
 */
export function storageTrouble(
  storage: StorageState,
  heldInMemory: number,
  outboxPath: string,
): { readonly standing: boolean; readonly detail: string } {
  const why: string[] = [];
  if (storage.failure !== undefined) why.push(`the outbox cannot write (${storage.failure})`);
  if (!storage.reserveHeld) {
    why.push('the disk is full: the space kept for alarms is in use and telemetry is refused');
  }
  if (heldInMemory > 0) {
    why.push(`${String(heldInMemory)} message(s) not stored, held in memory and sent directly`);
  }
  const standing = why.length > 0;
  if (standing) why.push(`free space on the disk of ${dirname(outboxPath)}`);
  return { standing, detail: why.join('; ') };
}
