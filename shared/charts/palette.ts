/**
 * Series colours from the Okabe–Ito palette, which stays distinguishable with
 * the common colour-vision deficiencies. Ordered so the first few are the
 * most distinct on white; its yellow is left out because it vanishes on white.
 */
export const SERIES_COLOURS = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#CC79A7',
  '#E69F00',
  '#56B4E9',
  '#000000',
] as const;

/** The colour of the series at `index`, cycling through {@link SERIES_COLOURS}. */
export function seriesColour(index: number): string {
  return SERIES_COLOURS[index % SERIES_COLOURS.length] ?? '#000000';
}

/** How a marker or threshold line is stroked. */
export type LineStyle = 'solid' | 'dashed' | 'dotted';

/** The SVG stroke-dasharray of each {@link LineStyle}. */
export const DASH_ARRAYS: Readonly<Record<LineStyle, string | undefined>> = {
  solid: undefined,
  dashed: '6 4',
  dotted: '2 3',
};

/** The events charts mark on the time axis: the fire's start and each detector's alarm. */
export type AlarmMarkerKind = 'ignition' | 'smoke' | 'heat' | 'rateOfRise' | 'co' | 'model';

/**
 * One look per event, so every chart of every report marks them alike. The
 * model's alarm is the only solid line: it is the one the reader compares.
 */
export const ALARM_MARKER_STYLES: Readonly<Record<AlarmMarkerKind, { colour: string; style: LineStyle }>> = {
  ignition: { colour: '#000000', style: 'solid' },
  smoke: { colour: '#56B4E9', style: 'dashed' },
  heat: { colour: '#D55E00', style: 'dashed' },
  rateOfRise: { colour: '#E69F00', style: 'dotted' },
  co: { colour: '#009E73', style: 'dashed' },
  model: { colour: '#CC79A7', style: 'solid' },
};

/** Greys of the chart furniture. */
export const INK = {
  text: '#222222',
  mutedText: '#555555',
  axis: '#9a9a9a',
  grid: '#e8e8e8',
  background: '#ffffff',
} as const;
