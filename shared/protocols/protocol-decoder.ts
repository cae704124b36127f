import { Transform, type TransformCallback } from 'node:stream';
import type { ChannelsByProtocol, ProtocolName } from '../schemas/readings.js';
import type { ProtocolCodec } from './codec.js';
import { FrameDecoder, type DecodeStats } from './frame-scanner.js';

/** One valid frame: its channel values and the channels flagged out of range. */
export interface DecodedFrame<P extends ProtocolName = ProtocolName> {
  readonly protocol: P;
  readonly values: ChannelsByProtocol[P];
  readonly outOfRange: string[];
}

/** Incremental decoder of one module's byte stream into flagged frames. */
export class ProtocolDecoder<P extends ProtocolName> {
  readonly #codec: ProtocolCodec<P>;
  readonly #frames: FrameDecoder<ChannelsByProtocol[P]>;

  constructor(codec: ProtocolCodec<P>) {
    this.#codec = codec;
    this.#frames = new FrameDecoder(codec.frame);
  }

  push(chunk: Uint8Array): DecodedFrame<P>[] {
    return this.#frames.push(chunk).map((values) => ({
      protocol: this.#codec.protocol,
      values,
      outOfRange: this.#codec.outOfRange(values),
    }));
  }

  flush(): void {
    this.#frames.flush();
  }

  get stats(): Readonly<DecodeStats> {
    return this.#frames.stats;
  }

  get pendingBytes(): number {
    return this.#frames.pendingBytes;
  }
}

/** The decoder as an object-mode Transform: bytes in, {@link DecodedFrame}s out. */
export class DecoderStream<P extends ProtocolName> extends Transform {
  readonly decoder: ProtocolDecoder<P>;

  constructor(codec: ProtocolCodec<P>) {
    super({ readableObjectMode: true });
    this.decoder = new ProtocolDecoder(codec);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    for (const frame of this.decoder.push(chunk)) this.push(frame);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.decoder.flush();
    callback();
  }
}
