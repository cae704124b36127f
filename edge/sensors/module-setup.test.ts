import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hex } from '../../shared/protocols/bytes.js';
import { moduleSetup } from './module-setup.js';

const vectors = JSON.parse(
  readFileSync(new URL('../../test/fixtures/serial-vectors.json', import.meta.url), 'utf8'),
) as {
  hostCommands: Record<string, string>;
};
const cmd = vectors.hostCommands;
const settings = { pollIntervalMs: 2000, thermalRateHz: 4, ze07Mode: 'active' } as const;

describe('moduleSetup', () => {
  it('polls the MH-Z19B with the read command and sends nothing else', () => {
    const setup = moduleSetup('mhz19b', settings);
    expect(setup.onOpen).toEqual([]);
    expect(hex(setup.poll?.command ?? new Uint8Array())).toBe(cmd['mhz19b_read']);
    expect(setup.poll?.intervalMs).toBe(2000);
  });

  it('puts the MCU90640 in continuous mode after setting its rate (4 Hz = A5 25 03)', () => {
    const setup = moduleSetup('mcu90640', settings);
    expect(setup.onOpen.map(hex)).toEqual(['a52503cd', cmd['mcu90640_continuous']]);
    expect(setup.poll).toBeUndefined();
  });

  it('selects the MCU680 outputs, then continuous output', () => {
    expect(moduleSetup('mcu680', settings).onOpen.map(hex)).toEqual([
      cmd['mcu680_select_outputs'],
      cmd['mcu680_continuous'],
    ]);
  });

  it('wakes the PMS5003 and sets active mode', () => {
    expect(moduleSetup('pms5003', settings).onOpen.map(hex)).toEqual([
      '424de400010174',
      cmd['pms5003_active_mode'],
    ]);
  });

  it('keeps the ZE07 active by default and polls it in query mode', () => {
    expect(moduleSetup('ze07', settings).onOpen.map(hex)).toEqual([cmd['ze07_to_active_mode']]);
    const query = moduleSetup('ze07', { ...settings, ze07Mode: 'query', pollIntervalMs: 500 });
    expect(query.onOpen.map(hex)).toEqual([cmd['ze07_to_query_mode']]);
    expect(query.poll && { command: hex(query.poll.command), intervalMs: query.poll.intervalMs }).toEqual({
      command: cmd['ze07_query'],
      intervalMs: 500,
    });
  });
});
