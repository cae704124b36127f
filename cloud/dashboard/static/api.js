/* global fetch */

let csrfToken = '';
let onSignedOut = () => undefined;

/** The session's CSRF token, sent with every request that changes something. */
export function setSession(token, signedOut) {
  csrfToken = token ?? '';
  if (signedOut !== undefined) onSignedOut = signedOut;
}

/**
 * One call to the cloud API (GET without a body, POST with one, or the
 * method given); throws an Error carrying the server's one-line message. A
 * 401 means the session ended: the page goes back to the sign-in form.
 */
export async function api(path, body, method = body === undefined ? 'GET' : 'POST') {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  const init = { method, headers, credentials: 'same-origin' };
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(path, init);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const message = data && data.error && typeof data.error.message === 'string' ? data.error.message : '';
    if (response.status === 401) onSignedOut();
    const error = new Error(`${response.status}: ${message || response.statusText}`);
    error.status = response.status;
    throw error;
  }
  return data;
}

export function enc(part) {
  return encodeURIComponent(part);
}
