import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MCU90640_COMMANDS } from '../../shared/protocols/mcu90640.js';
import { PMS5003_COMMANDS, pms5003Command } from '../../shared/protocols/pms5003.js';
import { Reading, type ChannelsByProtocol, type ProtocolName } from '../../shared/schemas/readings.js';
import { renderThermalScene } from '../../simulators/devices/thermal-scene.js';
import { constantSource } from '../../simulators/devices/value-source.js';
import type { SerialTestAdapter } from './serial-adapters.js';
import { startPair, type SerialPair } from './serial-pair.js';
import { sleep, waitFor } from './wait.js';

/** Values unlike the clean-room defaults, so a test cannot pass on defaults. */
export const CONTRACT_VALUES: { readonly [P in ProtocolName]: ChannelsByProtocol[P] } = {
  pms5003: {
    pm1_cf1_ugm3: 11,
    pm25_cf1_ugm3: 37,
    pm10_cf1_ugm3: 52,
    pm1_ugm3: 10,
    pm25_ugm3: 35,
    pm10_ugm3: 50,
    n0_3_per_dl: 3120,
    n0_5_per_dl: 900,
    n1_0_per_dl: 210,
    n2_5_per_dl: 33,
    n5_0_per_dl: 7,
    n10_per_dl: 2,
  },
  ze07: { co_ppm: 12.3 },
  mhz19b: { co2_ppm: 1234, sensor_temp_c: 31, status: 0 },
  mcu90640: renderThermalScene({
    backgroundC: 19.5,
    ambientC: 27.25,
    hotSpot: { x: 5, y: 7, radius: 1, tempC: 143.5 },
  }),
  mcu680: {
    temp_c: 28.37,
    humidity_pct: 33.1,
    pressure_hpa: 998.7654,
    iaq: 187,
    iaq_accuracy: 2,
    gas_ohm: 54_321,
    altitude_m: 112,
  },
};

const PROTOCOLS = Object.keys(CONTRACT_VALUES) as ProtocolName[];

/**
 * The contract every serial line kind must honour, run against each adapter:
 * an emulator and a SerialSource on the two ends of one line agree byte for byte.
 */
export function describeSerialContract(name: string, makeAdapter: () => Promise<SerialTestAdapter>): void {
  describe(`serial line contract: ${name}`, () => {
    let adapter: SerialTestAdapter;
    const pairs: SerialPair<ProtocolName>[] = [];
    const track = <P extends ProtocolName>(pair: SerialPair<P>): SerialPair<P> => {
      pairs.push(pair as unknown as SerialPair<ProtocolName>);
      return pair;
    };

    beforeAll(async () => {
      adapter = await makeAdapter();
    });
    afterEach(async () => {
      await Promise.all(pairs.splice(0).map((pair) => pair.stop()));
    });
    afterAll(async () => {
      await adapter.close();
    });

    it.each(PROTOCOLS)('delivers %s readings carrying the values the source set', async (protocol) => {
      const expected = CONTRACT_VALUES[protocol];
      const pair = track(
        await startPair(adapter, protocol, {
          values: constantSource(expected),
          speed: 10,
          sourceOptions: { thermalRateHz: 16, pollIntervalMs: 100 },
        }),
      );
      await waitFor(`two ${protocol} readings`, () => pair.readings.length >= 2);
      const reading = pair.readings[0];
      expect(Reading.parse(reading)).toEqual(reading);
      expect(reading).toMatchObject({
        protocol,
        deviceId: 'gateway-test',
        sensorId: pair.emulator.id,
        outOfRange: [],
      });
      const { deviceId: _d, sensorId: _s, ts, outOfRange: _o, protocol: _p, ...values } = reading as Reading;
      expect(Math.abs(ts - Date.now())).toBeLessThan(5000);
      for (const [channel, value] of Object.entries(expected as Record<string, unknown>)) {
        const actual = (values as Record<string, unknown>)[channel];
        if (typeof value === 'number') expect(actual, channel).toBeCloseTo(value, 6);
        else expect(actual, channel).toEqual(value);
      }
      expect(pair.source.stats).toMatchObject({ checksumErrors: 0, droppedBytes: 0 });
    });

    it('MH-Z19B speaks only when polled, and answers every poll', async () => {
      const pair = track(
        await startPair(adapter, 'mhz19b', { deferSource: true, sourceOptions: { pollIntervalMs: 100 } }),
      );
      await sleep(300);
      expect(pair.emulator.stats.framesSent).toBe(0);
      await pair.source.start();
      await waitFor('three polled readings', () => pair.readings.length >= 3);
      expect(pair.emulator.stats.commandsReceived).toBeGreaterThanOrEqual(pair.readings.length);
      expect(pair.emulator.stats.framesSent).toBeGreaterThanOrEqual(3);
    });

    it('ZE07 in query mode switches the module and reads by polling', async () => {
      const pair = track(
        await startPair(adapter, 'ze07', {
          values: constantSource({ co_ppm: 42.7 }),
          sourceOptions: { ze07Mode: 'query', pollIntervalMs: 100 },
        }),
      );
      await waitFor('three query replies', () => pair.readings.length >= 3, 3000);
      expect(pair.emulator.mode).toBe('query');
      expect(new Set(pair.readings.map((r) => r.co_ppm))).toEqual(new Set([42.7]));
    });

    it('MCU90640 rate command changes the frame interval', async () => {
      const pair = track(await startPair(adapter, 'mcu90640', { sourceOptions: { thermalRateHz: 2 } }));
      const emulator = pair.emulator;
      await waitFor('continuous mode at 2 Hz', () => emulator.mode === 'continuous' && emulator.rateHz === 2);
      await waitFor('a first frame', () => pair.readings.length >= 1);
      const slowStart = pair.readings.length;
      await sleep(1000);
      const slow = pair.readings.length - slowStart;
      await pair.source.send(MCU90640_COMMANDS.rate(16));
      await waitFor('rate 16 Hz', () => emulator.rateHz === 16);
      const fastStart = pair.readings.length;
      await sleep(1000);
      const fast = pair.readings.length - fastStart;
      expect(slow).toBeLessThanOrEqual(3);
      expect(fast).toBeGreaterThanOrEqual(10);
    });

    it('PMS5003 honours passive mode and the read command', async () => {
      const pair = track(await startPair(adapter, 'pms5003', { speed: 10 }));
      const emulator = pair.emulator;
      await waitFor('active frames', () => pair.readings.length >= 2);
      await pair.source.send(pms5003Command(PMS5003_COMMANDS.mode, 0x00));
      await waitFor('passive mode', () => emulator.mode === 'passive');
      await sleep(150);
      const quietStart = pair.readings.length;
      await sleep(400);
      expect(pair.readings.length).toBe(quietStart);
      await pair.source.send(pms5003Command(PMS5003_COMMANDS.readPassive, 0));
      await waitFor('one frame on request', () => pair.readings.length === quietStart + 1);
    });
  });
}
