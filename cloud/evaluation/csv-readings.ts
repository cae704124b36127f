import { EmberError } from '../../shared/errors.js';
import type { ProtocolName, Reading } from '../../shared/schemas/readings.js';

/** The columns a replay CSV may have; `t_s` (seconds) is required. */
export const CSV_COLUMNS = [
  't_s',
  'temp_c',
  'humidity_pct',
  'co_ppm',
  'co2_ppm',
  'pm25_ugm3',
  'pm10_ugm3',
] as const;
type ValueColumn = Exclude<(typeof CSV_COLUMNS)[number], 't_s'>;

/** The module each column's value comes from, and the field of its reading. */
const PROTOCOL_OF: Readonly<Record<ValueColumn, ProtocolName>> = {
  temp_c: 'mcu680',
  humidity_pct: 'mcu680',
  co_ppm: 'ze07',
  co2_ppm: 'mhz19b',
  pm25_ugm3: 'pms5003',
  pm10_ugm3: 'pms5003',
};

const isValueColumn = (name: string): name is ValueColumn => name in PROTOCOL_OF;

/** Readings from a CSV, in time order, and the span of its `t_s` in milliseconds. */
export interface CsvReadings {
  readonly readings: Reading[];
  readonly startMs: number;
  readonly endMs: number;
  readonly rows: number;
}

function fail(where: string, message: string): never {
  throw new EmberError('EMBER_ERR_BAD_CSV', `${where}: ${message}`);
}

/**
 * A reading carrying only the fields the CSV has. The features read each
 * field by `typeof … === 'number'`, so a field left out is a missing
 * channel (NaN), exactly as on a kit without that sensor: filling it with a
 * made-up value would be read as a real measurement.
 */
function partialReading(
  protocol: ProtocolName,
  ts: number,
  values: Readonly<Record<string, number>>,
): Reading {
  const reading = { deviceId: 'replay', sensorId: protocol, ts, outOfRange: [], protocol, ...values };
  return reading as unknown as Reading;
}

function parseHeader(line: string, name: string): string[] {
  const columns = line.split(',').map((c) => c.trim());
  columns.forEach((column, i) => {
    const where = `${name} line 1, column ${String(i + 1)} '${column}'`;
    if (column !== 't_s' && !isValueColumn(column)) {
      fail(where, `unknown column (expected t_s and any of ${CSV_COLUMNS.slice(1).join(', ')})`);
    }
    if (columns.indexOf(column) !== i) fail(where, 'column named twice');
  });
  if (!columns.includes('t_s')) fail(`${name} line 1`, 'no t_s column: every row needs its time in seconds');
  return columns;
}

/**
 * Parses a replay CSV: a header of `t_s` and any of the value columns, then
 * one row per instant in time order. An empty cell is a channel not read at
 * that instant. Throws EMBER_ERR_BAD_CSV naming the line and column of the
 * first problem.
 */
export function readingsFromCsv(text: string, name = 'CSV'): CsvReadings {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const headerAt = lines.findIndex((l) => l.trim() !== '');
  if (headerAt === -1) {
    fail(name, `empty file: expected a header line with t_s and any of ${CSV_COLUMNS.slice(1).join(', ')}`);
  }
  if (headerAt !== 0) fail(`${name} line 1`, 'blank line before the header');
  const columns = parseHeader(lines[0] ?? '', name);
  const readings: Reading[] = [];
  let first: number | undefined;
  let last = -Infinity;
  let rows = 0;
  lines.forEach((line, index) => {
    if (index === 0 || line.trim() === '') return;
    const where = `${name} line ${String(index + 1)}`;
    const cells = line.split(',');
    if (cells.length !== columns.length) {
      fail(where, `${String(cells.length)} cells, the header has ${String(columns.length)}`);
    }
    const byProtocol = new Map<ProtocolName, Record<string, number>>();
    let t = Number.NaN;
    columns.forEach((column, i) => {
      const raw = (cells[i] ?? '').trim();
      if (raw === '' && column !== 't_s') return;
      const value = Number(raw);
      if (raw === '' || !Number.isFinite(value)) {
        fail(`${where}, column ${column}`, raw === '' ? 'no time' : `'${raw}' is not a number`);
      }
      if (column === 't_s') t = value;
      else if (isValueColumn(column)) {
        const protocol = PROTOCOL_OF[column];
        byProtocol.set(protocol, { ...byProtocol.get(protocol), [column]: value });
      }
    });
    if (t < last) fail(`${where}, column t_s`, `time goes backwards (${String(t)} after ${String(last)})`);
    last = t;
    first ??= t;
    rows++;
    const ts = Math.round(t * 1000);
    for (const [protocol, values] of byProtocol) readings.push(partialReading(protocol, ts, values));
  });
  if (first === undefined) fail(name, 'a header but no rows');
  return { readings, startMs: Math.round(first * 1000), endMs: Math.round(last * 1000), rows };
}
