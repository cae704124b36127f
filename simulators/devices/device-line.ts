import type { EventEmitter } from 'node:events';

export interface DeviceLineEvents {
  /** Bytes the host wrote to the module. */
  data: [chunk: Uint8Array];
}

/**
 * The module's end of a serial line. The host opens `hostPath`; the emulator
 * writes and listens here. unplug()/replug() make the host see the device
 * vanish and come back at the same path.
 */
export interface DeviceLine extends EventEmitter<DeviceLineEvents> {
  /** The path the edge opens. */
  readonly hostPath: string;
  readonly baudRate: number;
  readonly plugged: boolean;
  /** Plugs the device in; resolves when the host can open `hostPath`. */
  open(): Promise<void>;
  /** Sends bytes to the host; dropped while unplugged, as on a real wire. */
  write(bytes: Uint8Array): void;
  unplug(): Promise<void>;
  replug(): Promise<void>;
  /** Unplugs for good and releases every process and handle. */
  close(): Promise<void>;
}
