import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/logging.js';
import { hex } from '../../shared/protocols/bytes.js';
import { MCU680_COMMANDS } from '../../shared/protocols/mcu680.js';
import { MCU90640_COMMANDS } from '../../shared/protocols/mcu90640.js';
import { MHZ19B_COMMANDS, mhz19b } from '../../shared/protocols/mhz19b.js';
import { PMS5003_COMMANDS, pms5003Command } from '../../shared/protocols/pms5003.js';
import { ZE07_COMMANDS } from '../../shared/protocols/ze07.js';
import type { ProtocolName } from '../../shared/schemas/readings.js';
import { createEmulator, type EmulatorByProtocol } from './create-emulator.js';
import type { DeviceLine, DeviceLineEvents } from './device-line.js';
import { ScaledClock } from './emulator-clock.js';
import { CLEAN_ROOM_VALUES, constantSource } from './value-source.js';

class RecordingLine extends EventEmitter<DeviceLineEvents> implements DeviceLine {
  readonly hostPath = '/fake/host';
  readonly baudRate = 9600;
  plugged = false;
  readonly sent: string[] = [];
  open(): Promise<void> {
    this.plugged = true;
    return Promise.resolve();
  }
  write(bytes: Uint8Array): void {
    if (this.plugged) this.sent.push(hex(bytes));
  }
  unplug(): Promise<void> {
    this.plugged = false;
    return Promise.resolve();
  }
  replug(): Promise<void> {
    return this.open();
  }
  close(): Promise<void> {
    return this.unplug();
  }
  host(bytes: Uint8Array): void {
    this.emit('data', bytes);
  }
}

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function emulate<P extends ProtocolName>(
  protocol: P,
  speed = 100,
): Promise<{ line: RecordingLine; emulator: EmulatorByProtocol[P] }> {
  const line = new RecordingLine();
  const emulator = createEmulator(protocol, {
    id: protocol,
    line,
    clock: new ScaledClock({ speed }),
    logger: silentLogger(),
  });
  await emulator.start();
  return { line, emulator };
}

describe('device emulators', () => {
  it('MH-Z19B answers each read and never speaks unasked', async () => {
    const { line, emulator } = await emulate('mhz19b');
    await wait(50);
    expect(line.sent).toEqual([]);
    line.host(MHZ19B_COMMANDS.read);
    line.host(MHZ19B_COMMANDS.read);
    const reply = hex(mhz19b.encode(CLEAN_ROOM_VALUES.mhz19b));
    expect(reply.startsWith('ff8601a440')).toBe(true);
    expect(line.sent).toEqual([reply, reply]);
    await emulator.stop();
  });

  it('ZE07 pushes active frames, answers queries only in query mode, and goes back', async () => {
    const { line, emulator } = await emulate('ze07', 50);
    await wait(60);
    expect(line.sent.length).toBeGreaterThanOrEqual(1);
    expect(line.sent.every((f) => f.startsWith('ff040301'))).toBe(true);
    line.host(ZE07_COMMANDS.toQueryMode);
    line.sent.length = 0;
    await wait(60);
    line.host(ZE07_COMMANDS.query);
    expect(line.sent).toHaveLength(1);
    expect(line.sent[0]?.startsWith('ff860004')).toBe(true);
    line.host(ZE07_COMMANDS.toActiveMode);
    await wait(60);
    expect(line.sent.length).toBeGreaterThan(1);
    await emulator.stop();
  });

  it('MCU90640 is idle until told, then streams at the commanded rate, and records the baud command', async () => {
    const { line, emulator } = await emulate('mcu90640', 1);
    const thermal = emulator;
    await wait(100);
    expect(line.sent).toEqual([]);
    line.host(MCU90640_COMMANDS.oneFrame);
    expect(line.sent).toHaveLength(1);
    expect(line.sent[0]?.length).toBe(1544 * 2);
    line.host(MCU90640_COMMANDS.rate(16));
    line.host(MCU90640_COMMANDS.continuous);
    line.host(MCU90640_COMMANDS.baud(460800));
    await wait(330);
    expect(thermal.rateHz).toBe(16);
    expect(thermal.requestedBaudRate).toBe(460800);
    expect(line.sent.length).toBeGreaterThanOrEqual(4);
    await emulator.stop();
  });

  it('MCU680 streams after the continuous command', async () => {
    const { line, emulator } = await emulate('mcu680', 100);
    await wait(40);
    expect(line.sent).toEqual([]);
    line.host(MCU680_COMMANDS.selectOutputs);
    line.host(MCU680_COMMANDS.continuous);
    await wait(60);
    expect(line.sent.length).toBeGreaterThanOrEqual(2);
    expect(line.sent.every((f) => f.startsWith('5a5a3f0f'))).toBe(true);
    await emulator.stop();
  });

  it('PMS5003 goes passive, reads on request, sleeps and wakes', async () => {
    const { line, emulator } = await emulate('pms5003', 100);
    const pms = emulator;
    await wait(40);
    expect(line.sent.length).toBeGreaterThanOrEqual(2);
    line.host(pms5003Command(PMS5003_COMMANDS.mode, 0));
    line.sent.length = 0;
    await wait(40);
    expect(line.sent).toEqual([]);
    line.host(pms5003Command(PMS5003_COMMANDS.readPassive, 0));
    expect(line.sent).toHaveLength(1);
    line.host(pms5003Command(PMS5003_COMMANDS.sleep, 0));
    line.host(pms5003Command(PMS5003_COMMANDS.readPassive, 0));
    expect([line.sent.length, pms.asleep]).toEqual([1, true]);
    line.host(pms5003Command(PMS5003_COMMANDS.sleep, 1));
    line.host(pms5003Command(PMS5003_COMMANDS.mode, 1));
    await wait(40);
    expect(line.sent.length).toBeGreaterThan(2);
    await emulator.stop();
  });

  it('spoils exactly the next frame for frame faults, and stays silent for a silence fault', async () => {
    const line = new RecordingLine();
    const emulator = createEmulator('mhz19b', {
      id: 'co2',
      line,
      clock: new ScaledClock({ speed: 100 }),
      logger: silentLogger(),
      source: constantSource({ co2_ppm: 500, sensor_temp_c: 20, status: 0 }),
    });
    await emulator.start();
    const bad = emulator.inject({ kind: 'bad-checksum' });
    line.host(MHZ19B_COMMANDS.read);
    await bad;
    const truncated = emulator.inject({ kind: 'truncated-frame' });
    line.host(MHZ19B_COMMANDS.read);
    await truncated;
    line.host(MHZ19B_COMMANDS.read);
    const [spoiled, cut, good] = line.sent;
    expect(good?.slice(0, -2)).toBe(spoiled?.slice(0, -2));
    expect(good?.slice(-2)).not.toBe(spoiled?.slice(-2));
    expect(cut).toBe(good?.slice(0, 10));
    const silence = emulator.inject({ kind: 'silence', seconds: 5 });
    line.host(MHZ19B_COMMANDS.read);
    await silence;
    expect(line.sent).toHaveLength(3);
    await emulator.stop();
  });

  it('treats a disconnect as unplug, then power-up at replug', async () => {
    const { line, emulator } = await emulate('mcu90640', 10);
    line.host(MCU90640_COMMANDS.continuous);
    const unplug = emulator.inject({ kind: 'disconnect', seconds: 1 });
    expect(line.plugged).toBe(false);
    await unplug;
    expect(line.plugged).toBe(true);
    expect(emulator.mode).toBe('idle');
    await emulator.stop();
  });
});
