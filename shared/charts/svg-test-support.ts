/**
 * Checks of generated SVG for the tests of this folder: a small XML
 * well-formedness check (our own output only: no comments, CDATA or
 * processing instructions) and a check that geometry holds plain numbers.
 * Test support only.
 */
const TAG = /^<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<>]*")*)\s*(\/?)>$/;
const ATTRIBUTE = /([\w:-]+)="([^"]*)"/g;
const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/y;
const GEOMETRY_ATTRIBUTES = new Set([
  'x',
  'y',
  'x1',
  'y1',
  'x2',
  'y2',
  'cx',
  'cy',
  'r',
  'width',
  'height',
  'd',
  'transform',
  'viewBox',
]);

function textProblems(text: string): string[] {
  const problems: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d)
      problems.push(`control character ${code}`);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else problems.push('lone high surrogate');
    } else if (code >= 0xdc00 && code <= 0xdfff) problems.push('lone low surrogate');
    if (text[i] === '&') {
      ENTITY.lastIndex = i;
      if (!ENTITY.test(text)) problems.push(`bare & at ${i}`);
    }
  }
  return problems;
}

/** Everything that keeps `svg` from being well-formed XML with one root element; empty when it is. */
export function xmlProblems(svg: string): string[] {
  const problems: string[] = [];
  const open: string[] = [];
  let roots = 0;
  let last = 0;
  for (const match of svg.matchAll(/<[^>]*>/g)) {
    const between = svg.slice(last, match.index);
    if (between.includes('>')) problems.push(`stray > before ${match.index}`);
    if (open.length === 0 && between.trim() !== '') problems.push('text outside the root element');
    problems.push(...textProblems(between));
    last = match.index + match[0].length;
    const tag = TAG.exec(match[0]);
    if (tag === null) {
      problems.push(`malformed tag ${match[0].slice(0, 80)}`);
      continue;
    }
    const [, closing, name = '', attributes = '', selfClosing] = tag;
    problems.push(...textProblems(attributes));
    const names = [...attributes.matchAll(ATTRIBUTE)].map((a) => a[1]);
    if (new Set(names).size !== names.length) problems.push(`repeated attribute in <${name}>`);
    if (closing === '/') {
      const expected = open.pop();
      if (expected !== name) problems.push(`</${name}> closes <${expected ?? 'nothing'}>`);
    } else {
      if (open.length === 0) roots++;
      if (selfClosing !== '/') open.push(name);
    }
  }
  if (svg.slice(last).trim() !== '') problems.push('text after the root element');
  if (svg.slice(last).includes('<')) problems.push('unterminated tag');
  if (open.length > 0) problems.push(`unclosed <${open.join('>, <')}>`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}

/** Geometry attributes whose value is not made of plain decimal numbers (NaN, Infinity, exponents). */
export function geometryProblems(svg: string): string[] {
  const problems: string[] = [];
  for (const match of svg.matchAll(ATTRIBUTE)) {
    const [, name = '', value = ''] = match;
    if (!GEOMETRY_ATTRIBUTES.has(name)) continue;
    const numbers = value.replace(/translate|rotate|[ML(),%]/g, ' ').trim();
    if (numbers === '') continue;
    for (const token of numbers.split(/\s+/)) {
      if (!/^-?\d+(\.\d+)?$/.test(token)) problems.push(`${name}="${value.slice(0, 60)}"`);
    }
  }
  return problems;
}
