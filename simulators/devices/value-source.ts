import type { ChannelsByProtocol, ProtocolName } from '../../shared/schemas/readings.js';
import { renderThermalScene, type HotSpot } from './thermal-scene.js';

/**
 * Where an emulated module gets its values. `tSeconds` is simulated time
 * since the emulator clock started; `undefined` means the module is silent.
 * Scenario engines implement this same interface.
 */
export interface ValueSource<P extends ProtocolName> {
  valueAt(tSeconds: number): ChannelsByProtocol[P] | undefined;
}

/** Protocols whose channels are all plain numbers, so they can be ramped channel by channel. */
export type ScalarProtocol = Exclude<ProtocolName, 'mcu90640'>;

/** The same values at every instant. */
export function constantSource<P extends ProtocolName>(values: ChannelsByProtocol[P]): ValueSource<P> {
  return { valueAt: () => values };
}

/**
 * Each channel moves linearly from `from` to `to` over `durationS` simulated
 * seconds starting at `startS`, then holds `to`.
 */
export function rampSource<P extends ScalarProtocol>(
  from: ChannelsByProtocol[P],
  to: ChannelsByProtocol[P],
  durationS: number,
  startS = 0,
): ValueSource<P> {
  const start = from as unknown as Record<string, number>;
  const end = to as unknown as Record<string, number>;
  return {
    valueAt(tSeconds) {
      const f = durationS <= 0 ? 1 : Math.min(1, Math.max(0, (tSeconds - startS) / durationS));
      const values: Record<string, number> = {};
      for (const [name, a] of Object.entries(start)) values[name] = a + ((end[name] ?? a) - a) * f;
      return values as unknown as ChannelsByProtocol[P];
    },
  };
}

export interface HotSpotRampOptions {
  readonly backgroundC: number;
  readonly ambientC: number;
  /** Spot temperature at `startS` and after `durationS`. */
  readonly fromC: number;
  readonly toC: number;
  readonly durationS: number;
  readonly startS?: number;
  readonly x?: number;
  readonly y?: number;
  readonly radius?: number;
}

/** A thermal image with one hot spot whose temperature ramps linearly, then holds. */
export function hotSpotRampSource(options: HotSpotRampOptions): ValueSource<'mcu90640'> {
  const startS = options.startS ?? 0;
  return {
    valueAt(tSeconds) {
      const f =
        options.durationS <= 0 ? 1 : Math.min(1, Math.max(0, (tSeconds - startS) / options.durationS));
      const hotSpot: HotSpot = {
        x: options.x ?? 16,
        y: options.y ?? 12,
        radius: options.radius ?? 2,
        tempC: options.fromC + (options.toC - options.fromC) * f,
      };
      return renderThermalScene({ backgroundC: options.backgroundC, ambientC: options.ambientC, hotSpot });
    },
  };
}

/** What each module reads in a quiet, clean room at about 21 °C near sea level. */
export const CLEAN_ROOM_VALUES: { readonly [P in ProtocolName]: ChannelsByProtocol[P] } = {
  pms5003: {
    pm1_cf1_ugm3: 2,
    pm25_cf1_ugm3: 4,
    pm10_cf1_ugm3: 5,
    pm1_ugm3: 2,
    pm25_ugm3: 4,
    pm10_ugm3: 5,
    n0_3_per_dl: 420,
    n0_5_per_dl: 120,
    n1_0_per_dl: 18,
    n2_5_per_dl: 2,
    n5_0_per_dl: 1,
    n10_per_dl: 0,
  },
  ze07: { co_ppm: 0.4 },
  mhz19b: { co2_ppm: 420, sensor_temp_c: 24, status: 0 },
  mcu90640: renderThermalScene({ backgroundC: 21, ambientC: 25.5 }),
  mcu680: {
    temp_c: 21.3,
    humidity_pct: 42.5,
    pressure_hpa: 1013.25,
    iaq: 25,
    iaq_accuracy: 3,
    gas_ohm: 120_000,
    altitude_m: 0,
  },
};

/** Clean-room values for `protocol`, constant in time. */
export function defaultSource<P extends ProtocolName>(protocol: P): ValueSource<P> {
  return constantSource<P>(CLEAN_ROOM_VALUES[protocol]);
}
