import { MCU680_COMMANDS } from '../../shared/protocols/mcu680.js';
import { MCU90640_COMMANDS, MCU90640_RATES_HZ } from '../../shared/protocols/mcu90640.js';
import { MHZ19B_COMMANDS } from '../../shared/protocols/mhz19b.js';
import { PMS5003_COMMANDS, pms5003Command } from '../../shared/protocols/pms5003.js';
import { ZE07_COMMANDS } from '../../shared/protocols/ze07.js';
import type { ProtocolName } from '../../shared/schemas/readings.js';

export type ThermalRateHz = (typeof MCU90640_RATES_HZ)[number];
export type Ze07Mode = 'active' | 'query';

export interface ModeSettings {
  /** Interval between polls of polled modules (MH-Z19B, ZE07 in query mode), ms. */
  readonly pollIntervalMs: number;
  readonly thermalRateHz: ThermalRateHz;
  readonly ze07Mode: Ze07Mode;
}

/** What the host says to a module right after opening its line, and what it keeps asking. */
export interface ModuleSetup {
  /** Commands written once, in order, on every (re)open. */
  readonly onOpen: readonly Uint8Array[];
  /** A command written on open and then every `intervalMs`, for modules that only answer. */
  readonly poll?: { readonly command: Uint8Array; readonly intervalMs: number };
}

/**
 * The set-up of each module. Modes are re-sent on every reopen because a
 * module may have been power-cycled or left in another mode by someone else.
 */
export function moduleSetup(protocol: ProtocolName, settings: ModeSettings): ModuleSetup {
  switch (protocol) {
    case 'pms5003':
      return {
        onOpen: [pms5003Command(PMS5003_COMMANDS.sleep, 0x01), pms5003Command(PMS5003_COMMANDS.mode, 0x01)],
      };
    case 'ze07':
      return settings.ze07Mode === 'query'
        ? {
            onOpen: [ZE07_COMMANDS.toQueryMode],
            poll: { command: ZE07_COMMANDS.query, intervalMs: settings.pollIntervalMs },
          }
        : { onOpen: [ZE07_COMMANDS.toActiveMode] };
    case 'mhz19b':
      return { onOpen: [], poll: { command: MHZ19B_COMMANDS.read, intervalMs: settings.pollIntervalMs } };
    case 'mcu90640':
      return { onOpen: [MCU90640_COMMANDS.rate(settings.thermalRateHz), MCU90640_COMMANDS.continuous] };
    case 'mcu680':
      return { onOpen: [MCU680_COMMANDS.selectOutputs, MCU680_COMMANDS.continuous] };
  }
}

/** Whether `hz` is a frame rate the MCU90640 bridge can be set to. */
export function isThermalRateHz(hz: number): hz is ThermalRateHz {
  return (MCU90640_RATES_HZ as readonly number[]).includes(hz);
}
