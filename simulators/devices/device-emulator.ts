import { EventEmitter } from 'node:events';
import { EmberError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logging.js';
import type { HostCommand, ProtocolCodec } from '../../shared/protocols/codec.js';
import { FrameDecoder } from '../../shared/protocols/frame-scanner.js';
import { CODECS } from '../../shared/protocols/index.js';
import type { ChannelsByProtocol, ProtocolName } from '../../shared/schemas/readings.js';
import type { DeviceLine } from './device-line.js';
import type { Cancel, EmulatorClock } from './emulator-clock.js';
import { garbageBytes, spoilFrame, type Fault, type FrameFault } from './fault.js';
import { defaultSource, type ValueSource } from './value-source.js';

export interface DeviceEmulatorEvents {
  /** Bytes of one frame as sent (spoiled when a fault hit it). */
  frame: [bytes: Uint8Array];
  /** A valid host command, before the module acts on it. */
  command: [command: HostCommand];
  fault: [fault: Fault];
}

export interface DeviceEmulatorOptions<P extends ProtocolName> {
  readonly id: string;
  readonly line: DeviceLine;
  readonly clock: EmulatorClock;
  readonly logger: Logger;
  /** Clean-room values when absent. */
  readonly source?: ValueSource<P>;
  readonly random?: () => number;
}

export interface DeviceEmulatorStats {
  framesSent: number;
  commandsReceived: number;
  faultsInjected: number;
}

/**
 * One emulated module on one device line: writes exactly the module's bytes
 * and answers host commands as the module would. Subclasses hold the module's
 * behaviour; this class holds the line, time, values and fault injection.
 * A replug after a disconnect is a power cycle: the module restarts in its
 * power-up state.
 */
export abstract class DeviceEmulator<P extends ProtocolName> extends EventEmitter<DeviceEmulatorEvents> {
  readonly id: string;
  readonly protocol: P;
  readonly line: DeviceLine;
  protected readonly codec: ProtocolCodec<P>;
  protected readonly clock: EmulatorClock;
  protected readonly log: Logger;
  readonly #source: ValueSource<P>;
  readonly #random: () => number;
  readonly #commands: FrameDecoder<HostCommand>;
  readonly #timers = new Set<Cancel>();
  readonly #sleepers = new Set<() => void>();
  readonly #frameFaults: { kind: FrameFault; done: () => void }[] = [];
  readonly #stats: DeviceEmulatorStats = { framesSent: 0, commandsReceived: 0, faultsInjected: 0 };
  #silentUntilS = Number.NEGATIVE_INFINITY;
  #running = false;
  readonly #onHostBytes = (chunk: Uint8Array): void => {
    for (const command of this.#commands.push(chunk)) {
      this.#stats.commandsReceived++;
      this.emit('command', command);
      if (this.clock.now() >= this.#silentUntilS) this.onCommand(command);
    }
  };

  protected constructor(protocol: P, options: DeviceEmulatorOptions<P>) {
    super();
    this.id = options.id;
    this.protocol = protocol;
    this.line = options.line;
    this.clock = options.clock;
    this.codec = CODECS[protocol];
    this.#source = options.source ?? defaultSource(protocol);
    this.#random = options.random ?? Math.random;
    this.#commands = new FrameDecoder(this.codec.command);
    this.log = options.logger.child({ component: 'device-emulator', id: options.id, protocol });
  }

  get stats(): Readonly<DeviceEmulatorStats> {
    return { ...this.#stats };
  }

  isRunning(): boolean {
    return this.#running;
  }

  /** Plugs the line in and powers the module up. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.line.on('data', this.#onHostBytes);
    await this.line.open();
    this.powerOn();
  }

  /** Powers the module down and releases its line. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#cancelTimers();
    for (const fault of this.#frameFaults.splice(0)) fault.done();
    for (const wake of [...this.#sleepers]) wake();
    this.line.off('data', this.#onHostBytes);
    await this.line.close();
  }

  /** Injects `fault`; resolves once it has played out (for a disconnect: once plugged back). */
  async inject(fault: Fault): Promise<void> {
    if (!this.#running) {
      throw new EmberError('EMBER_ERR_NOT_STARTED', `emulator ${this.id} is not running`);
    }
    this.#stats.faultsInjected++;
    this.emit('fault', fault);
    this.log.debug({ fault }, 'injecting fault');
    switch (fault.kind) {
      case 'garbage':
        this.line.write(garbageBytes(fault.bytes ?? 64, this.#random));
        return;
      case 'truncated-frame':
      case 'bad-checksum':
        await new Promise<void>((done) => this.#frameFaults.push({ kind: fault.kind, done }));
        return;
      case 'silence':
        this.#silentUntilS = this.clock.now() + fault.seconds;
        await this.#sleep(fault.seconds);
        return;
      case 'disconnect':
        this.#cancelTimers();
        await this.line.unplug();
        await this.#sleep(fault.seconds);
        // stop() may have run while unplugged.
        if (!this.isRunning()) return;
        await this.line.replug();
        this.powerOn();
        return;
    }
  }

  /** Puts the module in its power-up state and starts what it does unasked. */
  protected abstract powerOn(): void;

  /** Acts on one valid host command. */
  protected abstract onCommand(command: HostCommand): void;

  /** The values of now, or undefined when the source keeps the module silent. */
  protected values(): ChannelsByProtocol[P] | undefined {
    return this.#source.valueAt(this.clock.now());
  }

  /** Encodes and sends the values of now; false when there was nothing to send. */
  protected sendValues(
    encode: (values: ChannelsByProtocol[P]) => Uint8Array = (v) => this.codec.encode(v),
  ): boolean {
    const values = this.values();
    if (values === undefined) return false;
    let frame: Uint8Array;
    try {
      frame = encode(values);
    } catch (error) {
      // Values a frame cannot carry (a source bug) cost one frame, not the emulator.
      this.log.warn({ err: error }, 'values do not fit a frame');
      return false;
    }
    return this.sendFrame(frame);
  }

  /** Sends one frame, unless silenced; applies a pending frame fault. */
  protected sendFrame(frame: Uint8Array): boolean {
    if (this.clock.now() < this.#silentUntilS) return false;
    const fault = this.#frameFaults.shift();
    const bytes = fault === undefined ? frame : spoilFrame(frame, fault.kind);
    this.line.write(bytes);
    this.#stats.framesSent++;
    this.emit('frame', bytes);
    fault?.done();
    return true;
  }

  /** Calls `tick` every `periodS` simulated seconds until the returned cancel or a power cycle. */
  protected every(periodS: number, tick: () => void): Cancel {
    let cancelNext: Cancel = () => undefined;
    let cancelled = false;
    const schedule = (): void => {
      cancelNext = this.#after(periodS, () => {
        if (cancelled) return;
        schedule();
        tick();
      });
    };
    schedule();
    return () => {
      cancelled = true;
      cancelNext();
    };
  }

  #after(seconds: number, callback: () => void): Cancel {
    const cancel = this.clock.after(seconds, () => {
      this.#timers.delete(cancel);
      callback();
    });
    this.#timers.add(cancel);
    return () => {
      this.#timers.delete(cancel);
      cancel();
    };
  }

  /** Waits simulated time; stop() wakes every sleeper so no fault outlives the emulator. */
  #sleep(seconds: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        this.#sleepers.delete(wake);
        cancel();
        resolve();
      };
      const cancel = this.clock.after(seconds, wake);
      this.#sleepers.add(wake);
    });
  }

  #cancelTimers(): void {
    for (const cancel of this.#timers) cancel();
    this.#timers.clear();
  }
}
