/* global fetch */

/** One call to the cloud API; throws an Error carrying the server's one-line message. */
export async function api(path, body) {
  const init =
    body === undefined
      ? { headers: { accept: 'application/json' } }
      : {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify(body),
        };
  const response = await fetch(path, init);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const message = data && data.error && typeof data.error.message === 'string' ? data.error.message : '';
    throw new Error(`${response.status}: ${message || response.statusText}`);
  }
  return data;
}

export function enc(part) {
  return encodeURIComponent(part);
}
