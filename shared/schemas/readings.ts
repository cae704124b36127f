import { z } from 'zod';

/** The serial protocols of the reference kit, by the name used on the command line and in configs. */
export const ProtocolName = z.enum(['pms5003', 'ze07', 'mhz19b', 'mcu90640', 'mcu680']);
export type ProtocolName = z.infer<typeof ProtocolName>;
export const PROTOCOL_NAMES = ProtocolName.options;

export const ParticulateChannels = z.object({
  pm1_cf1_ugm3: z.number(),
  pm25_cf1_ugm3: z.number(),
  pm10_cf1_ugm3: z.number(),
  pm1_ugm3: z.number(),
  pm25_ugm3: z.number(),
  pm10_ugm3: z.number(),
  n0_3_per_dl: z.number(),
  n0_5_per_dl: z.number(),
  n1_0_per_dl: z.number(),
  n2_5_per_dl: z.number(),
  n5_0_per_dl: z.number(),
  n10_per_dl: z.number(),
});

export const CoChannels = z.object({ co_ppm: z.number() });

export const Co2Channels = z.object({
  co2_ppm: z.number(),
  sensor_temp_c: z.number(),
  /** The module's status byte, passed through. */
  status: z.number().int(),
});

export const EnvironmentChannels = z.object({
  temp_c: z.number(),
  humidity_pct: z.number(),
  pressure_hpa: z.number(),
  iaq: z.number().int(),
  iaq_accuracy: z.number().int(),
  gas_ohm: z.number(),
  altitude_m: z.number(),
});

export const ThermalChannels = z.object({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** Row-major, `height` rows of `width` pixels, °C. */
  pixels_c: z.array(z.number()),
  ambient_c: z.number(),
});

export type ParticulateChannels = z.infer<typeof ParticulateChannels>;
export type CoChannels = z.infer<typeof CoChannels>;
export type Co2Channels = z.infer<typeof Co2Channels>;
export type EnvironmentChannels = z.infer<typeof EnvironmentChannels>;
export type ThermalChannels = z.infer<typeof ThermalChannels>;

/** What one valid frame of each protocol carries. */
export interface ChannelsByProtocol {
  pms5003: ParticulateChannels;
  ze07: CoChannels;
  mhz19b: Co2Channels;
  mcu90640: ThermalChannels;
  mcu680: EnvironmentChannels;
}

const ReadingBase = z.object({
  deviceId: z.string().min(1),
  sensorId: z.string().min(1),
  /** Milliseconds since the Unix epoch, taken when the last byte of the frame arrived. */
  ts: z.number().int().nonnegative(),
  /** Channels whose value lies outside the module's physical range (saturated or implausible). */
  outOfRange: z.array(z.string()),
});

export const ParticulateReading = ReadingBase.extend({ protocol: z.literal('pms5003') }).extend(
  ParticulateChannels.shape,
);
export const CoReading = ReadingBase.extend({ protocol: z.literal('ze07') }).extend(CoChannels.shape);
export const Co2Reading = ReadingBase.extend({ protocol: z.literal('mhz19b') }).extend(Co2Channels.shape);
export const ThermalReading = ReadingBase.extend({ protocol: z.literal('mcu90640') }).extend(
  ThermalChannels.shape,
);
export const EnvironmentReading = ReadingBase.extend({ protocol: z.literal('mcu680') }).extend(
  EnvironmentChannels.shape,
);

/** One typed reading per sensor frame. */
export const Reading = z.discriminatedUnion('protocol', [
  ParticulateReading,
  CoReading,
  Co2Reading,
  ThermalReading,
  EnvironmentReading,
]);
export type Reading = z.infer<typeof Reading>;
export type ReadingOf<P extends ProtocolName> = Extract<Reading, { protocol: P }>;
