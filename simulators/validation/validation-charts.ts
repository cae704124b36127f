import {
  arrangePngs,
  renderTimeSeriesSvg,
  svgToPng,
  type TimeSeriesChartSpec,
} from '../../shared/charts/index.js';
import type { PositionComparison } from './nist-comparison.js';

const MEASURED = '#1f77b4';
const SIMULATED = '#d62728';

/** One position of one test: measured and simulated ceiling temperature, smoke and (where measured) CO₂. */
export function comparisonChartSpec(row: PositionComparison): TimeSeriesChartSpec {
  const { measured: m, simulated: s } = row;
  const co2Measured = m.co2Ppm.some(Number.isFinite);
  const panels: TimeSeriesChartSpec['panels'] = [
    {
      title: 'ceiling temperature',
      yLabel: 'temperature',
      yUnit: '°C',
      series: [
        { name: 'measured (thermocouple)', t: m.t, values: m.tempC, colour: MEASURED },
        { name: 'simulated', t: s.t, values: s.tempC, colour: SIMULATED },
      ],
    },
    {
      title: 'smoke (soot equivalent, capped like a PMS5003)',
      yLabel: 'smoke',
      yUnit: 'µg/m³',
      yRange: [0, 1100],
      series: [
        { name: 'measured (smoke meter)', t: m.t, values: m.smokeUgm3, colour: MEASURED },
        { name: 'simulated', t: s.t, values: s.smokeUgm3, colour: SIMULATED },
      ],
    },
  ];
  if (co2Measured) {
    panels.push({
      title: 'CO₂',
      yLabel: 'CO₂',
      yUnit: 'ppm',
      series: [
        { name: 'measured (analyser)', t: m.t, values: m.co2Ppm, colour: MEASURED },
        { name: 'simulated', t: s.t, values: s.co2Ppm, colour: SIMULATED },
      ],
    });
  }
  return {
    title: `${row.test} position ${row.position}: measured and simulated`,
    width: 640,
    height: co2Measured ? 480 : 340,
    panels,
    xAxis: { label: 'time on the test clock', format: 'seconds' },
    markers: [{ t: row.ignitionS, label: 'ignition', colour: '#444444', style: 'dashed' }],
  };
}

/** The chart of one position as PNG bytes. */
export async function comparisonChartPng(row: PositionComparison): Promise<Buffer> {
  return svgToPng(renderTimeSeriesSvg(comparisonChartSpec(row)));
}

/** Every position of one test, two charts to a row, as one PNG. */
export async function testChartPng(rows: readonly PositionComparison[]): Promise<Buffer> {
  const charts = await Promise.all(rows.map(comparisonChartPng));
  const pairs: Buffer[] = [];
  for (let i = 0; i < charts.length; i += 2) {
    pairs.push(await arrangePngs(charts.slice(i, i + 2), { direction: 'beside', gap: 12 }));
  }
  return arrangePngs(pairs, { direction: 'under', gap: 12, margin: 8, background: '#ffffff' });
}
