import { describe, expect, it } from 'vitest';
import { isEmberError } from '../../shared/errors.js';
import { DEFAULT_KIT, parseKit } from './kit.js';

function messageOf(input: unknown): string {
  try {
    parseKit(input);
  } catch (error) {
    if (isEmberError(error, 'EMBER_ERR_BAD_CONFIG')) return error.message;
    throw error;
  }
  return 'valid';
}

describe('kit descriptions', () => {
  it('accepts the default kit: one device of each protocol', () => {
    expect(
      parseKit(DEFAULT_KIT)
        .devices.map((d) => d.protocol)
        .sort(),
    ).toEqual(['mcu680', 'mcu90640', 'mhz19b', 'pms5003', 'ze07']);
  });

  it('names the path of a bad field', () => {
    expect(messageOf({ devices: [{ id: 'a', protocol: 'bme280' }] })).toMatch(/devices\.0\.protocol/);
    expect(messageOf({ devices: [{ id: '../etc', protocol: 'ze07' }] })).toMatch(/devices\.0\.id/);
    expect(messageOf({ devices: [] })).toMatch(/devices/);
  });

  it('rejects duplicate ids and sources that do not fit the protocol', () => {
    expect(
      messageOf({
        devices: [
          { id: 'a', protocol: 'ze07' },
          { id: 'a', protocol: 'mhz19b' },
        ],
      }),
    ).toMatch(/devices\.1\.id: duplicate/);
    expect(
      messageOf({
        devices: [{ id: 'a', protocol: 'ze07', source: { kind: 'constant', values: { co2_ppm: 1 } } }],
      }),
    ).toMatch(/devices\.0\.source: unknown ze07 channel/);
    expect(
      messageOf({
        devices: [
          { id: 'a', protocol: 'ze07', source: { kind: 'hot-spot', fromC: 1, toC: 2, durationS: 1 } },
        ],
      }),
    ).toMatch(/only fits mcu90640/);
  });
});
