import { EventEmitter } from 'node:events';
import type {
  BindingInterface,
  BindingPortInterface,
  OpenOptions,
  PortInfo,
  PortStatus,
  SetOptions,
  UpdateOptions,
} from '@serialport/bindings-interface' with { 'resolution-mode': 'require' };
import type { MockPortBinding } from '@serialport/binding-mock' with { 'resolution-mode': 'require' };
import { SerialPortMock } from 'serialport';
import type { DeviceLine, DeviceLineEvents } from './device-line.js';

/** The instance `serialport` loads; the ESM entry of '@serialport/binding-mock' would be a second one. */
const mockBinding = SerialPortMock.binding;

/**
 * The host's port on the bus: serialport's mock port, tapped so that host
 * writes reach the device and an unplug fails the pending read the way a
 * vanished USB adapter does (an error that is not `canceled`).
 */
class TappedMockPort implements BindingPortInterface {
  readonly #inner: MockPortBinding;
  readonly #device: MockDeviceLine;
  #unplug: ((error: Error) => void) | undefined;
  readonly #unplugged: Promise<never>;

  constructor(inner: MockPortBinding, device: MockDeviceLine) {
    this.#inner = inner;
    this.#device = device;
    this.#unplugged = new Promise<never>((_resolve, reject) => (this.#unplug = reject));
    this.#unplugged.catch(() => undefined);
  }

  get openOptions(): Required<OpenOptions> {
    return this.#inner.openOptions;
  }

  get isOpen(): boolean {
    return this.#inner.isOpen;
  }

  /** Bytes from the device to the host. */
  deliver(bytes: Uint8Array): void {
    if (this.#inner.isOpen) this.#inner.emitData(Buffer.from(bytes));
  }

  pullPlug(): void {
    this.#unplug?.(new Error('device unplugged'));
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    return Promise.race([this.#inner.read(buffer, offset, length), this.#unplugged]);
  }

  async write(buffer: Buffer): Promise<void> {
    await Promise.race([this.#inner.write(buffer), this.#unplugged]);
    this.#device.fromHost(buffer);
  }

  update(options: UpdateOptions): Promise<void> {
    return this.#inner.update(options);
  }

  set(options: SetOptions): Promise<void> {
    return this.#inner.set(options);
  }

  get(): Promise<PortStatus> {
    return this.#inner.get();
  }

  getBaudRate(): Promise<{ baudRate: number }> {
    return this.#inner.getBaudRate();
  }

  flush(): Promise<void> {
    return this.#inner.flush();
  }

  drain(): Promise<void> {
    return this.#inner.drain();
  }
}

/** A device on the in-process bus; see {@link MockDeviceBus}. */
export class MockDeviceLine extends EventEmitter<DeviceLineEvents> implements DeviceLine {
  readonly hostPath: string;
  readonly baudRate: number;
  #plugged = false;
  #hostPort: TappedMockPort | undefined;

  constructor(hostPath: string, baudRate: number) {
    super();
    this.hostPath = hostPath;
    this.baudRate = baudRate;
  }

  get plugged(): boolean {
    return this.#plugged;
  }

  open(): Promise<void> {
    this.#plugged = true;
    return Promise.resolve();
  }

  write(bytes: Uint8Array): void {
    if (this.#plugged) this.#hostPort?.deliver(bytes);
  }

  unplug(): Promise<void> {
    this.#plugged = false;
    this.#hostPort?.pullPlug();
    this.#hostPort = undefined;
    return Promise.resolve();
  }

  replug(): Promise<void> {
    return this.open();
  }

  close(): Promise<void> {
    return this.unplug();
  }

  /** @internal the bus hands over each port the host opens. */
  attachHost(port: TappedMockPort): void {
    this.#hostPort = port;
  }

  /** @internal bytes the host wrote. */
  fromHost(bytes: Uint8Array): void {
    if (this.#plugged) this.emit('data', Uint8Array.from(bytes));
  }
}

/**
 * In-process serial lines on serialport's mock binding: hand `binding` to the
 * edge (edge/sensors `bindingSerialLines`) and give each emulator a line().
 * Paths are unique per bus, so buses never see each other's devices.
 */
export class MockDeviceBus {
  readonly #prefix: string;
  readonly #lines = new Map<string, MockDeviceLine>();
  readonly binding: BindingInterface;

  constructor(name = `bus-${process.pid}-${Math.random().toString(36).slice(2, 8)}`) {
    this.#prefix = `/mock/emberwatch/${name}`;
    this.binding = {
      list: (): Promise<PortInfo[]> => mockBinding.list(),
      open: async (options: OpenOptions): Promise<BindingPortInterface> => {
        const device = this.#lines.get(options.path);
        if (device?.plugged !== true) throw new Error(`no such device: ${options.path}`);
        const port = new TappedMockPort(await mockBinding.open(options), device);
        device.attachHost(port);
        return port;
      },
    };
  }

  /** A new device line at `<bus>/<id>`. */
  line(id: string, baudRate: number): MockDeviceLine {
    const path = `${this.#prefix}/${id}`;
    const existing = this.#lines.get(path);
    if (existing !== undefined) return existing;
    mockBinding.createPort(path);
    const line = new MockDeviceLine(path, baudRate);
    this.#lines.set(path, line);
    return line;
  }
}
