import { describe, expect, it } from 'vitest';
import { FLAME_GROWTH_WINDOW_S, FlameGrowthDetector } from './flame-growth.js';
import {
  FLOOR_HOLD_S,
  FloorMonitor,
  SHORT_RATE_OF_RISE_WINDOW_S,
  floorBit,
  floorNames,
  type FloorInputs,
} from './floor-monitor.js';

const quiet: FloorInputs = { tempC: 21, coPpm: 0, flamePixels: 0 };

function masks(inputs: (t: number) => FloorInputs, seconds: number): number[] {
  const monitor = new FloorMonitor();
  return Array.from({ length: seconds + 1 }, (_, t) => monitor.step(t, inputs(t)));
}

describe('FloorMonitor', () => {
  it('stays silent in a quiet room and with every channel missing', () => {
    expect(masks(() => quiet, 600).every((m) => m === 0)).toBe(true);
    const none = { tempC: Number.NaN, coPpm: Number.NaN, flamePixels: Number.NaN };
    expect(masks(() => none, 600).every((m) => m === 0)).toBe(true);
  });

  it('needs two steps at 57 °C for the fixed heat floor, so one odd sample cannot sound it', () => {
    const once = masks((t) => ({ ...quiet, tempC: t === 100 ? 60 : 21 }), 200);
    // The rise of 39 °C is a rate of rise, though: that floor stands for one sample and is held.
    expect(floorNames(once[100] ?? 0)).toEqual(['heat-rate-of-rise']);
    const hot = masks((t) => ({ ...quiet, tempC: t < 100 ? 50 : 57 }), 200);
    expect(hot[100]).toBe(0);
    expect(floorNames(hot[101] ?? 0)).toEqual(['heat-fixed']);
  });

  it('holds a floor for a while after its condition ends, then lets it go', () => {
    const m = masks((t) => ({ ...quiet, tempC: t >= 50 && t < 60 ? 60 : 56 }), 400);
    const bit = floorBit('heat-fixed');
    expect((m[51] ?? 0) & bit).toBe(bit);
    expect((m[59 + FLOOR_HOLD_S - 1] ?? 0) & bit).toBe(bit);
    expect((m[59 + FLOOR_HOLD_S] ?? 0) & bit).toBe(0);
  });

  it('raises the rate-of-rise floor on half a minute of 8.3 °C/min, three steps in a row', () => {
    const bit = floorBit('heat-rate-of-rise');
    const first = (m: number[]): number => m.findIndex((x) => (x & bit) !== 0);
    // 9 °C/min from 100 s: 4.5 °C after 30 s. The minute's difference would wait until 156 s.
    const steep = masks((t) => ({ ...quiet, tempC: 21 + (9 / 60) * Math.max(0, t - 100) }), 300);
    const shortAt = 100 + Math.ceil((4.15 * 60) / 9) + 2;
    expect(first(steep)).toBe(shortAt);
    expect(first(steep)).toBeLessThan(100 + SHORT_RATE_OF_RISE_WINDOW_S * 2);
    // 8 °C/min for ten minutes: under the rate over either window.
    expect(first(masks((t) => ({ ...quiet, tempC: 21 + (8 / 60) * t }), 600))).toBe(-1);
    // A jump of 5 °C that lasts two steps: one odd pair of samples, not a fire.
    expect(first(masks((t) => ({ ...quiet, tempC: t === 200 || t === 201 ? 26 : 21 }), 400))).toBe(-1);
  });

  it('raises the CO floor after the UL 2034 dose at 400 ppm, not at 30 ppm', () => {
    const co = masks((t) => ({ ...quiet, coPpm: t >= 60 ? 400 : 0 }), 20 * 60);
    const first = co.findIndex((m) => (m & floorBit('co-dose')) !== 0);
    expect(first / 60).toBeGreaterThan(4 + 1);
    expect(first / 60).toBeLessThan(15 + 1);
    expect(masks((t) => ({ ...quiet, coPpm: t >= 60 ? 30 : 0 }), 3 * 3600).every((m) => m === 0)).toBe(true);
  });
});

describe('FlameGrowthDetector', () => {
  const run = (pixels: (t: number) => number, seconds = 300): number | null => {
    const d = new FlameGrowthDetector();
    for (let t = 0; t <= seconds; t++) if (d.update(t, pixels(t))) return t;
    return null;
  };

  it('sounds for a flaming area that keeps growing, from a spot already there half a minute before', () => {
    // t-squared growth from ignition at 20 s: 0.01 px/s² gives 1 px at 30 s and 9 px at 50 s.
    const at = run((t) => Math.floor(0.01 * Math.max(0, t - 20) ** 2));
    expect(at).not.toBeNull();
    expect(at ?? 0).toBeGreaterThanOrEqual(20 + FLAME_GROWTH_WINDOW_S);
  });

  it('never sounds for a heater switched on (nothing, then its full size) or a hot object that keeps its size', () => {
    expect(run((t) => (t < 100 ? 0 : 40))).toBeNull();
    expect(run(() => 12)).toBeNull();
    expect(run((t) => (t % 2 === 0 ? 3 : 4))).toBeNull();
  });

  it('needs the growth for three samples in a row and a fresh frame each time', () => {
    // Growth that lasts only two samples.
    expect(run((t) => (t === 60 || t === 61 ? 8 : 2))).toBeNull();
    expect(run(() => Number.NaN)).toBeNull();
  });
});
