/** Small byte-level helpers shared by the protocol codecs. */

/** Sum of `bytes[from..to)` truncated to 8 bits. */
export function sum8(bytes: Uint8Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += bytes[i] ?? 0;
  return sum & 0xff;
}

/** Sum of `bytes[from..to)` truncated to 16 bits. */
export function sum16(bytes: Uint8Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += bytes[i] ?? 0;
  return sum & 0xffff;
}

export function u16be(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}

export function i16be(bytes: Uint8Array, at: number): number {
  const v = u16be(bytes, at);
  return v >= 0x8000 ? v - 0x10000 : v;
}

export function u16le(bytes: Uint8Array, at: number): number {
  return (bytes[at] ?? 0) | ((bytes[at + 1] ?? 0) << 8);
}

export function i16le(bytes: Uint8Array, at: number): number {
  const v = u16le(bytes, at);
  return v >= 0x8000 ? v - 0x10000 : v;
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function fromHex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'hex'));
}
