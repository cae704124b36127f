import type { HostCommand } from '../../shared/protocols/codec.js';
import {
  MCU90640_BAUD_RATES,
  MCU90640_COMMAND_BYTES,
  MCU90640_RATES_HZ,
} from '../../shared/protocols/mcu90640.js';
import { DeviceEmulator, type DeviceEmulatorOptions } from './device-emulator.js';
import type { Cancel } from './emulator-clock.js';

export type Mcu90640Mode = 'idle' | 'continuous' | 'on-request';

const CONTINUOUS_ARG = 0x02;
const ONE_FRAME_ARG = 0x01;

/**
 * GY-MCU90640. Project choice: after power-up it is idle until told
 * (`A5 35 02` continuous at the current rate, `A5 35 01` one frame per
 * request), so the host's set-up is always exercised. `A5 25 0r` sets the
 * rate (0.5…16 Hz); `A5 15 0x` is recorded but the line speed is not changed.
 */
export class Mcu90640Emulator extends DeviceEmulator<'mcu90640'> {
  #mode: Mcu90640Mode = 'idle';
  #rateHz: number = 2;
  #requestedBaudRate: number | undefined;
  #ticker: Cancel = () => undefined;

  constructor(options: DeviceEmulatorOptions<'mcu90640'>) {
    super('mcu90640', options);
  }

  get mode(): Mcu90640Mode {
    return this.#mode;
  }

  get rateHz(): number {
    return this.#rateHz;
  }

  /** The baud rate last asked for with `A5 15 0x`, if any. */
  get requestedBaudRate(): number | undefined {
    return this.#requestedBaudRate;
  }

  protected powerOn(): void {
    this.#ticker();
    this.#mode = 'idle';
    this.#rateHz = 2;
  }

  protected onCommand({ command, data }: HostCommand): void {
    const arg = data[0] ?? -1;
    switch (command) {
      case MCU90640_COMMAND_BYTES.mode:
        if (arg === CONTINUOUS_ARG) this.#setMode('continuous');
        else if (arg === ONE_FRAME_ARG) {
          this.#setMode('on-request');
          this.sendValues();
        }
        return;
      case MCU90640_COMMAND_BYTES.rate: {
        const hz = MCU90640_RATES_HZ[arg];
        if (hz === undefined) return;
        this.#rateHz = hz;
        if (this.#mode === 'continuous') this.#setMode('continuous');
        return;
      }
      case MCU90640_COMMAND_BYTES.baud:
        this.#requestedBaudRate = MCU90640_BAUD_RATES[arg - 1] ?? this.#requestedBaudRate;
        return;
      default:
        // Emissivity reads are accepted without an answer: the reply format is not documented.
        return;
    }
  }

  #setMode(mode: Mcu90640Mode): void {
    this.#ticker();
    this.#mode = mode;
    if (mode === 'continuous') this.#ticker = this.every(1 / this.#rateHz, () => this.sendValues());
  }
}
