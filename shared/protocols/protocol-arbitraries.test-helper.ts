import fc from 'fast-check';
import type { ChannelsByProtocol, ProtocolName } from '../schemas/readings.js';

/**
 * fast-check arbitraries of values each module can carry, on its resolution
 * grid, so that encode → decode must give them back exactly. Test support only.
 */
const grid = (step: number, min: number, max: number): fc.Arbitrary<number> =>
  fc
    .integer({ min: Math.round(min / step), max: Math.round(max / step) })
    .map((k) => k / Math.round(1 / step));

const word = fc.integer({ min: 0, max: 0xffff });

export const channelArbitraries: { [P in ProtocolName]: fc.Arbitrary<ChannelsByProtocol[P]> } = {
  pms5003: fc.record({
    pm1_cf1_ugm3: word,
    pm25_cf1_ugm3: word,
    pm10_cf1_ugm3: word,
    pm1_ugm3: word,
    pm25_ugm3: word,
    pm10_ugm3: word,
    n0_3_per_dl: word,
    n0_5_per_dl: word,
    n1_0_per_dl: word,
    n2_5_per_dl: word,
    n5_0_per_dl: word,
    n10_per_dl: word,
  }),
  ze07: fc.record({ co_ppm: grid(0.1, 0, 6553.5) }),
  mhz19b: fc.record({
    co2_ppm: word,
    sensor_temp_c: fc.integer({ min: -40, max: 215 }),
    status: fc.integer({ min: 0, max: 255 }),
  }),
  mcu90640: fc.record({
    width: fc.constant(32),
    height: fc.constant(24),
    pixels_c: fc.array(grid(0.01, -327.68, 327.67), { minLength: 768, maxLength: 768 }),
    ambient_c: grid(0.01, -327.68, 327.67),
  }),
  mcu680: fc.record({
    temp_c: grid(0.01, -327.68, 327.67),
    humidity_pct: grid(0.01, 0, 655.35),
    pressure_hpa: grid(0.0001, 0, 1677.7215),
    iaq: fc.integer({ min: 0, max: 0xfff }),
    iaq_accuracy: fc.integer({ min: 0, max: 15 }),
    gas_ohm: fc.integer({ min: 0, max: 0xffffffff }),
    altitude_m: fc.integer({ min: -32768, max: 32767 }),
  }),
};
