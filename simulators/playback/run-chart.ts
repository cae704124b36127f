import type { ChartPanel, TimeMarker, TimeSeries, TimeSeriesChartSpec } from '../../shared/charts/index.js';
import { ALARM_MARKER_STYLES, type AlarmMarkerKind } from '../../shared/charts/index.js';
import type { ChannelsByProtocol } from '../../shared/schemas/readings.js';
import { SMOKE_ALARM_OBSCURATION_PCT_M } from '../scenarios/detector-baselines.js';
import type { RunClass } from '../../shared/dataset/run-labels.js';
import type { ScalarProtocol } from '../../shared/dataset/sensor-series.js';
import { decimateMinMax } from './series-decimation.js';
import type { LoadedRun } from './load-run.js';
import { summariseThermal, type ThermalSummary } from './thermal-summary.js';

/** Size of the chart and how finely its lines are drawn. */
export interface RunChartOptions {
  readonly width?: number;
  readonly height?: number;
}

/** The chart of a run and the thermal frame to show beside it. */
export interface RunChart {
  readonly spec: TimeSeriesChartSpec;
  readonly thermal: ThermalSummary;
}

const PANEL_HEIGHT = 130;

/** "fire (tf4-flaming-pu, flaming)", "nuisance (toast)" or "normal". */
export function describeRunClass(runClass: RunClass): string {
  switch (runClass.kind) {
    case 'fire':
      return `fire (${runClass.fire_class}, ${runClass.smouldering ? 'smouldering' : 'flaming'})`;
    case 'nuisance':
      return `nuisance (${runClass.nuisance})`;
    case 'normal':
      return 'normal';
  }
}

/** Where the ignition and each conventional detector's alarm fall, when they do. */
export function alarmMarkers(run: LoadedRun): TimeMarker[] {
  const { labels } = run.trace;
  const events: [AlarmMarkerKind, string, number | null][] = [
    ['ignition', 'ignition', labels.ignition_s],
    ['smoke', 'smoke alarm', labels.detectors.smoke_s],
    ['heat', 'fixed heat', labels.detectors.heat_fixed_s],
    ['rateOfRise', 'rate of rise', labels.detectors.rate_of_rise_s],
    ['co', 'CO alarm', labels.detectors.co_s],
  ];
  return events.flatMap(([kind, label, t]) =>
    t === null ? [] : [{ t, label, ...ALARM_MARKER_STYLES[kind] }],
  );
}

function channelSeries<P extends ScalarProtocol>(
  run: LoadedRun,
  protocol: P,
  channel: keyof ChannelsByProtocol[P] & string,
  name: string,
  buckets: number,
  scale = 1,
): TimeSeries {
  const samples = run.trace.sensors[protocol].samples;
  const t = samples.map((s) => s.t_s);
  const values = samples.map((s) => ((s.values as Record<string, number>)[channel] ?? Number.NaN) * scale);
  return { name, ...decimateMinMax({ t, values }, buckets) };
}

/**
 * Every channel of a run over time in stacked panels sharing one time axis,
 * with the ignition and each conventional detector's alarm marked, titled
 * with the run id, template and class. Also returns the per-frame thermal
 * statistics, whose peak frame belongs beside the chart.
 */
export function runChart(run: LoadedRun, options: RunChartOptions = {}): RunChart {
  const width = options.width ?? 1200;
  const buckets = Math.max(50, Math.round(width / 2));
  const { trace } = run;
  const thermal = summariseThermal(trace.sensors.mcu90640);
  const series = <P extends ScalarProtocol>(
    protocol: P,
    channel: keyof ChannelsByProtocol[P] & string,
    name: string,
    scale = 1,
  ): TimeSeries => channelSeries(run, protocol, channel, name, buckets, scale);
  const thermalLine = (name: string, values: Float64Array): TimeSeries => ({
    name,
    ...decimateMinMax({ t: thermal.t_s, values }, buckets),
  });
  const panels: ChartPanel[] = [
    {
      title: 'Particulate matter (PMS5003, atmospheric)',
      yLabel: 'PM',
      yUnit: 'µg/m³',
      series: [
        series('pms5003', 'pm1_ugm3', 'PM1'),
        series('pms5003', 'pm25_ugm3', 'PM2.5'),
        series('pms5003', 'pm10_ugm3', 'PM10'),
      ],
    },
    {
      title: 'Carbon monoxide (ZE07-CO)',
      yLabel: 'CO',
      yUnit: 'ppm',
      series: [series('ze07', 'co_ppm', 'CO')],
    },
    {
      title: 'Carbon dioxide (MH-Z19B)',
      yLabel: 'CO₂',
      yUnit: 'ppm',
      series: [series('mhz19b', 'co2_ppm', 'CO₂')],
    },
    {
      title: 'Temperature (GY-MCU680)',
      yLabel: 'T',
      yUnit: '°C',
      series: [series('mcu680', 'temp_c', 'temperature')],
    },
    {
      title: 'Relative humidity (GY-MCU680)',
      yLabel: 'RH',
      yUnit: '%',
      series: [series('mcu680', 'humidity_pct', 'humidity')],
    },
    {
      title: 'Gas resistance (GY-MCU680)',
      yLabel: 'R',
      yUnit: 'kΩ',
      series: [series('mcu680', 'gas_ohm', 'gas resistance', 1 / 1000)],
    },
    {
      title: 'Indoor air quality index (GY-MCU680)',
      yLabel: 'IAQ',
      series: [series('mcu680', 'iaq', 'IAQ')],
    },
    {
      title: `Thermal camera (GY-MCU90640, ${String(1 / trace.sensors.mcu90640.period_s)} Hz), per frame`,
      yLabel: 'T',
      yUnit: '°C',
      series: [thermalLine('hottest pixel', thermal.maxC), thermalLine('median pixel', thermal.medianC)],
    },
    {
      title: 'Smoke obscuration at the sensor (true environment)',
      yLabel: 'smoke',
      yUnit: '%/m',
      series: [
        {
          name: 'obscuration',
          ...decimateMinMax({ t: trace.env.t_s, values: trace.env.obscuration_pct_m }, buckets),
        },
      ],
      // Room above the threshold so its line and label stay readable in a run without smoke.
      yRange: [
        0,
        Math.max(2 * SMOKE_ALARM_OBSCURATION_PCT_M, 1.05 * Math.max(0, ...trace.env.obscuration_pct_m)),
      ],
      thresholds: [{ value: SMOKE_ALARM_OBSCURATION_PCT_M, label: 'smoke alarm threshold', style: 'dashed' }],
    },
  ];
  const title = `${run.runId} · ${run.template} · ${describeRunClass(trace.labels.class)}`;
  return {
    spec: {
      title,
      width,
      height: options.height ?? 90 + panels.length * PANEL_HEIGHT,
      panels,
      markers: alarmMarkers(run),
      xAxis: { label: 'time since start of run', format: 'mm:ss', range: [0, trace.duration_s * 1.02] },
    },
    thermal,
  };
}
