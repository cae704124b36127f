import { EmberError } from '../errors.js';

/** The font stack of every chart: DejaVu Sans is what fontconfig finds on most Linux hosts. */
export const FONT_FAMILY = "'DejaVu Sans', Verdana, Arial, sans-serif";

/**
 * Pixel coordinates are clamped to this many pixels either side of zero, so a
 * value far outside an axis range still draws a line of the right slope
 * towards the edge, without exponents or infinities reaching the SVG.
 */
const COORDINATE_LIMIT = 100_000;

function isXmlCharacter(code: number): boolean {
  return (
    code === 0x09 || code === 0x0a || code === 0x0d || (code >= 0x20 && code !== 0xfffe && code !== 0xffff)
  );
}

/**
 * Makes any string safe as XML text or a double-quoted attribute value:
 * escapes markup characters and drops what XML 1.0 cannot carry at all
 * (control characters, lone surrogates).
 */
export function escapeXml(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += text.slice(i, i + 2);
        i++;
      }
      continue;
    }
    if ((code >= 0xdc00 && code <= 0xdfff) || !isXmlCharacter(code)) continue;
    const ch = text.charAt(i);
    switch (ch) {
      case '&':
        out += '&amp;';
        break;
      case '<':
        out += '&lt;';
        break;
      case '>':
        out += '&gt;';
        break;
      case '"':
        out += '&quot;';
        break;
      case "'":
        out += '&apos;';
        break;
      default:
        out += ch;
    }
  }
  return out;
}

/** Formats a pixel coordinate with two decimals; refuses NaN so a layout bug fails loudly, not silently. */
export function px(value: number): string {
  if (Number.isNaN(value)) {
    throw new EmberError('EMBER_ERR_BAD_CHART', 'a chart coordinate came out as NaN');
  }
  const clamped = Math.min(COORDINATE_LIMIT, Math.max(-COORDINATE_LIMIT, value));
  const rounded = Math.round(clamped * 100) / 100;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

/** A rough width of a text run in the chart font; DejaVu Sans averages about 0.6 em per character. */
export function textWidth(text: string, fontSize: number): number {
  return text.length * fontSize * 0.6;
}

/** Shortens a label that would wreck a layout, keeping its start. */
export function truncate(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, Math.max(0, maxChars - 1))}…`;
}

/** Keeps only characters valid in an XML id, so a caller's prefix cannot break the markup. */
export function sanitiseId(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9_-]/g, '');
  return /^[A-Za-z_]/.test(cleaned) ? cleaned : `c${cleaned}`;
}

/** FNV-1a over a string, in base 36: a short stable id from a chart's content. */
export function contentHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36);
}
