import { describe, expect, it } from 'vitest';
import { TroubleBoard, type TroubleChange } from './trouble-board.js';

describe('TroubleBoard', () => {
  it('raises a condition once and keeps its first detail and time', () => {
    const board = new TroubleBoard();
    const changes: TroubleChange[] = [];
    board.onChange((c) => changes.push(c));
    expect(board.raise('sensor-silent', 'co', 'no frames for 30 s', 1000)).toBe(true);
    expect(board.raise('sensor-silent', 'co', 'no frames for 60 s', 2000)).toBe(false);
    expect(board.list()).toEqual([
      { kind: 'sensor-silent', source: 'co', since: 1000, detail: 'no frames for 30 s' },
    ]);
    expect(changes.map((c) => c.change)).toEqual(['raised']);
  });

  it('tells kinds and sources apart and lists oldest first', () => {
    const board = new TroubleBoard();
    board.raise('sensor-stuck', 'env', 'same frame for 10 min', 3000);
    board.raise('sensor-silent', 'env', 'no frames', 2000);
    board.raise('storage-failing', 'outbox', 'disk full', 2500);
    expect(board.list().map((c) => `${c.kind}/${c.source}`)).toEqual([
      'sensor-silent/env',
      'storage-failing/outbox',
      'sensor-stuck/env',
    ]);
    expect(board.has('sensor-stuck', 'env')).toBe(true);
    expect(board.has('sensor-stuck', 'co')).toBe(false);
  });

  it('clears once, and set() raises or clears as asked', () => {
    const board = new TroubleBoard();
    const changes: TroubleChange[] = [];
    const stop = board.onChange((c) => changes.push(c));
    board.set('sensor-implausible', 'pm', true, 'impossible counts', 10);
    expect(board.clear('sensor-implausible', 'pm')).toBe(true);
    expect(board.clear('sensor-implausible', 'pm')).toBe(false);
    expect(board.set('sensor-implausible', 'pm', false, '', 20)).toBe(false);
    stop();
    board.raise('sensor-silent', 'pm', 'quiet', 30);
    expect(changes.map((c) => `${c.change} ${c.condition.kind}`)).toEqual([
      'raised sensor-implausible',
      'cleared sensor-implausible',
    ]);
    expect(board.list()).toHaveLength(1);
  });
});
