/** MQTT control packet type 3: PUBLISH. */
const PUBLISH = 3;
/** The largest remaining length MQTT can express (four length bytes). */
export const MQTT_MAX_REMAINING_LENGTH = 268_435_455;

/** What one chunk of an MQTT byte stream held, as far as packet boundaries go. */
export interface ScanResult {
  /** PUBLISH packets whose fixed header ended in this chunk. */
  readonly publishes: number;
  /** Packets of any type whose fixed header ended in this chunk. */
  readonly packets: number;
  /** Set when a packet announces more bytes than allowed: the stream must be cut here. */
  readonly tooLarge?: { readonly type: number; readonly bytes: number };
  /** Set when a fixed header is not valid MQTT (a fifth length byte). */
  readonly malformed?: string;
}

/**
 * Follows the packet boundaries of an MQTT byte stream from the fixed
 * headers alone (type nibble and variable-length "remaining length"),
 * without keeping any packet: the bytes of a packet's body are only
 * counted. A packet whose header announces more than `maxPacketBytes` (its
 * whole size, header included) is reported as soon as the header is read,
 * before its body arrives. Pure and bounded: never throws on any bytes,
 * keeps at most five header bytes.
 */
export class MqttPacketScanner {
  readonly #max: number;
  /** Body bytes still to skip of the current packet. */
  #remaining = 0;
  /** The fixed header read so far (type byte and length bytes). */
  #header: number[] = [];
  #stopped = false;

  constructor(maxPacketBytes: number) {
    this.#max = maxPacketBytes;
  }

  scan(chunk: Uint8Array): ScanResult {
    let publishes = 0;
    let packets = 0;
    if (this.#stopped) return { publishes, packets, malformed: 'stream already refused' };
    let i = 0;
    while (i < chunk.length) {
      if (this.#remaining > 0) {
        const skip = Math.min(this.#remaining, chunk.length - i);
        this.#remaining -= skip;
        i += skip;
        continue;
      }
      const byte = chunk[i++] ?? 0;
      this.#header.push(byte);
      if (this.#header.length === 1) continue;
      if ((byte & 0x80) !== 0) {
        if (this.#header.length === 5) {
          this.#stopped = true;
          return { publishes, packets, malformed: 'remaining length longer than four bytes' };
        }
        continue;
      }
      let length = 0;
      for (let k = this.#header.length - 1; k >= 1; k--)
        length = length * 128 + ((this.#header[k] ?? 0) & 0x7f);
      const type = (this.#header[0] ?? 0) >> 4;
      const total = length + this.#header.length;
      this.#header = [];
      packets++;
      if (type === PUBLISH) publishes++;
      if (total > this.#max) {
        this.#stopped = true;
        return { publishes, packets, tooLarge: { type, bytes: total } };
      }
      this.#remaining = length;
    }
    return { publishes, packets };
  }
}
