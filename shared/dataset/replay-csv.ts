import { CsvError, parse } from 'csv-parse/sync';
import { RECORDING_COLUMNS, type RecordingColumn } from '../../shared/detection/detection-front-end.js';
import { EmberError } from '../../shared/errors.js';
import { ZE07_FULL_RANGE_PPM } from '../../shared/protocols/ze07.js';
import type { ProtocolName, Reading } from '../../shared/schemas/readings.js';

/** The columns a replay CSV may have (what an incident recording writes); `t_s` (seconds) is required. */
export const CSV_COLUMNS = ['t_s', ...RECORDING_COLUMNS] as const;
type ValueColumn = RecordingColumn;

/** The module each column's value comes from, and the field of its reading. */
const PROTOCOL_OF: Readonly<Record<ValueColumn, ProtocolName>> = {
  temp_c: 'mcu680',
  humidity_pct: 'mcu680',
  co_ppm: 'ze07',
  co2_ppm: 'mhz19b',
  pm25_ugm3: 'pms5003',
  pm10_ugm3: 'pms5003',
};

/**
 * What each column's module can report: a recording made with another
 * instrument (a thermocouple at 500 °C, a smoke meter past a particle
 * counter's top) is replayed as the module would have read it, at the top of
 * its range. That top is evidence, not a fault: the detector sees exactly
 * what a device in the same place would have sent.
 */
export const MODULE_RANGE: Readonly<Record<ValueColumn, { readonly min: number; readonly max: number }>> = {
  temp_c: { min: -40, max: 85 },
  humidity_pct: { min: 0, max: 100 },
  co_ppm: { min: 0, max: ZE07_FULL_RANGE_PPM },
  co2_ppm: { min: 0, max: 5000 },
  pm25_ugm3: { min: 0, max: 1000 },
  pm10_ugm3: { min: 0, max: 1000 },
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

function checkHeader(columns: readonly string[], name: string): void {
  columns.forEach((column, i) => {
    const where = `${name} line 1, column ${String(i + 1)} '${column}'`;
    if (column !== 't_s' && !isValueColumn(column)) {
      fail(where, `unknown column (expected t_s and any of ${CSV_COLUMNS.slice(1).join(', ')})`);
    }
    if (columns.indexOf(column) !== i) fail(where, 'column named twice');
  });
  if (!columns.includes('t_s')) fail(`${name} line 1`, 'no t_s column: every row needs its time in seconds');
}

interface Row {
  readonly record: string[];
  readonly info: { readonly lines: number };
}

/** The CSV's rows with their line numbers; quoting and line endings as RFC 4180, blank lines skipped. */
function parseRows(text: string, name: string): Row[] {
  try {
    return parse(text, {
      bom: true,
      info: true,
      trim: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      relax_column_count: true,
      record_delimiter: ['\r\n', '\n', '\r'],
    }) as unknown as Row[];
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const line = (error as CsvError & { lines?: number }).lines;
    throw new EmberError(
      'EMBER_ERR_BAD_CSV',
      `${name}${line === undefined ? '' : ` line ${String(line)}`}: ${error.message}`,
      { cause: error },
    );
  }
}

/**
 * Parses a replay CSV: a header of `t_s` and any of the value columns, then
 * one row per instant in time order. An empty cell is a channel not read at
 * that instant; a value beyond what the column's module can report reads as
 * that module's limit ({@link MODULE_RANGE}). Throws EMBER_ERR_BAD_CSV naming
 * the line and column of the first problem.
 */
export function readingsFromCsv(text: string, name = 'CSV'): CsvReadings {
  const rows = parseRows(text, name);
  const header = rows[0];
  if (header === undefined) {
    fail(name, `empty file: expected a header line with t_s and any of ${CSV_COLUMNS.slice(1).join(', ')}`);
  }
  const columns = header.record;
  checkHeader(columns, name);
  const readings: Reading[] = [];
  let first: number | undefined;
  let last = -Infinity;
  for (const { record: cells, info } of rows.slice(1)) {
    const where = `${name} line ${String(info.lines)}`;
    if (cells.length !== columns.length) {
      fail(where, `${String(cells.length)} cells, the header has ${String(columns.length)}`);
    }
    const byProtocol = new Map<ProtocolName, Record<string, number>>();
    let t = Number.NaN;
    columns.forEach((column, i) => {
      const raw = cells[i] ?? '';
      if (raw === '' && column !== 't_s') return;
      const value = Number(raw);
      if (raw === '' || !Number.isFinite(value)) {
        fail(`${where}, column ${column}`, raw === '' ? 'no time' : `'${raw}' is not a number`);
      }
      if (column === 't_s') t = value;
      else if (isValueColumn(column)) {
        const protocol = PROTOCOL_OF[column];
        const range = MODULE_RANGE[column];
        const clipped = Math.min(range.max, Math.max(range.min, value));
        byProtocol.set(protocol, { ...byProtocol.get(protocol), [column]: clipped });
      }
    });
    if (t < last) fail(`${where}, column t_s`, `time goes backwards (${String(t)} after ${String(last)})`);
    last = t;
    first ??= t;
    const ts = Math.round(t * 1000);
    for (const [protocol, values] of byProtocol) readings.push(partialReading(protocol, ts, values));
  }
  if (first === undefined) fail(name, 'a header but no rows');
  return {
    readings,
    startMs: Math.round(first * 1000),
    endMs: Math.round(last * 1000),
    rows: rows.length - 1,
  };
}

/** One row of a recording: when (ms) and the value of each column (NaN or absent where none). */
export interface ReplayRow {
  readonly ts: number;
  readonly values: Readonly<Partial<Record<RecordingColumn, number>>>;
}

/** A replay CSV of `rows`: `t_s` from the first row, and only the columns that ever had a value. */
export function replayCsv(rows: readonly ReplayRow[]): string {
  const start = rows[0]?.ts ?? 0;
  const columns = RECORDING_COLUMNS.filter((c) => rows.some((r) => Number.isFinite(r.values[c])));
  const lines = [['t_s', ...columns].join(',')];
  for (const row of rows) {
    const cells = columns.map((c) => (Number.isFinite(row.values[c]) ? String(row.values[c]) : ''));
    lines.push([((row.ts - start) / 1000).toFixed(0), ...cells].join(','));
  }
  return `${lines.join('\n')}\n`;
}
