import { describe, expect, it } from 'vitest';
import { jsonValue, rowPrinter } from './query-output.js';

describe('query output', () => {
  it('gives integers as numbers while exact and as strings beyond 2^53', () => {
    expect(jsonValue(42n)).toBe(42);
    expect(jsonValue(9_007_199_254_740_993n)).toBe('9007199254740993');
    expect(jsonValue([1n, null, { a: 2n }])).toEqual([1, null, { a: 2 }]);
  });

  it('prints JSON lines keyed by column', () => {
    const printer = rowPrinter('json', ['class', 'n']);
    expect(
      printer.batch([
        ['fire', 3n],
        [null, 0.5],
      ]),
    ).toEqual(['{"class":"fire","n":3}', '{"class":null,"n":0.5}']);
    expect(printer.end()).toEqual([]);
  });

  it('quotes CSV cells that need it and leaves NULL empty', () => {
    const printer = rowPrinter('csv', ['a', 'b']);
    expect(printer.batch([['x,y', null]])).toEqual(['a,b', '"x,y",']);
    expect(printer.batch([['say "hi"', 1]])).toEqual(['"say ""hi""",1']);
  });

  it('prints a header even for a CSV result without rows', () => {
    expect(rowPrinter('csv', ['a', 'b']).end()).toEqual(['a,b']);
  });

  it('aligns a table, numbers right, and shows NULL and float32 values readably', () => {
    const printer = rowPrinter('table', ['name', 'value']);
    expect(
      printer.batch([
        ['pm25', Math.fround(0.1)],
        ['co', null],
      ]),
    ).toEqual([]);
    expect(printer.end()).toEqual([
      'name | value',
      '-----+------',
      'pm25 |   0.1',
      'co   |  NULL',
      '(2 rows)',
    ]);
  });
});
