import { escapeXml } from '../../shared/charts/index.js';
import { formatTickValue, niceTicks } from '../../shared/charts/nice-ticks.js';
import { FONT_FAMILY, px, textWidth, truncate } from '../../shared/charts/svg-text.js';

/** One bar: a value (null draws "never"), an optional whisker to a second value, and a note after it. */
export interface Bar {
  readonly value: number | null;
  readonly whisker?: number | null;
  readonly note?: string;
}

/** A labelled group of bars, one per series, in the order of the series. */
export interface BarGroup {
  readonly label: string;
  readonly bars: readonly Bar[];
}

/** A horizontal grouped bar chart. */
export interface BarChartSpec {
  readonly title: string;
  readonly valueLabel: string;
  readonly series: readonly { readonly name: string; readonly colour: string }[];
  readonly groups: readonly BarGroup[];
  readonly width: number;
}

const BAR = 11;
const BAR_GAP = 2;
const GROUP_GAP = 14;
const FONT = 12;
const TOP = 58;
const BOTTOM = 44;

/**
 * Draws grouped horizontal bars, each with a thin whisker (for a p90 beside a
 * median) and a note, as a standalone SVG that also works inline in HTML.
 */
export function renderBarChartSvg(spec: BarChartSpec): string {
  const labelWidth = Math.min(
    spec.width / 3,
    12 + Math.max(60, ...spec.groups.map((g) => textWidth(truncate(g.label, 28), FONT))),
  );
  const left = labelWidth + 12;
  const right = spec.width - 150;
  const values = spec.groups.flatMap((g) => g.bars.flatMap((b) => [b.value ?? 0, b.whisker ?? 0]));
  const ticks = niceTicks(0, Math.max(1, ...values), 6);
  const x = (v: number): number => left + ((v - ticks.min) / (ticks.max - ticks.min)) * (right - left);
  const groupHeight = spec.series.length * (BAR + BAR_GAP) - BAR_GAP;
  const height = TOP + spec.groups.length * (groupHeight + GROUP_GAP) + BOTTOM;
  const plotBottom = height - BOTTOM + 4;
  const text = (tx: number, ty: number, body: string, extra = ''): string =>
    `<text x="${px(tx)}" y="${px(ty)}" font-family="${FONT_FAMILY}" font-size="${FONT}" fill="#222"${extra}>${escapeXml(body)}</text>`;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${px(spec.width)}" height="${px(height)}" viewBox="0 0 ${px(spec.width)} ${px(height)}">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    text(left, 20, spec.title, ' font-weight="bold" font-size="14"'),
  ];
  let legendX = left;
  for (const s of spec.series) {
    parts.push(`<rect x="${px(legendX)}" y="32" width="12" height="12" fill="${escapeXml(s.colour)}"/>`);
    parts.push(text(legendX + 16, 42, s.name));
    legendX += 16 + textWidth(s.name, FONT) + 18;
  }
  for (const t of ticks.ticks) {
    parts.push(
      `<line x1="${px(x(t))}" y1="${px(TOP - 4)}" x2="${px(x(t))}" y2="${px(plotBottom)}" stroke="#e8e8e8"/>`,
      text(x(t), plotBottom + 16, formatTickValue(t, ticks.step), ' text-anchor="middle" fill="#555"'),
    );
  }
  parts.push(text((left + right) / 2, plotBottom + 34, spec.valueLabel, ' text-anchor="middle" fill="#555"'));
  spec.groups.forEach((group, g) => {
    const top = TOP + g * (groupHeight + GROUP_GAP);
    parts.push(text(left - 10, top + groupHeight / 2 + 4, truncate(group.label, 28), ' text-anchor="end"'));
    group.bars.forEach((bar, i) => {
      const colour = escapeXml(spec.series[i]?.colour ?? '#000');
      const y = top + i * (BAR + BAR_GAP);
      if (bar.value === null) {
        parts.push(
          `<rect x="${px(left)}" y="${px(y)}" width="3" height="${String(BAR)}" fill="${colour}"/>`,
          text(
            left + 8,
            y + BAR - 2,
            `never${bar.note === undefined ? '' : ` (${bar.note})`}`,
            ' fill="#777"',
          ),
        );
        return;
      }
      const end = x(bar.value);
      parts.push(
        `<rect x="${px(left)}" y="${px(y)}" width="${px(Math.max(1, end - left))}" height="${BAR}" fill="${colour}"/>`,
      );
      let after = end;
      if (bar.whisker !== undefined && bar.whisker !== null && bar.whisker > bar.value) {
        const w = x(bar.whisker);
        parts.push(
          `<line x1="${px(end)}" y1="${px(y + BAR / 2)}" x2="${px(w)}" y2="${px(y + BAR / 2)}" stroke="${colour}" stroke-width="1.5"/>`,
          `<line x1="${px(w)}" y1="${px(y + 2)}" x2="${px(w)}" y2="${px(y + BAR - 2)}" stroke="${colour}" stroke-width="1.5"/>`,
        );
        after = w;
      }
      if (bar.note !== undefined)
        parts.push(text(after + 5, y + BAR - 2, bar.note, ' font-size="11" fill="#444"'));
    });
  });
  parts.push(
    `<line x1="${px(left)}" y1="${px(TOP - 4)}" x2="${px(left)}" y2="${px(plotBottom)}" stroke="#9a9a9a"/>`,
    '</svg>',
  );
  return parts.join('');
}
