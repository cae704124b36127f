import { spread, type Spread } from './stats.js';

/** A target a figure must meet: at most or at least `value`, in the figure's unit. */
export interface Goal {
  readonly op: '<=' | '>=';
  readonly value: number;
}

/** Met, missed, or a figure without a target (shown for scale). */
export type Verdict = 'pass' | 'FAIL' | '—';

/** One measured figure: the median of its rounds with their spread, and what it is held to. */
export interface Figure extends Spread {
  /** The benchmark it comes from (its file's name without `.bench.ts`). */
  readonly bench: string;
  readonly name: string;
  readonly unit: string;
  readonly goal?: Goal;
  /** What else a reader needs: sizes, counts, the load, how it was measured. */
  readonly note?: string;
  /** A setting changed from the product's default, and why; absent when it runs the defaults. */
  readonly changed?: string;
}

export interface FigureInput {
  readonly name: string;
  readonly unit: string;
  /** The rounds or samples; a single value is one round. */
  readonly values: readonly number[] | number;
  readonly goal?: Goal;
  readonly note?: string;
  readonly changed?: string;
}

/** A figure of `bench` from its rounds. */
export function figure(bench: string, input: FigureInput): Figure {
  const values = typeof input.values === 'number' ? [input.values] : input.values;
  return {
    bench,
    name: input.name,
    unit: input.unit,
    ...spread(values),
    ...(input.goal === undefined ? {} : { goal: input.goal }),
    ...(input.note === undefined ? {} : { note: input.note }),
    ...(input.changed === undefined ? {} : { changed: input.changed }),
  };
}

export function verdictOf(f: Figure): Verdict {
  if (f.goal === undefined) return '—';
  if (!Number.isFinite(f.median)) return 'FAIL';
  return (f.goal.op === '<=' ? f.median <= f.goal.value : f.median >= f.goal.value) ? 'pass' : 'FAIL';
}

/** A number with about three significant digits, thousands grouped. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function formatGoal(goal: Goal | undefined, unit: string): string {
  if (goal === undefined) return '';
  return `${goal.op === '<=' ? '≤' : '≥'} ${formatNumber(goal.value)} ${unit}`;
}

/** The measured value as the table shows it: median, and the range of the rounds when there were several. */
export function formatMeasured(f: Figure): string {
  const range = f.n > 1 ? ` (${formatNumber(f.min)}–${formatNumber(f.max)}, ${String(f.n)})` : '';
  return `${formatNumber(f.median)} ${f.unit}${range}`;
}

/** One line per figure, as printed while the benchmarks run. */
export function formatFigure(f: Figure): string {
  const goal = f.goal === undefined ? '' : `  [goal ${formatGoal(f.goal, f.unit)}: ${verdictOf(f)}]`;
  const note = f.note === undefined ? '' : `  ${f.note}`;
  const changed = f.changed === undefined ? '' : `  (changed from the defaults: ${f.changed})`;
  return `${f.bench}: ${f.name}: ${formatMeasured(f)}${goal}${note}${changed}`;
}

/** The goal / measured / verdict table of a run. */
export function formatTable(figures: readonly Figure[]): string {
  const rows = figures.map((f) => [
    `${f.bench}: ${f.name}`,
    formatGoal(f.goal, f.unit),
    formatMeasured(f),
    verdictOf(f),
  ]);
  return textTable(['figure', 'goal', 'measured (median, range, rounds)', 'verdict'], rows);
}

/** A plain-text table: the header, a rule, then the rows, each column as wide as its widest cell. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join(' | ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}
