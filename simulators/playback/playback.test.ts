import { describe, expect, it } from 'vitest';
import { drawScenario } from '../scenarios/scenario-catalogue.js';
import { traceValueSource } from '../../shared/dataset/run-trace.js';
import { simulateRun } from '../sensors/simulate-run.js';
import type { ThermalSeries } from '../../shared/dataset/sensor-series.js';
import { playbackSource } from './playback-source.js';
import { alarmMarkers, runChart } from './run-chart.js';
import { summariseThermal } from './thermal-summary.js';

const trace = simulateRun(drawScenario('tf4', 5), { durationS: 400 });

describe('playbackSource', () => {
  it('plays the trace inside the run and is silent before and after it', () => {
    for (const protocol of ['pms5003', 'mcu680', 'mcu90640'] as const) {
      const played = playbackSource(trace, protocol);
      const truth = traceValueSource(trace, protocol);
      for (const t of [0.1, 17.3, 250, 399.9]) expect(played.valueAt(t)).toEqual(truth.valueAt(t));
      expect(played.valueAt(-0.5)).toBeUndefined();
      expect(played.valueAt(400.5)).toBeUndefined();
      expect(played.valueAt(4000)).toBeUndefined();
    }
  });
});

describe('summariseThermal', () => {
  it('finds each frame’s hottest and median pixel and the frame of the hottest pixel', () => {
    const series: ThermalSeries = {
      protocol: 'mcu90640',
      period_s: 0.25,
      width: 2,
      height: 2,
      t_s: Float64Array.from([0, 0.25, 0.5]),
      pixels_centi: Int16Array.from([2000, 2100, 2200, 2300, 2000, 9000, 2000, 2000, 2500, 2400, 2600, 2450]),
      ambient_centi: Int16Array.from([2500, 2500, 2500]),
    };
    const summary = summariseThermal(series);
    expect(Array.from(summary.maxC)).toEqual([23, 90, 26]);
    expect(Array.from(summary.medianC)).toEqual([21.5, 20, 24.75]);
    expect(summary.peakFrame).toBe(1);
  });
});

describe('runChart', () => {
  const run = { runId: 'run-1', template: 'tf4', trace };

  it('draws every channel in its own panel with the run in the title', () => {
    const { spec, thermal } = runChart(run, { width: 800 });
    expect(spec.title).toMatch(/^run-1 · tf4 · fire \(tf4-flaming-pu, flaming\)$/);
    expect(spec.panels.map((p) => p.series.map((s) => s.name))).toEqual([
      ['PM1', 'PM2.5', 'PM10'],
      ['CO'],
      ['CO₂'],
      ['temperature'],
      ['humidity'],
      ['gas resistance'],
      ['IAQ'],
      ['hottest pixel', 'median pixel'],
      ['obscuration'],
    ]);
    for (const panel of spec.panels) {
      for (const series of panel.series) expect(series.t.length).toBeLessThanOrEqual(800);
    }
    expect(thermal.peakFrame).toBeGreaterThanOrEqual(0);
  });

  it('marks the ignition and each detector that alarmed, at its time', () => {
    const markers = alarmMarkers(run);
    const { labels } = trace;
    const expected = [
      labels.ignition_s,
      labels.detectors.smoke_s,
      labels.detectors.heat_fixed_s,
      labels.detectors.rate_of_rise_s,
      labels.detectors.co_s,
    ].filter((t) => t !== null);
    expect(markers.map((m) => m.t)).toEqual(expected);
    expect(markers[0]?.label).toBe('ignition');
  });
});
