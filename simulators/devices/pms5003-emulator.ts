import type { HostCommand } from '../../shared/protocols/codec.js';
import { PMS5003_COMMANDS } from '../../shared/protocols/pms5003.js';
import { DeviceEmulator, type DeviceEmulatorOptions } from './device-emulator.js';
import type { Cancel } from './emulator-clock.js';

export interface Pms5003EmulatorOptions extends DeviceEmulatorOptions<'pms5003'> {
  /** Seconds between active-mode frames; the module sends about one a second. */
  readonly periodS?: number;
}

/**
 * Plantower PMS5003: pushes a frame every second in active mode; in passive
 * mode (E1 00) only answers a read (E2); asleep (E4 00) says nothing until
 * woken (E4 01). It sends no acknowledgement frames, so a host's set-up
 * commands cost it no dropped bytes. The 30 s warm-up after wake is not modelled.
 */
export class Pms5003Emulator extends DeviceEmulator<'pms5003'> {
  readonly #periodS: number;
  #mode: 'active' | 'passive' = 'active';
  #asleep = false;
  #ticker: Cancel = () => undefined;

  constructor(options: Pms5003EmulatorOptions) {
    super('pms5003', options);
    this.#periodS = options.periodS ?? 1;
  }

  get mode(): 'active' | 'passive' {
    return this.#mode;
  }

  get asleep(): boolean {
    return this.#asleep;
  }

  protected powerOn(): void {
    this.#mode = 'active';
    this.#asleep = false;
    this.#ticker();
    this.#ticker = this.every(this.#periodS, () => {
      if (this.#mode === 'active' && !this.#asleep) this.sendValues();
    });
  }

  protected onCommand({ command, data }: HostCommand): void {
    const arg = data[1] ?? 0;
    if (command === PMS5003_COMMANDS.mode) this.#mode = arg === 0 ? 'passive' : 'active';
    else if (command === PMS5003_COMMANDS.sleep) this.#asleep = arg === 0;
    else if (command === PMS5003_COMMANDS.readPassive && !this.#asleep) this.sendValues();
  }
}
