/* global document */

/**
 * Builds an element. Every string from the server goes in as a text node or
 * an attribute value, never as markup.
 * @param {string} tag
 * @param {Record<string, string | number | boolean | undefined | ((event: Event) => void)>} [attrs]
 * @param {Array<Node | string | number | null | undefined | false>} [children]
 * @returns {HTMLElement}
 */
export function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') node.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) node.setAttribute(name, '');
    else node.setAttribute(name, String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Milliseconds since the epoch as local date and time. */
export function formatTime(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) return '—';
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
}

/** How long ago, in words short enough for a card. */
export function formatAgo(ms, now = Date.now()) {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) return 'never';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

export function formatPercent(p) {
  return typeof p === 'number' && Number.isFinite(p) ? `${(p * 100).toFixed(0)} %` : '—';
}

export function formatNumber(value, digits = 1) {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '—';
}

/** The four alarm levels; anything else shows as unknown. */
export function levelClass(level) {
  return ['none', 'low', 'medium', 'high'].includes(level) ? `level-${level}` : 'level-unknown';
}

/** A coloured badge for an alarm level, with the word in it so colour is never the only sign. */
export function levelBadge(level, testid) {
  return el('span', { class: `badge ${levelClass(level)}`, 'data-testid': testid }, [String(level)]);
}

/** Only plain base64 may become an image source. */
export function isBase64(text) {
  return typeof text === 'string' && text.length > 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(text);
}
