import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ALARM_POLICY } from '../../shared/alarm/alarm-policy.js';
import { isEmberError } from '../../shared/errors.js';
import { RuleModel } from '../../shared/model/rule-model.js';
import { readingsFromCsv } from '../../shared/dataset/replay-csv.js';
import { replayReadings } from './replay.js';

function csvError(text: string): string {
  try {
    readingsFromCsv(text, 'in.csv');
  } catch (error) {
    expect(isEmberError(error, 'EMBER_ERR_BAD_CSV')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected EMBER_ERR_BAD_CSV');
}

describe('readingsFromCsv', () => {
  it('makes one reading per module per row, carrying only the columns the CSV has', () => {
    const csv = readingsFromCsv('t_s,temp_c,co_ppm,pm25_ugm3\r\n0,21.5,1,4\r\n1.5,21.6,,5\r\n\r\n');
    expect(csv.rows).toBe(2);
    expect([csv.startMs, csv.endMs]).toEqual([0, 1500]);
    expect(csv.readings.map((r) => `${r.protocol}@${String(r.ts)}`)).toEqual([
      'mcu680@0',
      'ze07@0',
      'pms5003@0',
      'mcu680@1500',
      'pms5003@1500',
    ]);
    const env = csv.readings[0] as unknown as Record<string, unknown>;
    expect(env['temp_c']).toBe(21.5);
    expect('humidity_pct' in env).toBe(false);
    expect('pm10_ugm3' in (csv.readings[2] as unknown as Record<string, unknown>)).toBe(false);
  });

  it('names the line and column of the first problem', () => {
    expect(csvError('t_s,temp_c,smoke\n0,1,2\n')).toMatch(/in\.csv line 1, column 3 'smoke': unknown column/);
    expect(csvError('t_s,co_ppm\n0,1\n1,abc\n')).toMatch(
      /in\.csv line 3, column co_ppm: 'abc' is not a number/,
    );
    expect(csvError('temp_c\n21\n')).toMatch(/in\.csv line 1: no t_s column/);
    expect(csvError('t_s,temp_c\n5,21\n4,21\n')).toMatch(/line 3, column t_s: time goes backwards/);
    expect(csvError('t_s,temp_c\n0,21\n,21\n')).toMatch(/line 3, column t_s: no time/);
    expect(csvError('t_s,temp_c\n0,21,3\n')).toMatch(/line 2: 3 cells, the header has 2/);
    expect(csvError('t_s,t_s\n0,0\n')).toMatch(/column named twice/);
  });

  it('says so clearly when the file is empty or has no rows', () => {
    expect(csvError('')).toMatch(/in\.csv: empty file: expected a header line with t_s/);
    expect(csvError('\n  \n')).toMatch(/empty file/);
    expect(csvError('t_s,temp_c\n')).toMatch(/in\.csv: a header but no rows/);
  });

  it('either parses or throws EMBER_ERR_BAD_CSV, whatever the text', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('t', '_', 's', ',', '\n', '1', '.', '-', 'x', ' ') }),
        (text) => {
          try {
            readingsFromCsv(text);
          } catch (error) {
            return isEmberError(error, 'EMBER_ERR_BAD_CSV');
          }
          return true;
        },
      ),
    );
  });
});

describe('readingsFromCsv, quoting and module ranges', () => {
  it('reads quoted cells and a byte-order mark as any CSV tool writes them', () => {
    const csv = readingsFromCsv('\uFEFF"t_s","temp_c"\r\n"0","21.6"\n"1.5"," 22 "\n');
    expect(csv.readings.map((r) => (r as unknown as Record<string, unknown>)['temp_c'])).toEqual([21.6, 22]);
  });

  it('replays values past a module range at that module limit, as the module would read them', () => {
    const csv = readingsFromCsv(
      't_s,temp_c,co_ppm,co2_ppm,pm25_ugm3\n0,509,900,12000,5000\n1,-60,-3,-1,-2\n',
    );
    const values = csv.readings.map((r) => {
      const v = r as unknown as Record<string, number>;
      return v['temp_c'] ?? v['co_ppm'] ?? v['co2_ppm'] ?? v['pm25_ugm3'];
    });
    expect(values).toEqual([85, 500, 5000, 1000, -40, 0, 0, 0]);
  });

  it('names the line of a broken quote', () => {
    expect(csvError('t_s,temp_c\n0,21\n1,"22\n')).toMatch(/^in\.csv line \d+: /);
  });
});

describe('replayReadings', () => {
  it('steps once a second from the first row to the last and alarms on a fire signature', async () => {
    const rows = ['t_s,temp_c,co_ppm,pm25_ugm3'];
    for (let t = 0; t <= 400; t++) {
      const fire = Math.max(0, t - 200);
      rows.push(`${String(t)},${String(21 + fire / 6)},${String(fire)},${String(5 + fire * 3)}`);
    }
    const changes = await replayReadings(
      readingsFromCsv(rows.join('\n')),
      new RuleModel(),
      DEFAULT_ALARM_POLICY,
    );
    const high = changes.find((c) => c.level === 'high');
    expect(high?.ts).toBeGreaterThan(200);
    expect(high?.ts).toBeLessThanOrEqual(400);
    expect(changes.every((c) => Number.isInteger(c.ts))).toBe(true);
  });
});
