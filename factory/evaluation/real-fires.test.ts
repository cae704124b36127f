import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ALARM_POLICY } from '../../shared/alarm/alarm-policy.js';
import { isEmberError } from '../../shared/errors.js';
import { RuleModel } from '../../shared/model/rule-model.js';
import { evaluateRealFires, readRealFireFolder, summariseRealFires } from './real-fires.js';

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'emberwatch-real-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** A heat-only recording: flat at 22 °C, then from `fromS` a rise of `perS` °C a second. */
function ramp(fromS: number, perS: number, endS = 240): string {
  const rows = ['t_s,temp_c'];
  for (let t = 0; t <= endS; t += 2)
    rows.push(`${String(t)},${(22 + Math.max(0, t - fromS) * perS).toFixed(2)}`);
  return rows.join('\n');
}

const HEADER = 'test,position,ignition_s,first_photoelectric_s,first_ionization_s';

describe('evaluateRealFires', () => {
  it('judges each position against the real alarms there: high by the photoelectric, heads-up by the ionization', async () => {
    const dir = folder({
      'alarms.csv': [HEADER, 'T1,A,10,200.0,100.0', 'T1,B,10,60,40', 'T1,C,10,,'].join('\n'),
      // 0.5 °C/s from 10 s, sampled every 2 s: the rate-of-rise floor (8.3 °C/min judged over half a
      // minute: 4.15 °C) stands from the 5 °C reading at 20 s and, held three steps, sounds at 22 s.
      'T1_A.csv': ramp(10, 0.5),
      // 0.1 °C/s: 6 °C a minute, under the rate-of-rise floor, and 57 °C only after the recording ends.
      'T1_B.csv': ramp(10, 0.1),
      'T1_C.csv': ramp(1000, 0),
    });
    const outcomes = await evaluateRealFires(dir, new RuleModel(), DEFAULT_ALARM_POLICY);
    expect(outcomes.map((o) => `${o.test}_${o.position}`)).toEqual(['T1_A', 'T1_B', 'T1_C']);
    const [a, b, c] = outcomes;
    expect(a?.highS).toBe(22);
    expect(a?.highFloors).toEqual(['heat-rate-of-rise']);
    expect(a?.verdict).toEqual({
      highByPhotoelectric: true,
      headsUpByIonization: true,
      silent: false,
      beforeIgnition: false,
    });
    expect(b?.verdict.highByPhotoelectric).toBe(false);
    expect(b?.verdict.headsUpByIonization).toBe(false);
    // No real alarm there: nothing to beat, but silence is still reported.
    expect(c?.verdict).toEqual({
      highByPhotoelectric: null,
      headsUpByIonization: null,
      silent: true,
      beforeIgnition: false,
    });
    expect(summariseRealFires(outcomes)).toEqual({
      positions: 3,
      withPhotoelectric: 2,
      highByPhotoelectric: 1,
      withIonization: 2,
      headsUpByIonization: 1,
      silent: 2,
      beforeIgnition: 0,
    });
  });

  it('counts a heads-up before ignition as a false one', async () => {
    const dir = folder({ 'alarms.csv': `${HEADER}\nT2,E,100,150,120`, 'T2_E.csv': ramp(10, 0.5) });
    const [outcome] = await evaluateRealFires(dir, new RuleModel(), DEFAULT_ALARM_POLICY);
    expect(outcome?.verdict.beforeIgnition).toBe(true);
  });

  it('names the file, line and column of what it cannot read', async () => {
    const error = async (files: Record<string, string>): Promise<string> => {
      try {
        await evaluateRealFires(folder(files), new RuleModel(), DEFAULT_ALARM_POLICY);
      } catch (e) {
        expect(isEmberError(e)).toBe(true);
        return (e as Error).message;
      }
      throw new Error('expected an error');
    };
    expect(await error({})).toMatch(/cannot read .*alarms\.csv: ENOENT/);
    expect(await error({ 'alarms.csv': `${HEADER}\nT1,A,ten,1,2` })).toMatch(
      /alarms\.csv line 2, column ignition_s: 'ten' is not a number/,
    );
    expect(await error({ 'alarms.csv': `${HEADER}\n../x,A,1,1,2` })).toMatch(/line 2, column test/);
    expect(await error({ 'alarms.csv': `${HEADER}\nT9,A,1,1,2` })).toMatch(/cannot read .*T9_A\.csv: ENOENT/);
    expect(await error({ 'alarms.csv': HEADER })).toMatch(/no positions/);
  });

  it('reads the layout of the shipped real-fire folder', async () => {
    const positions = await readRealFireFolder(
      new URL('../../recordings/nist-home-smoke-alarms', import.meta.url).pathname,
    );
    expect(positions).toHaveLength(25);
    expect(positions.filter((p) => p.first_photoelectric_s !== null)).toHaveLength(24);
  });
});
