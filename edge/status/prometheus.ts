/** A hand-written Prometheus text exposition (format 0.0.4): enough for gauges, counters and one histogram. */
export type Labels = Readonly<Record<string, string>>;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelText(labels: Labels | undefined): string {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) return '';
  return `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

function numberText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** Collects metric families in order and renders them. */
export class Exposition {
  readonly #lines: string[] = [];

  family(name: string, type: 'gauge' | 'counter' | 'histogram', help: string): this {
    this.#lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    return this;
  }

  sample(name: string, value: number, labels?: Labels): this {
    this.#lines.push(`${name}${labelText(labels)} ${numberText(value)}`);
    return this;
  }

  /** A histogram from per-bucket (not cumulative) counts. */
  histogram(
    name: string,
    help: string,
    bounds: readonly number[],
    counts: readonly number[],
    count: number,
    sum: number,
  ): this {
    this.family(name, 'histogram', help);
    let cumulative = 0;
    bounds.forEach((bound, i) => {
      cumulative += counts[i] ?? 0;
      this.sample(`${name}_bucket`, cumulative, { le: String(bound) });
    });
    this.sample(`${name}_bucket`, count, { le: '+Inf' });
    this.sample(`${name}_sum`, sum);
    this.sample(`${name}_count`, count);
    return this;
  }

  toString(): string {
    return `${this.#lines.join('\n')}\n`;
  }
}
