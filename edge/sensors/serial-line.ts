import { EventEmitter } from 'node:events';
// The binding packages ship types for their CommonJS entry only.
import type { BindingInterface } from '@serialport/bindings-interface' with { 'resolution-mode': 'require' };
import { SerialPortStream } from '@serialport/stream';
import { SerialPort, SerialPortMock } from 'serialport';
import { EmberError } from '../../shared/errors.js';

/**
 * The one port interface a serial source talks through. A line is an open
 * connection; it is obtained from a {@link SerialLineFactory} and is never
 * reopened: after 'close' the caller asks the factory for a new one.
 */
export interface SerialLineEvents {
  /** Bytes from the module, in arrival order and arbitrary chunks. */
  data: [chunk: Uint8Array];
  /** The line is gone; `reason` is set when it was not closed on purpose (unplug, I/O error). */
  close: [reason: Error | undefined];
  /** An I/O error that did not (yet) close the line; dropped when nobody listens. */
  error: [error: Error];
}

export interface SerialLine extends EventEmitter<SerialLineEvents> {
  readonly path: string;
  readonly baudRate: number;
  /** Resolves when the operating system took the bytes; rejects with EMBER_ERR_SERIAL_WRITE. */
  write(bytes: Uint8Array): Promise<void>;
  /** Closes the line; resolves once closed. Never rejects. */
  close(): Promise<void>;
}

export interface SerialLineRequest {
  readonly path: string;
  readonly baudRate: number;
}

/** Opens lines; rejects with a retryable EMBER_ERR_SERIAL_OPEN when the port cannot be opened. */
export interface SerialLineFactory {
  /** What kind of port this factory opens, for log lines ('system', 'mock', ...). */
  readonly kind: string;
  open(request: SerialLineRequest): Promise<SerialLine>;
}

/** A {@link SerialLine} over any node-serialport stream, whatever its binding. */
class StreamSerialLine extends EventEmitter<SerialLineEvents> implements SerialLine {
  readonly #stream: SerialPortStream;
  #closed = false;

  constructor(stream: SerialPortStream) {
    super();
    this.#stream = stream;
    stream.on('data', (chunk: Buffer) => this.emit('data', chunk));
    // An 'error' nobody listens to would throw; a late error after the owner detached must not crash the process.
    stream.on('error', (error: Error) => {
      if (this.listenerCount('error') > 0) this.emit('error', error);
    });
    stream.on('close', (reason: Error | null) => {
      if (this.#closed) return;
      this.#closed = true;
      this.emit('close', reason ?? undefined);
    });
  }

  get path(): string {
    return this.#stream.path;
  }

  get baudRate(): number {
    return this.#stream.baudRate;
  }

  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#closed || !this.#stream.isOpen) {
        reject(new EmberError('EMBER_ERR_SERIAL_CLOSED', `write to ${this.path}: the line is closed`));
        return;
      }
      this.#stream.write(Buffer.from(bytes), (error) => {
        if (error) {
          reject(
            new EmberError('EMBER_ERR_SERIAL_WRITE', `write to ${this.path} failed: ${error.message}`, {
              cause: error,
              retryable: true,
            }),
          );
        } else {
          resolve();
        }
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.#closed || !this.#stream.isOpen) {
        this.#closed = true;
        resolve();
        return;
      }
      // 'close' from the stream must not be reported as a loss: the caller asked for it.
      this.#closed = true;
      this.#stream.close(() => resolve());
    });
  }
}

/** Opens `stream` (created with autoOpen: false) and wraps it. */
export function openStreamLine(stream: SerialPortStream): Promise<SerialLine> {
  return new Promise((resolve, reject) => {
    const line = new StreamSerialLine(stream);
    stream.open((error) => {
      if (error) {
        reject(
          new EmberError('EMBER_ERR_SERIAL_OPEN', `cannot open ${stream.path}: ${error.message}`, {
            cause: error,
            retryable: true,
          }),
        );
      } else {
        resolve(line);
      }
    });
  });
}

/** Real serial ports (USB adapters, UARTs, pseudo-terminals) through serialport's native binding. */
export function systemSerialLines(): SerialLineFactory {
  return {
    kind: 'system',
    open: ({ path, baudRate }) => openStreamLine(new SerialPort({ path, baudRate, autoOpen: false })),
  };
}

/** Ports of any node-serialport binding, for instance an in-process emulator bus. */
export function bindingSerialLines(binding: BindingInterface, kind = 'binding'): SerialLineFactory {
  return {
    kind,
    open: ({ path, baudRate }) =>
      openStreamLine(new SerialPortStream({ binding, path, baudRate, autoOpen: false })),
  };
}

/**
 * serialport's in-process mock binding, the instance `serialport` itself
 * loads. Importing '@serialport/binding-mock' from ESM gives a second
 * instance with its own port table, so use this one everywhere.
 */
export const mockBinding = SerialPortMock.binding;

/** Ports of serialport's mock binding; create them first with `mockBinding.createPort(path)`. */
export function mockSerialLines(): SerialLineFactory {
  return bindingSerialLines(mockBinding, 'mock');
}
