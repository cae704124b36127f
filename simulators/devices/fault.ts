/**
 * Things that go wrong on real serial lines, injected on demand.
 * Frame faults (`truncated-frame`, `bad-checksum`) spoil the next frame the
 * module sends, pushed or polled; the others act at once.
 */
export type Fault =
  /** Random bytes written between frames. */
  | { readonly kind: 'garbage'; readonly bytes?: number }
  /** The next frame stops halfway, as when a module resets mid-frame. */
  | { readonly kind: 'truncated-frame' }
  /** The next frame carries a wrong checksum. */
  | { readonly kind: 'bad-checksum' }
  /** The module says nothing, pushed or polled, for `seconds` of simulated time. */
  | { readonly kind: 'silence'; readonly seconds: number }
  /** The adapter is unplugged for `seconds` of simulated time, then plugged back at the same path. */
  | { readonly kind: 'disconnect'; readonly seconds: number };

export type FrameFault = Extract<Fault, { kind: 'truncated-frame' | 'bad-checksum' }>['kind'];

/** The bytes a module sends when `fault` hits `frame`. */
export function spoilFrame(frame: Uint8Array, fault: FrameFault): Uint8Array {
  if (fault === 'truncated-frame') return frame.slice(0, Math.max(1, Math.ceil(frame.length / 2)));
  const spoiled = frame.slice();
  const last = spoiled.length - 1;
  spoiled[last] = (spoiled[last] ?? 0) ^ 0x01;
  return spoiled;
}

/** `count` random bytes. */
export function garbageBytes(count: number, random: () => number = Math.random): Uint8Array {
  const bytes = new Uint8Array(count);
  for (let i = 0; i < count; i++) bytes[i] = Math.floor(random() * 256);
  return bytes;
}
