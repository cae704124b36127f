import type { HostCommand } from '../../shared/protocols/codec.js';
import { DeviceEmulator, type DeviceEmulatorOptions } from './device-emulator.js';

const READ = 0x86;
const AUTO_CALIBRATION = 0x79;
const ZERO_POINT_CALIBRATION = 0x87;

/** Winsen MH-Z19B: never speaks unasked; answers each read (`FF 01 86`) with one frame. */
export class Mhz19bEmulator extends DeviceEmulator<'mhz19b'> {
  #autoCalibration = true;
  #zeroPointCalibrations = 0;

  constructor(options: DeviceEmulatorOptions<'mhz19b'>) {
    super('mhz19b', options);
  }

  get autoCalibration(): boolean {
    return this.#autoCalibration;
  }

  get zeroPointCalibrations(): number {
    return this.#zeroPointCalibrations;
  }

  protected powerOn(): void {
    // Automatic baseline calibration is on from the factory and after every power-up.
    this.#autoCalibration = true;
  }

  protected onCommand({ command, data }: HostCommand): void {
    if (command === READ) this.sendValues();
    else if (command === AUTO_CALIBRATION) this.#autoCalibration = data[0] === 0xa0;
    else if (command === ZERO_POINT_CALIBRATION) this.#zeroPointCalibrations++;
  }
}
