import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 8 * 512;
const HEX_DIGIT = '0123456789abcdef';
const HEX_BYTE = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** Two hex digits of the low byte of `value`. */
function hex(value: number): string {
  return HEX_BYTE[value & 0xff] ?? '00';
}
const COUNTER_MAX = 0xfff;

/**
 * Returns a generator of UUIDv7 strings (RFC 9562): 48 bits of Unix time in
 * ms, then a 12-bit counter (method 1 of the RFC) so ids made in the same
 * millisecond still sort in creation order, then 62 random bits so two
 * gateways never collide. If the clock steps back (a Pi without RTC before
 * NTP), the generator keeps the last timestamp so ids never go backwards
 * within a process. Ids are for de-duplication; the outbox orders by its own
 * sequence, never by id, because time across reboots cannot be trusted.
 */
export function createMessageIdGenerator(clock: { now(): number } = Date): () => string {
  const pool = Buffer.alloc(POOL_BYTES);
  let poolOffset = POOL_BYTES;
  let lastMs = -1;
  let counter = 0;

  return () => {
    let ms = Math.floor(clock.now());
    if (ms > lastMs) {
      lastMs = ms;
      // Start low in the counter space so a burst of 2048+ ids fits in one millisecond.
      counter = Math.floor(Math.random() * 0x400);
    } else {
      ms = lastMs;
      counter++;
      if (counter > COUNTER_MAX) {
        lastMs++;
        ms = lastMs;
        counter = 0;
      }
    }
    if (poolOffset + 8 > POOL_BYTES) {
      randomFillSync(pool);
      poolOffset = 0;
    }
    const r = poolOffset;
    poolOffset += 8;
    const high = Math.floor(ms / 0x1_0000_0000);
    const low = ms >>> 0;
    return (
      hex(high >>> 8) +
      hex(high) +
      hex(low >>> 24) +
      hex(low >>> 16) +
      '-' +
      hex(low >>> 8) +
      hex(low) +
      '-7' +
      HEX_DIGIT.charAt((counter >>> 8) & 0xf) +
      hex(counter) +
      '-' +
      hex(((pool[r] ?? 0) & 0x3f) | 0x80) +
      hex(pool[r + 1] ?? 0) +
      '-' +
      hex(pool[r + 2] ?? 0) +
      hex(pool[r + 3] ?? 0) +
      hex(pool[r + 4] ?? 0) +
      hex(pool[r + 5] ?? 0) +
      hex(pool[r + 6] ?? 0) +
      hex(pool[r + 7] ?? 0)
    );
  };
}

/** The Unix time in ms encoded in a UUIDv7. */
export function timeOfMessageId(id: string): number {
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
