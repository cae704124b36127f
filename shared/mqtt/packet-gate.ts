import { Duplex, Transform, pipeline, type TransformCallback } from 'node:stream';
import { MqttPacketScanner } from './packet-scanner.js';
import { TokenBucket } from './token-bucket.js';

/** How much one MQTT connection may send. */
export interface PacketLimits {
  /** Largest packet, header included; a larger one closes the connection before its body is read. */
  readonly maxPacketBytes: number;
  /** PUBLISH packets per second; beyond it reading pauses (TCP pushes back). Unlimited when absent. */
  readonly publishesPerSecond?: number;
  /** Bytes per second of any packet; beyond it reading pauses. Unlimited when absent. */
  readonly bytesPerSecond?: number;
}

/** The error a gate ends its stream with; `code` lets MQTT.js report it as a stream error. */
export class PacketRefused extends Error {
  readonly code = 'EMBER_MQTT_PACKET_REFUSED';
  constructor(
    message: string,
    readonly reason: 'too-large' | 'malformed',
    readonly bytes: number,
  ) {
    super(message);
  }
}

/** Seen by the owner of a gate when it throttles or refuses. */
export interface GateEvents {
  onRefused?(error: PacketRefused): void;
  onThrottled?(waitMs: number): void;
}

/**
 * A Transform in front of an MQTT parser: passes bytes through unchanged,
 * follows packet boundaries (MqttPacketScanner), ends the stream with a
 * PacketRefused at the header of a packet larger than the limit, and holds
 * a chunk (and so every later read) back for as long as it puts the sender
 * over its rate, so the kernel's socket buffers fill and the sender's TCP
 * window closes. Memory held: the
 * stream's high-water mark, whatever the sender sends.
 */
export class PacketGate extends Transform {
  readonly #scanner: MqttPacketScanner;
  readonly #publishes: TokenBucket | undefined;
  readonly #bytes: TokenBucket | undefined;
  readonly #events: GateEvents;
  readonly #max: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(limits: PacketLimits, events: GateEvents = {}) {
    super();
    this.#scanner = new MqttPacketScanner(limits.maxPacketBytes);
    this.#publishes =
      limits.publishesPerSecond === undefined ? undefined : new TokenBucket(limits.publishesPerSecond);
    this.#bytes =
      limits.bytesPerSecond === undefined
        ? undefined
        : new TokenBucket(limits.bytesPerSecond, Math.max(limits.bytesPerSecond, limits.maxPacketBytes));
    this.#events = events;
    this.#max = limits.maxPacketBytes;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const result = this.#scanner.scan(chunk);
    if (result.tooLarge !== undefined || result.malformed !== undefined) {
      const error =
        result.tooLarge === undefined
          ? new PacketRefused(`malformed MQTT packet: ${result.malformed ?? ''}`, 'malformed', 0)
          : new PacketRefused(
              `MQTT packet of ${result.tooLarge.bytes} bytes is over the ${this.#max}-byte limit`,
              'too-large',
              result.tooLarge.bytes,
            );
      this.#events.onRefused?.(error);
      callback(error);
      return;
    }
    const wait = Math.max(this.#publishes?.take(result.publishes) ?? 0, this.#bytes?.take(chunk.length) ?? 0);
    if (wait === 0) {
      callback(null, chunk);
      return;
    }
    // Held back, chunk included: what the sender is owed past its rate arrives when the rate allows.
    this.#events.onThrottled?.(wait);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      callback(null, chunk);
    }, wait);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.#timer);
    callback(error);
  }
}

/**
 * `socket` with a {@link PacketGate} on its incoming side: writes go to the
 * socket, reads come through the gate, destroying one destroys both.
 */
export function gatedDuplex(socket: Duplex, gate: PacketGate): Duplex {
  pipeline(socket, gate, () => undefined);
  const duplex = Duplex.from({ readable: gate, writable: socket });
  // The pair closes as one: the MQTT side must see a lost socket as a closed stream, and the other way round.
  socket.once('close', () => duplex.destroy());
  duplex.once('close', () => socket.destroy());
  return duplex;
}
