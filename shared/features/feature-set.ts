import type { ProtocolName, Reading } from '../schemas/readings.js';
import type { ThermalStats } from './thermal-stats.js';

/**
 * The scalar channels features are built from, where each comes from, and
 * how it is scaled. Particle and gas-resistance channels span decades, so
 * their slopes and deviations are taken on log1p values.
 */
export interface ChannelDef {
  readonly name: string;
  readonly protocol: ProtocolName;
  readonly log: boolean;
  /** The raw value from a reading of `protocol`, or from the frame's thermal stats. */
  readonly pick: (reading: Reading, thermal: ThermalStats | undefined) => number;
  /**
   * The fastest change per second the module can physically report, in its
   * raw units, with a wide margin, and the top of its range. A faster change
   * is a fault (see RateGate): the channel counts as missing.
   */
  readonly gate?: { readonly maxRatePerS: number; readonly fullScale: number };
}

const field =
  (key: string) =>
  (reading: Reading): number => {
    const value = (reading as unknown as Record<string, unknown>)[key];
    return typeof value === 'number' ? value : Number.NaN;
  };

const stat =
  (key: keyof ThermalStats) =>
  (_: Reading, thermal: ThermalStats | undefined): number =>
    thermal?.[key] ?? Number.NaN;

/** A linear channel read straight from a field, with the module's rate and range limits. */
const gated = (
  name: string,
  protocol: ProtocolName,
  key: string,
  gate: NonNullable<ChannelDef['gate']>,
): ChannelDef => ({ name, protocol, log: false, pick: field(key), gate });

export const CHANNELS: readonly ChannelDef[] = [
  { name: 'pm1', protocol: 'pms5003', log: true, pick: field('pm1_ugm3') },
  { name: 'pm25', protocol: 'pms5003', log: true, pick: field('pm25_ugm3') },
  { name: 'pm10', protocol: 'pms5003', log: true, pick: field('pm10_ugm3') },
  // Particle counts above 0.3, 0.5 and 1 µm: their ratios tell fine cooking
  // aerosol from the larger particles of a smoulder, as split-spectrum alarms do.
  { name: 'n0_3', protocol: 'pms5003', log: true, pick: field('n0_3_per_dl') },
  { name: 'n0_5', protocol: 'pms5003', log: true, pick: field('n0_5_per_dl') },
  { name: 'n1_0', protocol: 'pms5003', log: true, pick: field('n1_0_per_dl') },
  // Electrochemical CO and NDIR CO₂ cells respond over tens of seconds (T90
  // about 60 s and 120 s); the BME680 sits in a housing that lags the air.
  gated('co', 'ze07', 'co_ppm', { maxRatePerS: 50, fullScale: 500 }),
  gated('co2', 'mhz19b', 'co2_ppm', { maxRatePerS: 1000, fullScale: 5000 }),
  gated('temp', 'mcu680', 'temp_c', { maxRatePerS: 10, fullScale: 85 }),
  gated('humidity', 'mcu680', 'humidity_pct', { maxRatePerS: 10, fullScale: 100 }),
  { name: 'gas', protocol: 'mcu680', log: true, pick: field('gas_ohm') },
  { name: 'iaq', protocol: 'mcu680', log: false, pick: field('iaq') },
  { name: 'tmax', protocol: 'mcu90640', log: false, pick: stat('maxC') },
  { name: 'tmedian', protocol: 'mcu90640', log: false, pick: stat('medianC') },
  { name: 'thot', protocol: 'mcu90640', log: false, pick: stat('hotPixels') },
  { name: 'texcess', protocol: 'mcu90640', log: false, pick: stat('hotExcessC') },
];

/**
 * Per-channel features: the level, its deviation from a slow baseline, and
 * slopes over 10 s, 60 s and 300 s (a smoulder grows for minutes).
 */
export const PER_CHANNEL = ['level', 'dev', 'd10', 'd60', 'd300'] as const;

/** Features that combine channels; each needs every protocol it lists. */
export const CROSS_FEATURES = [
  { name: 'pm_coarse_ratio', requires: ['pms5003'], channels: ['pm10', 'pm25'] },
  { name: 'pm_fine_ratio', requires: ['pms5003'], channels: ['pm1', 'pm25'] },
  { name: 'pm_size_0_5', requires: ['pms5003'], channels: ['n0_5', 'n0_3'] },
  { name: 'pm_size_1_0', requires: ['pms5003'], channels: ['n1_0', 'n0_5'] },
  { name: 'co_per_smoke', requires: ['ze07', 'pms5003'], channels: ['co', 'pm25'] },
  { name: 'thermal_motion10', requires: ['mcu90640'], channels: ['tmax'] },
  { name: 'thermal_vs_air', requires: ['mcu90640', 'mcu680'], channels: ['tmax', 'temp'] },
  // Share of the last minute and five minutes with PM2.5 at smoke levels: how long smoke has stood,
  // whether the counter sits at its top or a coarser smoke sensor flickers between nothing and its top.
  { name: 'pm25_smoky60', requires: ['pms5003'], channels: ['pm25'] },
  { name: 'pm25_smoky300', requires: ['pms5003'], channels: ['pm25'] },
] as const satisfies readonly FeatureDef[];

export interface FeatureDef {
  readonly name: string;
  /** Protocols whose readings this feature needs; without any of them it is NaN (missing). */
  readonly requires: readonly ProtocolName[];
  /** Channels (CHANNELS names) it is computed from; without any of them it is NaN. */
  readonly channels: readonly string[];
}

/** Every feature, in the order of the vector the model takes. */
export const FEATURES: readonly FeatureDef[] = [
  ...CHANNELS.flatMap((c) =>
    PER_CHANNEL.map((kind) => ({ name: `${c.name}_${kind}`, requires: [c.protocol], channels: [c.name] })),
  ),
  ...CROSS_FEATURES,
];

export const FEATURE_NAMES: readonly string[] = FEATURES.map((f) => f.name);

/**
 * Sets to NaN every feature that needs one of `absent`: exactly what a kit
 * without those modules would produce. Training uses it to teach the model
 * to work with any subset of sensors.
 */
export function maskAbsentProtocols(vector: Float32Array, absent: ReadonlySet<ProtocolName>): Float32Array {
  FEATURES.forEach((feature, i) => {
    if (feature.requires.some((p) => absent.has(p))) vector[i] = Number.NaN;
  });
  return vector;
}

/**
 * Keeps only the features computed from `kept` channels and sets every
 * other one to NaN: what a recording of those channels alone (a replay CSV
 * of temperature and PM2.5, a module that sends one value) produces.
 */
export function keepOnlyChannels(vector: Float32Array, kept: ReadonlySet<string>): Float32Array {
  FEATURES.forEach((feature, i) => {
    if (!feature.channels.every((c) => kept.has(c))) vector[i] = Number.NaN;
  });
  return vector;
}
