import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromHex, hex } from './bytes.js';
import { CODECS, codecFor } from './index.js';
import { MCU90640_COMMANDS } from './mcu90640.js';
import { MCU680_COMMANDS } from './mcu680.js';
import { MHZ19B_COMMANDS } from './mhz19b.js';
import { pms5003Command, PMS5003_COMMANDS } from './pms5003.js';
import { ProtocolDecoder } from './protocol-decoder.js';
import { ZE07_COMMANDS } from './ze07.js';
import { PROTOCOL_NAMES, type ProtocolName } from '../schemas/readings.js';
import { isEmberError } from '../errors.js';

interface Vector {
  hex: string;
  values: Record<string, number | number[]>;
}
interface VectorFile {
  frames: Record<ProtocolName, Vector[]>;
  hostCommands: Record<string, string>;
}

const vectors = JSON.parse(
  readFileSync(new URL('../../test/fixtures/serial-vectors.json', import.meta.url), 'utf8'),
) as VectorFile;

function decodeOne(protocol: ProtocolName, bytes: Uint8Array) {
  const decoder = new ProtocolDecoder(CODECS[protocol]);
  const frames = decoder.push(bytes);
  expect(decoder.stats).toEqual({ frames: 1, checksumErrors: 0, droppedBytes: 0 });
  expect(frames).toHaveLength(1);
  const frame = frames[0];
  if (frame === undefined) throw new Error('no frame');
  return { frame, values: frame.values as unknown as Record<string, unknown> };
}

describe('independent test vectors', () => {
  for (const protocol of PROTOCOL_NAMES) {
    vectors.frames[protocol].forEach((vector, i) => {
      it(`${protocol} #${i} decodes to the listed values and re-encodes to the same bytes`, () => {
        const { values } = decodeOne(protocol, fromHex(vector.hex));
        for (const [name, expected] of Object.entries(vector.values)) {
          const pixels = values['pixels_c'] as number[];
          if (name === 'pixels_c_first4') expect(pixels.slice(0, 4)).toEqual(expected);
          else if (name === 'pixels_c_last') expect(pixels.at(-1)).toBe(expected);
          else if (name === 'pixels_c_max') expect(Math.max(...pixels)).toBe(expected);
          else if (name === 'pixels_c_min') expect(Math.min(...pixels)).toBe(expected);
          else expect(values[name], name).toBe(expected);
        }
        const codec = CODECS[protocol];
        expect(hex(codec.encode(values as never))).toBe(vector.hex);
      });
    });
  }

  it('host command builders give the listed bytes', () => {
    const built: Record<string, Uint8Array> = {
      mhz19b_read: MHZ19B_COMMANDS.read,
      ze07_to_query_mode: ZE07_COMMANDS.toQueryMode,
      ze07_to_active_mode: ZE07_COMMANDS.toActiveMode,
      ze07_query: ZE07_COMMANDS.query,
      pms5003_passive_mode: pms5003Command(PMS5003_COMMANDS.mode, 0),
      pms5003_active_mode: pms5003Command(PMS5003_COMMANDS.mode, 1),
      pms5003_read_passive: pms5003Command(PMS5003_COMMANDS.readPassive, 0),
      mcu90640_continuous: MCU90640_COMMANDS.continuous,
      mcu90640_one_frame: MCU90640_COMMANDS.oneFrame,
      mcu680_select_outputs: MCU680_COMMANDS.selectOutputs,
      mcu680_continuous: MCU680_COMMANDS.continuous,
    };
    expect(Object.keys(built).sort()).toEqual(Object.keys(vectors.hostCommands).sort());
    for (const [name, bytes] of Object.entries(built))
      expect(hex(bytes), name).toBe(vectors.hostCommands[name]);
  });

  it('the saturated PMS5003 frame is flagged out of range', () => {
    const saturated = vectors.frames.pms5003[1];
    if (saturated === undefined) throw new Error('vector missing');
    const { frame } = decodeOne('pms5003', fromHex(saturated.hex));
    expect(frame.outOfRange).toEqual(['pm25_cf1_ugm3', 'pm10_cf1_ugm3', 'pm25_ugm3', 'pm10_ugm3']);
  });

  it('unknown protocols are refused with a stable code', () => {
    expect(() => codecFor('bme999')).toThrow(/unknown protocol "bme999"/);
    try {
      codecFor('x');
    } catch (error) {
      expect(isEmberError(error, 'EMBER_ERR_UNKNOWN_PROTOCOL')).toBe(true);
    }
  });
});
