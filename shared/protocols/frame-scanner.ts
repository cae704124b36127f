/**
 * The one framing algorithm behind every decoder: a pure scan over bytes that
 * finds fixed-length frames behind known headers, verifies their checksums,
 * and reports what it had to throw away.
 */

/** Running totals a decoder reports. */
export interface DecodeStats {
  frames: number;
  checksumErrors: number;
  droppedBytes: number;
}

/** How to recognise one kind of fixed-length frame. */
export interface FrameSpec<V> {
  /** Total bytes of a frame, header and checksum included. */
  readonly frameLength: number;
  /** Allowed header prefixes: a candidate frame must begin with one of them. */
  readonly headers: readonly Uint8Array[];
  /** Whether the frame at `offset` carries a valid checksum. */
  checksumOk(bytes: Uint8Array, offset: number): boolean;
  /** Values of the frame at `offset`; called only after `checksumOk`. */
  parse(bytes: Uint8Array, offset: number): V;
}

export interface ScanResult<V> {
  frames: V[];
  /** Bytes fully dealt with; the rest may be the start of a frame and must be kept. */
  consumed: number;
  droppedBytes: number;
  checksumErrors: number;
}

const enum Candidate {
  None,
  Partial,
  Complete,
}

function candidateAt(spec: FrameSpec<unknown>, bytes: Uint8Array, at: number): Candidate {
  const available = bytes.length - at;
  for (const header of spec.headers) {
    const n = Math.min(header.length, available);
    let k = 0;
    while (k < n && bytes[at + k] === header[k]) k++;
    if (k === n) return available >= spec.frameLength ? Candidate.Complete : Candidate.Partial;
  }
  return Candidate.None;
}

/**
 * Scans `bytes` for frames. Garbage is skipped a byte at a time and counted;
 * a frame with a bad checksum counts one checksum error and the scan resumes
 * one byte after its start, so a real header hidden inside it is not lost.
 * Never throws on any input.
 */
export function scanFrames<V>(spec: FrameSpec<V>, bytes: Uint8Array): ScanResult<V> {
  const frames: V[] = [];
  let droppedBytes = 0;
  let checksumErrors = 0;
  let at = 0;
  while (at < bytes.length) {
    const candidate = candidateAt(spec, bytes, at);
    if (candidate === Candidate.Partial) break;
    if (candidate === Candidate.Complete && spec.checksumOk(bytes, at)) {
      frames.push(spec.parse(bytes, at));
      at += spec.frameLength;
      continue;
    }
    if (candidate === Candidate.Complete) checksumErrors++;
    droppedBytes++;
    at++;
  }
  return { frames, consumed: at, droppedBytes, checksumErrors };
}

/**
 * Incremental decoding over chunks of any size. Keeps at most one partial
 * frame (fewer than `frameLength` bytes) between calls, so memory is bounded
 * whatever the line sends.
 */
export class FrameDecoder<V> {
  readonly #spec: FrameSpec<V>;
  #pending: Uint8Array = new Uint8Array(0);
  readonly #stats: DecodeStats = { frames: 0, checksumErrors: 0, droppedBytes: 0 };

  constructor(spec: FrameSpec<V>) {
    this.#spec = spec;
  }

  /** Decodes what `chunk` completes; returns the frames in order. */
  push(chunk: Uint8Array): V[] {
    let bytes = chunk;
    if (this.#pending.length > 0) {
      bytes = new Uint8Array(this.#pending.length + chunk.length);
      bytes.set(this.#pending, 0);
      bytes.set(chunk, this.#pending.length);
    }
    const result = scanFrames(this.#spec, bytes);
    this.#pending = bytes.slice(result.consumed);
    this.#stats.frames += result.frames.length;
    this.#stats.checksumErrors += result.checksumErrors;
    this.#stats.droppedBytes += result.droppedBytes;
    return result.frames;
  }

  /** Ends the stream: whatever partial frame is left counts as dropped. */
  flush(): void {
    this.#stats.droppedBytes += this.#pending.length;
    this.#pending = new Uint8Array(0);
  }

  /** Bytes held while waiting for the rest of a frame. */
  get pendingBytes(): number {
    return this.#pending.length;
  }

  get stats(): Readonly<DecodeStats> {
    return { ...this.#stats };
  }
}
