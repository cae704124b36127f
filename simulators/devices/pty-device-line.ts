import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { EmberError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logging.js';
import type { DeviceLine, DeviceLineEvents } from './device-line.js';
import { PtyPair } from './pty-pair.js';

export interface PtyDeviceLineOptions {
  /** Directory of the links; the edge opens `<runDir>/<id>.tty`. */
  readonly runDir: string;
  readonly id: string;
  readonly baudRate: number;
  readonly socatPath?: string;
  readonly logger: Logger;
}

/** A device line on a real pseudo-terminal pair; unplug tears the pair down, replug rebuilds it at the same paths. */
export class PtyDeviceLine extends EventEmitter<DeviceLineEvents> implements DeviceLine {
  readonly hostPath: string;
  readonly devicePath: string;
  readonly baudRate: number;
  readonly #pair: PtyPair;
  readonly #log: Logger;
  #port: SerialPort | undefined;

  constructor(options: PtyDeviceLineOptions) {
    super();
    this.hostPath = join(options.runDir, `${options.id}.tty`);
    this.devicePath = join(options.runDir, `${options.id}.device.tty`);
    this.baudRate = options.baudRate;
    this.#log = options.logger.child({ component: 'pty-line', id: options.id });
    this.#pair = new PtyPair({
      devicePath: this.devicePath,
      hostPath: this.hostPath,
      socatPath: options.socatPath,
      logger: this.#log,
    });
  }

  get plugged(): boolean {
    return this.#port !== undefined;
  }

  async open(): Promise<void> {
    if (this.#port !== undefined) return;
    await this.#pair.start();
    const port = new SerialPort({ path: this.devicePath, baudRate: this.baudRate, autoOpen: false });
    try {
      await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
    } catch (error) {
      await this.#pair.stop();
      throw new EmberError('EMBER_ERR_SERIAL_OPEN', `cannot open ${this.devicePath}`, { cause: error });
    }
    port.on('data', (chunk: Buffer) => this.emit('data', chunk));
    port.on('error', (error: Error) => this.#log.debug({ err: error }, 'device end error'));
    // Node emits 'close' with an error, with null, or with nothing at all (a stream destroyed without one).
    port.on('close', (reason?: unknown) => {
      if (reason instanceof Error && this.#port === port)
        this.#log.warn({ reason: reason.message }, 'device end lost');
    });
    this.#port = port;
  }

  write(bytes: Uint8Array): void {
    const port = this.#port;
    if (port?.isOpen !== true) return;
    port.write(Buffer.from(bytes), (error) => {
      if (error) this.#log.debug({ err: error }, 'device end write failed');
    });
  }

  async unplug(): Promise<void> {
    const port = this.#port;
    this.#port = undefined;
    if (port?.isOpen === true) await new Promise<void>((resolve) => port.close(() => resolve()));
    await this.#pair.stop();
  }

  replug(): Promise<void> {
    return this.open();
  }

  close(): Promise<void> {
    return this.unplug();
  }
}
