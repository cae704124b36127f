import type { JS } from '@duckdb/node-api';

export const QUERY_FORMATS = ['json', 'table', 'csv'] as const;
export type QueryFormat = (typeof QUERY_FORMATS)[number];

/** Turns a query's rows into output lines: JSON lines, CSV, or an aligned table. */
export interface RowPrinter {
  /** Lines for one batch of rows (a table prints nothing until `end`). */
  batch(rows: readonly JS[][]): string[];
  end(): string[];
}

/** A value JSON can carry: integers as numbers while exact, as strings beyond 2^53. */
export function jsonValue(value: JS): unknown {
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(jsonValue);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonValue(v)]));
  }
  return value;
}

function text(value: JS, readable: boolean): string {
  if (value === null) return readable ? 'NULL' : '';
  // FLOAT columns hold 7 significant digits; more would print float32 noise.
  if (readable && typeof value === 'number' && !Number.isInteger(value))
    return String(Number(value.toPrecision(7)));
  if (typeof value === 'string') return value;
  const plain = jsonValue(value);
  return typeof plain === 'string' ? plain : JSON.stringify(plain);
}

function csvCell(cell: string): string {
  return /[",\n\r]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

export function rowPrinter(format: QueryFormat, columns: readonly string[]): RowPrinter {
  switch (format) {
    case 'json':
      return {
        batch: (rows) =>
          rows.map((row) =>
            JSON.stringify(Object.fromEntries(columns.map((c, i) => [c, jsonValue(row[i] ?? null)]))),
          ),
        end: () => [],
      };
    case 'csv': {
      let header = false;
      const line = (cells: readonly string[]): string => cells.map(csvCell).join(',');
      return {
        batch: (rows) => {
          const lines = header ? [] : [line(columns)];
          header = true;
          return [...lines, ...rows.map((row) => line(row.map((v) => text(v, false))))];
        },
        end: () => (header ? [] : [line(columns)]),
      };
    }
    case 'table': {
      const cells: string[][] = [];
      const numeric = columns.map(() => true);
      return {
        batch: (rows) => {
          for (const row of rows) {
            row.forEach((v, i) => {
              if (v !== null && typeof v !== 'number' && typeof v !== 'bigint') numeric[i] = false;
            });
            cells.push(row.map((v) => text(v, true)));
          }
          return [];
        },
        end: () => renderTable(columns, cells, numeric),
      };
    }
  }
}

function renderTable(
  columns: readonly string[],
  cells: readonly string[][],
  numeric: readonly boolean[],
): string[] {
  const widths = columns.map((c) => c.length);
  for (const row of cells) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const pad = (cell: string, i: number): string =>
    numeric[i] === true ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0);
  const line = (row: readonly string[]): string => row.map(pad).join(' | ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('-+-');
  const count = `(${String(cells.length)} row${cells.length === 1 ? '' : 's'})`;
  return [line(columns), rule, ...cells.map(line), count];
}
