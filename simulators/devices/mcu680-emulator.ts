import type { HostCommand } from '../../shared/protocols/codec.js';
import { DeviceEmulator, type DeviceEmulatorOptions } from './device-emulator.js';
import type { Cancel } from './emulator-clock.js';

const SELECT_OUTPUTS = 0x55;
const OUTPUT_MODE = 0x56;
const CONTINUOUS_ARG = 0x02;

/**
 * GY-MCU680. Project choice: silent after power-up until `A5 56 02`
 * (continuous), then one frame a second. `A5 55 xx` (select outputs) is
 * recorded; frames always carry every field, as the reference layout does.
 */
export class Mcu680Emulator extends DeviceEmulator<'mcu680'> {
  #streaming = false;
  #selectedOutputs: number | undefined;
  #ticker: Cancel = () => undefined;

  constructor(options: DeviceEmulatorOptions<'mcu680'>) {
    super('mcu680', options);
  }

  get streaming(): boolean {
    return this.#streaming;
  }

  get selectedOutputs(): number | undefined {
    return this.#selectedOutputs;
  }

  protected powerOn(): void {
    this.#ticker();
    this.#streaming = false;
    this.#selectedOutputs = undefined;
  }

  protected onCommand({ command, data }: HostCommand): void {
    if (command === SELECT_OUTPUTS) this.#selectedOutputs = data[0];
    else if (command === OUTPUT_MODE && data[0] === CONTINUOUS_ARG && !this.#streaming) {
      this.#streaming = true;
      this.#ticker = this.every(1, () => this.sendValues());
    }
  }
}
