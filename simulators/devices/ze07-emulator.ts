import type { HostCommand } from '../../shared/protocols/codec.js';
import { encodeZe07, type Ze07Mode } from '../../shared/protocols/ze07.js';
import { DeviceEmulator, type DeviceEmulatorOptions } from './device-emulator.js';

const SWITCH_MODE = 0x78;
const QUERY_MODE_ARG = 0x41;
const ACTIVE_MODE_ARG = 0x40;
const READ = 0x86;

/**
 * Winsen ZE07-CO: pushes `FF 04 03 01 …` every second in active mode; after
 * `FF 01 78 41` answers each `FF 01 86` with `FF 86 …` and pushes nothing,
 * until `FF 01 78 40` returns it to active upload.
 */
export class Ze07Emulator extends DeviceEmulator<'ze07'> {
  #mode: Ze07Mode = 'active';

  constructor(options: DeviceEmulatorOptions<'ze07'>) {
    super('ze07', options);
  }

  get mode(): Ze07Mode {
    return this.#mode;
  }

  protected powerOn(): void {
    this.#mode = 'active';
    this.every(1, () => {
      if (this.#mode === 'active') this.sendValues((values) => encodeZe07(values, 'active'));
    });
  }

  protected onCommand({ command, data }: HostCommand): void {
    if (command === SWITCH_MODE && data[0] === QUERY_MODE_ARG) this.#mode = 'query';
    else if (command === SWITCH_MODE && data[0] === ACTIVE_MODE_ARG) this.#mode = 'active';
    else if (command === READ && this.#mode === 'query')
      this.sendValues((values) => encodeZe07(values, 'query'));
  }
}
