import { describe, expect, it } from 'vitest';
import { isEmberError } from '../errors.js';
import { escapeXml, px, sanitiseId } from './svg-text.js';

describe('escapeXml', () => {
  it('escapes markup characters', () => {
    expect(escapeXml(`<a href="x">Tom & 'Jerry'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;Tom &amp; &apos;Jerry&apos;&lt;/a&gt;',
    );
  });

  it('drops characters XML cannot carry and keeps surrogate pairs', () => {
    expect(escapeXml('a\u0000b\u001bc\ud800d\udc00e\ufffe')).toBe('abcde');
    expect(escapeXml('🔥 °C\tok')).toBe('🔥 °C\tok');
  });
});

describe('px', () => {
  it('rounds to two decimals and clamps far-off coordinates', () => {
    expect(px(12.3456)).toBe('12.35');
    expect(px(-0.001)).toBe('0');
    expect(px(Infinity)).toBe('100000');
    expect(px(-1e300)).toBe('-100000');
  });

  it('refuses NaN with a chart error', () => {
    let caught: unknown;
    try {
      px(NaN);
    } catch (error) {
      caught = error;
    }
    expect(isEmberError(caught, 'EMBER_ERR_BAD_CHART')).toBe(true);
  });
});

describe('sanitiseId', () => {
  it('keeps an id valid', () => {
    expect(sanitiseId('run 42"><script>')).toBe('run42script');
    expect(sanitiseId('9lives')).toBe('c9lives');
  });
});
